package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// Limits of what members write.
const (
	MaxPostLen    = 5000 // characters of a post
	MaxCommentLen = 1000 // characters of a comment
	MaxReasonLen  = 500  // characters of a report's reason
	MaxPhotos     = 4    // photos on one post
	MaxMentions   = 20   // members notified from one post
	PageSize      = 20   // posts per feed page
)

var (
	// ErrNotFound is a post that does not exist or that the viewer may not see.
	ErrNotFound = errors.New("feed: not found")
	// ErrHidden is a hidden post: nobody comments on it or reacts to it.
	ErrHidden = errors.New("feed: post hidden")
	// ErrAlreadyReported is a second report of one post by one member.
	ErrAlreadyReported = errors.New("feed: already reported")
)

// FieldError is one problem with a form field (form.Problem).
type FieldError = form.Problem

// Errors are all the problems of one form; nothing was written (form.Problems).
type Errors = form.Problems

// Reaction kinds, in the order they are shown.
var Reactions = []string{"like", "love", "party", "clap", "laugh"}

// Emoji shows a reaction kind.
var Emoji = map[string]string{"like": "👍", "love": "❤️", "party": "🎉", "clap": "👏", "laugh": "😂"}

// Viewer is the member reading or writing.
type Viewer struct {
	UserID int64
	Role   org.Role
	IP     string
}

// ViewerOf makes the viewer of a signed-in member.
func ViewerOf(m *org.Member, ip string) Viewer {
	return Viewer{UserID: m.UserID, Role: m.Role, IP: ip}
}

// ReactionCount is how many members reacted one way to a post.
type ReactionCount struct {
	Kind  string
	Emoji string
	Count int
	Mine  bool
}

// Post is a post as a viewer sees it.
type Post struct {
	ID           int64
	AuthorID     int64
	Author       org.Name
	Body         string
	HTML         template.HTML
	Audience     audience.Audience
	GroupName    string
	Photos       []string
	RelayID      int64
	CommentCount int
	Hidden       bool
	CreatedAt    time.Time
	Reactions    []ReactionCount
}

// Comment is a comment on a post.
type Comment struct {
	ID        int64
	AuthorID  int64
	Author    org.Name
	Body      string
	CreatedAt time.Time
}

// Lines splits the comment for display, keeping the writer's line breaks.
func (c Comment) Lines() []string { return strings.Split(c.Body, "\n") }

// GroupMembers answers whether someone may post to a group (group.Service).
type GroupMembers interface {
	IsMember(ctx context.Context, q db.Querier, orgID, groupID, userID int64) (bool, error)
}

// Config is what the service needs.
type Config struct {
	DB     *db.DB
	Notify *notify.Service
	// Groups decides who may post to a group (members of an active group);
	// without it, membership is read from group_members directly.
	Groups GroupMembers
	Now    func() time.Time
}

// Service runs the feed and the relay.
type Service struct {
	db     *db.DB
	notify *notify.Service
	groups GroupMembers
	now    func() time.Time
}

// New returns the feed service.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = db.Now
	}
	return &Service{db: c.DB, notify: c.Notify, groups: c.Groups, now: c.Now}
}

// postColumns selects a post, its author, its group, its reaction counts
// (kept on the row by triggers, migration 00019) and, as a bit mask in the
// order of Reactions, which kinds the viewer ($3) gave it.
var postColumns = `p.id, p.author_id, p.body, p.body_html, p.audience, COALESCE(p.audience_group_id, 0), COALESCE(g.name, ''), p.photos,
	COALESCE(p.relay_id, 0), p.comment_count, p.hidden_at IS NOT NULL, p.created_at,
	u.family_name, u.given_name, u.family_romaji, u.given_romaji, COALESCE(u.name_order_en = 'family_first', FALSE),
	` + reactionColumns() + `
	FROM posts p JOIN users u ON u.org_id = p.org_id AND u.id = p.author_id
	LEFT JOIN groups g ON g.org_id = p.org_id AND g.id = p.audience_group_id`

func reactionColumns() string {
	var counts, mask strings.Builder
	for i, k := range Reactions {
		fmt.Fprintf(&counts, "p.reactions_%s, ", k)
		fmt.Fprintf(&mask, " WHEN '%s' THEN %d", k, 1<<i)
	}
	return counts.String() + `(SELECT COALESCE(SUM(CASE r.kind` + mask.String() + ` END), 0) FROM post_reactions r
		WHERE r.org_id = p.org_id AND r.post_id = p.id AND r.user_id = $3)`
}

// postScanner reads rows of postColumns, reusing its scan buffers from row
// to row: a feed page scans twenty posts of 23 columns each, and fresh
// buffers per row were a quarter of the garbage a feed read made.
type postScanner struct {
	dest              []any
	html, aud, photos string
	counts            []int
	mine              int
}

func newPostScanner() *postScanner { return &postScanner{counts: make([]int, len(Reactions))} }

// scan reads one row into p, with its reaction counts in reactions (as long
// as Reactions).
func (ps *postScanner) scan(row interface{ Scan(...any) error }, p *Post, reactions []ReactionCount) error {
	n := &p.Author
	ps.dest = append(ps.dest[:0], &p.ID, &p.AuthorID, &p.Body, &ps.html, &ps.aud, &p.Audience.GroupID, &p.GroupName, &ps.photos, &p.RelayID,
		&p.CommentCount, &p.Hidden, &p.CreatedAt, &n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst)
	for i := range ps.counts {
		ps.dest = append(ps.dest, &ps.counts[i])
	}
	err := row.Scan(append(ps.dest, &ps.mine)...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	p.HTML = template.HTML(ps.html)
	p.Audience.Kind = audience.Kind(ps.aud)
	p.Photos = strings.Fields(ps.photos)
	for i, k := range Reactions {
		reactions[i] = ReactionCount{Kind: k, Emoji: Emoji[k], Count: ps.counts[i], Mine: ps.mine&(1<<i) != 0}
	}
	p.Reactions = reactions
	return nil
}

// ListOptions choose a page of the feed.
type ListOptions struct {
	Before  int64 // only posts with a smaller id (keyset pagination); 0: the newest
	GroupID int64 // only posts to this group; 0: all
	Limit   int
}

// List returns a page of the posts v may see, newest first, and the id to
// pass as Before for the next page (0 at the end). One query reads the
// posts with their authors, groups, counts and the viewer's own reactions.
func (s *Service) List(ctx context.Context, orgID int64, v Viewer, o ListOptions) ([]Post, int64, error) {
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = PageSize
	}
	q := `SELECT ` + postColumns + ` WHERE p.org_id = $1 AND ` + audience.SQL("p", "$1", "$2", "$3") +
		` AND (p.hidden_at IS NULL OR p.author_id = $3 OR $2 IN ('admin', 'supporter'))`
	args := []any{orgID, string(v.Role), v.UserID}
	if o.Before > 0 {
		args = append(args, o.Before)
		q += fmt.Sprintf(` AND p.id < $%d`, len(args))
	}
	if o.GroupID > 0 {
		args = append(args, o.GroupID)
		q += fmt.Sprintf(` AND p.audience_group_id = $%d`, len(args))
	}
	q += fmt.Sprintf(` ORDER BY p.id DESC LIMIT %d`, o.Limit+1)
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	// The query returns at most Limit+1 rows; the posts and their reaction
	// counts are each allocated once.
	posts := make([]Post, o.Limit+1)
	k := len(Reactions)
	reactions := make([]ReactionCount, k*len(posts))
	ps := newPostScanner()
	n := 0
	for ; rows.Next(); n++ {
		if err := ps.scan(rows, &posts[n], reactions[n*k:(n+1)*k:(n+1)*k]); err != nil {
			return nil, 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	posts = posts[:n]
	var next int64
	if len(posts) > o.Limit {
		posts = posts[:o.Limit]
		next = posts[len(posts)-1].ID
	}
	return posts, next, nil
}

// inGroup tells whether userID is a member (not pending) of groupID: who
// reads a group's posts, exactly as audience.SQL decides for lists.
func inGroup(ctx context.Context, q db.Querier, orgID, groupID, userID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3 AND state = 'member'`,
		orgID, groupID, userID).Scan(&n)
	return n > 0, err
}

// allows tells whether a member with role and userID sees p.
func allows(ctx context.Context, q db.Querier, orgID int64, p Post, userID int64, role org.Role) (bool, error) {
	if p.Hidden && !role.Staff() && p.AuthorID != userID {
		return false, nil
	}
	member := false
	if p.Audience.Kind == audience.Group && !role.Staff() {
		var err error
		if member, err = inGroup(ctx, q, orgID, p.Audience.GroupID, userID); err != nil {
			return false, err
		}
	}
	return p.Audience.Allows(role, member), nil
}

// get returns a post of orgID if v may see it, within q.
func (s *Service) get(ctx context.Context, q db.Querier, orgID int64, v Viewer, id int64) (Post, error) {
	var p Post
	err := newPostScanner().scan(q.QueryRowContext(ctx, `SELECT `+postColumns+` WHERE p.org_id = $1 AND p.id = $2`, orgID, id, v.UserID),
		&p, make([]ReactionCount, len(Reactions)))
	if err != nil {
		return p, err
	}
	ok, err := allows(ctx, q, orgID, p, v.UserID, v.Role)
	if err != nil {
		return p, err
	}
	if !ok {
		return Post{}, ErrNotFound
	}
	return p, nil
}

// Get returns one post that v may see, with its reactions.
func (s *Service) Get(ctx context.Context, orgID int64, v Viewer, id int64) (Post, error) {
	return s.get(ctx, s.db.Read(), orgID, v, id)
}

// Comments returns a post's comments, oldest first. The caller has checked
// that the viewer sees the post (Get).
func (s *Service) Comments(ctx context.Context, orgID, postID int64) ([]Comment, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT c.id, c.author_id, c.body, c.created_at,
		u.family_name, u.given_name, u.family_romaji, u.given_romaji, COALESCE(u.name_order_en = 'family_first', FALSE)
		FROM post_comments c JOIN users u ON u.org_id = c.org_id AND u.id = c.author_id
		WHERE c.org_id = $1 AND c.post_id = $2 ORDER BY c.id`, orgID, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		n := &c.Author
		if err := rows.Scan(&c.ID, &c.AuthorID, &c.Body, &c.CreatedAt, &n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// NewPost is what a member submits.
type NewPost struct {
	Body     string
	Audience audience.Audience
	Photos   []string // photo store keys, already saved
}

func checkLength(field, body string, max int) Errors {
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return Errors{{Field: field, Key: "feed.error.empty"}}
	case n > max:
		return Errors{{Field: field, Key: "feed.error.too_long", Args: []any{"max", max, "count", n}}}
	}
	return nil
}

// Create writes a post by v and notifies the members it mentions who can
// see it. Validation problems come back as Errors; nothing is written then.
func (s *Service) Create(ctx context.Context, o org.Organization, v Viewer, in NewPost) (int64, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		var err error
		id, err = s.create(ctx, tx, o, v, in, 0)
		return err
	})
	return id, err
}

func (s *Service) create(ctx context.Context, tx db.Querier, o org.Organization, v Viewer, in NewPost, relayID int64) (int64, error) {
	in.Body = form.Text(in.Body)
	errs := checkLength("body", in.Body, MaxPostLen)
	if err := in.Audience.Validate(); err != nil {
		errs = append(errs, FieldError{Field: "audience", Key: "feed.error.audience"})
	} else if in.Audience.Kind == audience.Group {
		// Writing needs membership of an active group (group.Service).
		check := inGroup
		if s.groups != nil {
			check = s.groups.IsMember
		}
		ok, err := check(ctx, tx, o.ID, in.Audience.GroupID, v.UserID)
		if err != nil {
			return 0, err
		}
		if !ok {
			errs = append(errs, FieldError{Field: "audience", Key: "feed.error.not_in_group"})
		}
	}
	if len(in.Photos) > MaxPhotos {
		errs = append(errs, FieldError{Field: "photos", Key: "feed.error.too_many_photos", Args: []any{"max", MaxPhotos}})
	}
	if len(errs) > 0 {
		return 0, errs
	}
	var group any
	if in.Audience.Kind == audience.Group {
		group = in.Audience.GroupID
	}
	var relay any
	if relayID > 0 {
		relay = relayID
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO posts (org_id, author_id, body, body_html, audience, audience_group_id, photos, relay_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		o.ID, v.UserID, in.Body, string(RenderPost(o.Slug, in.Body)), string(in.Audience.Kind), group, strings.Join(in.Photos, " "), relay, s.now()).Scan(&id)
	if err != nil {
		return 0, err
	}
	p := Post{ID: id, AuthorID: v.UserID, Audience: in.Audience}
	mentioned := Mentions(in.Body)
	if len(mentioned) > MaxMentions {
		mentioned = mentioned[:MaxMentions]
	}
	for _, uid := range mentioned {
		role, _, err := memberRole(ctx, tx, o.ID, uid)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		ok, err := allows(ctx, tx, o.ID, p, uid, role)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: uid, ActorID: v.UserID, Kind: "feed.mention",
			Category: notify.Mentions, Args: actorArgs(ctx, tx, o.ID, v.UserID), Link: fmt.Sprintf("/feed/posts/%d", id)}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// memberRole returns the current role of an active member and whether they
// have ever got in.
func memberRole(ctx context.Context, q db.Querier, orgID, userID int64) (org.Role, bool, error) {
	var role string
	var activated bool
	err := q.QueryRowContext(ctx, `SELECT m.role, u.activated_at IS NOT NULL FROM memberships m JOIN users u ON u.org_id = m.org_id AND u.id = m.user_id
		WHERE m.org_id = $1 AND m.user_id = $2 AND m.ended_at IS NULL`, orgID, userID).Scan(&role, &activated)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, ErrNotFound
	}
	return org.Role(role), activated, err
}

// actorArgs name the member who caused a notification, in each reader's
// language (notify.NameArgs).
func actorArgs(ctx context.Context, q db.Querier, orgID, userID int64) map[string]string {
	var n org.Name
	_ = q.QueryRowContext(ctx, `SELECT family_name, given_name, family_romaji, given_romaji, COALESCE(name_order_en = 'family_first', FALSE)
		FROM users WHERE org_id = $1 AND id = $2`, orgID, userID).Scan(&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst)
	return notify.NameArgs(n)
}

// AddComment writes a comment by v on a post v sees and notifies the post's author.
func (s *Service) AddComment(ctx context.Context, o org.Organization, v Viewer, postID int64, body string) (int64, error) {
	body = form.Text(body)
	if errs := checkLength("comment", body, MaxCommentLen); errs != nil {
		return 0, errs
	}
	var id int64
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		p, err := s.get(ctx, tx, o.ID, v, postID)
		if err != nil {
			return err
		}
		if p.Hidden {
			return ErrHidden
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO post_comments (org_id, post_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			o.ID, postID, v.UserID, body, s.now()).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET comment_count = comment_count + 1 WHERE org_id = $1 AND id = $2`, o.ID, postID); err != nil {
			return err
		}
		return s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: p.AuthorID, ActorID: v.UserID, Kind: "feed.comment",
			Category: notify.Comments, Args: actorArgs(ctx, tx, o.ID, v.UserID), Link: fmt.Sprintf("/feed/posts/%d#c-%d", postID, id)})
	})
	return id, err
}

// React toggles v's reaction of kind on a post: added reports whether it is
// now there. One of each kind per member per post.
func (s *Service) React(ctx context.Context, o org.Organization, v Viewer, postID int64, kind string) (added bool, err error) {
	if _, ok := Emoji[kind]; !ok {
		return false, Errors{{Field: "kind", Key: "feed.error.reaction"}}
	}
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		p, err := s.get(ctx, tx, o.ID, v, postID)
		if err != nil {
			return err
		}
		if p.Hidden {
			return ErrHidden
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM post_reactions WHERE org_id = $1 AND post_id = $2 AND user_id = $3 AND kind = $4`, o.ID, postID, v.UserID, kind)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_reactions (org_id, post_id, user_id, kind, created_at) VALUES ($1, $2, $3, $4, $5)`,
			o.ID, postID, v.UserID, kind, s.now()); err != nil {
			return err
		}
		added = true
		args := actorArgs(ctx, tx, o.ID, v.UserID)
		args["emoji"] = Emoji[kind]
		return s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: p.AuthorID, ActorID: v.UserID, Kind: "feed.reaction",
			Category: notify.Reactions, Args: args, Link: fmt.Sprintf("/feed/posts/%d", postID)})
	})
	return added, err
}

// Report records v's report of a post they see.
func (s *Service) Report(ctx context.Context, o org.Organization, v Viewer, postID int64, reason string) error {
	reason = form.Text(reason)
	if errs := checkLength("reason", reason, MaxReasonLen); errs != nil {
		return errs
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := s.get(ctx, tx, o.ID, v, postID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM post_reports WHERE org_id = $1 AND post_id = $2 AND reporter_id = $3`, o.ID, postID, v.UserID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyReported
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_reports (org_id, post_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4, $5)`,
			o.ID, postID, v.UserID, reason, s.now()); err != nil {
			return err
		}
		return s.notifyStaff(ctx, tx, o.ID, v.UserID)
	})
}

// notifyStaff tells admins and supporters that a post was reported. The
// reporter is not named: the queue shows who reported to staff who open it.
func (s *Service) notifyStaff(ctx context.Context, tx db.Querier, orgID, reporterID int64) error {
	staff, err := org.ActiveIDs(ctx, tx, orgID, org.Admin, org.Supporter)
	if err != nil {
		return err
	}
	for _, id := range staff {
		if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, UserID: id, ActorID: reporterID, Kind: "feed.reported",
			Category: notify.Staff, Link: "/admin/feed/reports"}); err != nil {
			return err
		}
	}
	return nil
}

// Report is an open report for staff.
type Report struct {
	ID       int64
	PostID   int64
	Reporter org.Name
	Reason   string
	Hidden   bool
	Excerpt  string
	At       time.Time
}

// OpenReports lists reports not yet dealt with, oldest first.
func (s *Service) OpenReports(ctx context.Context, orgID int64) ([]Report, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT r.id, r.post_id, r.reason, r.created_at, p.hidden_at IS NOT NULL, p.body,
		u.family_name, u.given_name, u.family_romaji, u.given_romaji, COALESCE(u.name_order_en = 'family_first', FALSE)
		FROM post_reports r JOIN posts p ON p.org_id = r.org_id AND p.id = r.post_id
		JOIN users u ON u.org_id = r.org_id AND u.id = r.reporter_id
		WHERE r.org_id = $1 AND r.resolved_at IS NULL ORDER BY r.id LIMIT 500`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		var r Report
		n := &r.Reporter
		if err := rows.Scan(&r.ID, &r.PostID, &r.Reason, &r.At, &r.Hidden, &r.Excerpt, &n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst); err != nil {
			return nil, err
		}
		if rs := []rune(r.Excerpt); len(rs) > 120 {
			r.Excerpt = string(rs[:120]) + "…"
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountOpenReports counts reports waiting for staff.
func (s *Service) CountOpenReports(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM post_reports WHERE org_id = $1 AND resolved_at IS NULL`, orgID).Scan(&n)
	return n, err
}

// SetHidden hides or shows a post again; staff only, audited. Either way the
// post's open reports are resolved.
func (s *Service) SetHidden(ctx context.Context, o org.Organization, actor Viewer, postID int64, hide bool) error {
	if !actor.Role.Staff() {
		return ErrNotFound
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		p, err := s.get(ctx, tx, o.ID, actor, postID)
		if err != nil {
			return err
		}
		now := s.now()
		action := "feed.post_unhidden"
		if hide {
			action = "feed.post_hidden"
			_, err = tx.ExecContext(ctx, `UPDATE posts SET hidden_at = $3, hidden_by = $4 WHERE org_id = $1 AND id = $2`, o.ID, postID, now, actor.UserID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE posts SET hidden_at = NULL, hidden_by = NULL WHERE org_id = $1 AND id = $2`, o.ID, postID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE post_reports SET resolved_at = $3 WHERE org_id = $1 AND post_id = $2 AND resolved_at IS NULL`, o.ID, postID, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, Action: action, Target: fmt.Sprintf("post:%d", postID), IP: actor.IP,
			Detail: map[string]string{"author": fmt.Sprint(p.AuthorID)}})
	})
}

// DismissReports resolves a post's open reports without hiding it; audited.
func (s *Service) DismissReports(ctx context.Context, o org.Organization, actor Viewer, postID int64) error {
	if !actor.Role.Staff() {
		return ErrNotFound
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := s.get(ctx, tx, o.ID, actor, postID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE post_reports SET resolved_at = $3 WHERE org_id = $1 AND post_id = $2 AND resolved_at IS NULL`, o.ID, postID, s.now()); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, Action: "feed.reports_dismissed", Target: fmt.Sprintf("post:%d", postID), IP: actor.IP})
	})
}

// Group is a group a member may post to.
type Group struct {
	ID   int64
	Name string
}

// PostableGroups lists the active groups userID is a member of: the groups
// Create accepts from them. (group.Service.PostableGroups also offers staff
// every group; posting to a group here needs membership, staff included.)
func (s *Service) PostableGroups(ctx context.Context, orgID, userID int64) ([]Group, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT g.id, g.name FROM groups g JOIN group_members gm ON gm.org_id = g.org_id AND gm.group_id = g.id
		WHERE g.org_id = $1 AND gm.user_id = $2 AND gm.state = 'member' AND g.archived_at IS NULL ORDER BY g.name`, orgID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Candidate is a member the mention picker offers.
type Candidate struct {
	UserID int64
	Name   org.Name
}

// SearchMembers finds up to 10 activated members whose name (kanji, kana or
// romaji) contains q, for the mention and relay pickers. Email addresses are
// not searched: a picker must not let members fish for addresses.
func (s *Service) SearchMembers(ctx context.Context, orgID int64, q string) ([]Candidate, error) {
	q = strings.TrimSpace(q)
	if q == "" || utf8.RuneCountInString(q) > 50 {
		return nil, nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
	rows, err := s.db.Read().QueryContext(ctx, `SELECT u.id, u.family_name, u.given_name, u.family_romaji, u.given_romaji, COALESCE(u.name_order_en = 'family_first', FALSE)
		FROM users u JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.org_id = $1 AND u.activated_at IS NOT NULL AND (
			u.family_name || u.given_name LIKE $2 ESCAPE '\' OR u.family_name || ' ' || u.given_name LIKE $2 ESCAPE '\'
			OR u.family_kana || u.given_kana LIKE $2 ESCAPE '\'
			OR LOWER(u.given_romaji || ' ' || u.family_romaji) LIKE $2 ESCAPE '\' OR LOWER(u.family_romaji || ' ' || u.given_romaji) LIKE $2 ESCAPE '\')
		ORDER BY u.family_kana, u.given_kana, u.id LIMIT 10`, orgID, like)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		n := &c.Name
		if err := rows.Scan(&c.UserID, &n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
