package breakout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Errors of the service.
var (
	ErrNotFound     = errors.New("breakout: not found")
	ErrNoPlan       = errors.New("breakout: no groups yet")
	ErrNoPeople     = errors.New("breakout: no participants")
	ErrNameTooLong  = errors.New("breakout: group name too long")
	ErrNotPublished = errors.New("breakout: not published")
)

// MaxNameLen bounds a group's name in characters.
const MaxNameLen = 50

// JoinedBand is the five-year band of a joined year, the age proxy: we
// hold no birth years, and people who joined together tend to be of an age.
func JoinedBand(year int) string {
	if year <= 0 {
		return ""
	}
	from := year - year%5
	return fmt.Sprintf("%d-%d", from, from+4)
}

// Member is one participant as the organizer and the group see them.
type Member struct {
	UserID     int64
	Name       org.Name
	Industry   string
	LeftYear   int
	JoinedYear int
}

// Group is one breakout group.
type Group struct {
	Number  int
	Name    string
	Members []Member
}

// Plan is an event's breakout groups as the organizer works on them.
type Plan struct {
	EventID       int64
	Size          int
	Mode          Mode
	OnlyCheckedIn bool
	PublishedAt   time.Time // zero until published
	UpdatedAt     time.Time
	Groups        []Group
	Unassigned    []Member // registered since the groups were made
}

// Actor is the organizer.
type Actor struct {
	UserID int64
	Role   org.Role // decides which profile attributes they may group by
	Email  string
	IP     string
}

func (a Actor) viewer() member.Viewer { return member.Viewer{UserID: a.UserID, Role: a.Role} }

// Service stores, adjusts and publishes breakout groups.
type Service struct {
	db     *db.DB
	notify *notify.Service
	now    func() time.Time
}

// New returns a Service on the injected clock.
func New(d *db.DB, n *notify.Service, now func() time.Time) *Service {
	if now == nil {
		now = db.Now
	}
	return &Service{db: d, notify: n, now: now}
}

const memberColumns = `u.id, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji,
	u.name_order_en = 'family_first', COALESCE(p.industry, ''), COALESCE(p.left_year, 0), COALESCE(p.joined_year, 0),
	COALESCE(p.vis_work, 'members'), COALESCE(p.vis_years, 'members')`

// scanMember reads a participant, keeping only the attributes viewer may
// see on their profile: an organizer who is not an admin neither sees nor
// groups by a field its owner showed to admins only.
func scanMember(rows *sql.Rows, viewer member.Viewer) (Member, error) {
	var m Member
	var visWork, visYears member.Visibility
	if err := rows.Scan(&m.UserID, &m.Name.Family, &m.Name.Given, &m.Name.FamilyKana, &m.Name.GivenKana, &m.Name.FamilyRomaji,
		&m.Name.GivenRomaji, &m.Name.EnglishFamilyFirst, &m.Industry, &m.LeftYear, &m.JoinedYear, &visWork, &visYears); err != nil {
		return m, err
	}
	p := member.Profile{UserID: m.UserID, Visibility: map[string]member.Visibility{member.FieldWork: visWork, member.FieldYears: visYears}}
	if !p.Visible(viewer, member.FieldWork) {
		m.Industry = ""
	}
	if !p.Visible(viewer, member.FieldYears) {
		m.LeftYear, m.JoinedYear = 0, 0
	}
	return m, nil
}

// participants are the event's confirmed participants, optionally only
// those already checked in.
func participants(ctx context.Context, q db.Querier, orgID, eventID int64, onlyCheckedIn bool, viewer member.Viewer) ([]Member, error) {
	cond := ""
	if onlyCheckedIn {
		cond = " AND r.checked_in_at IS NOT NULL"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+memberColumns+` FROM event_registrations r
		JOIN users u ON u.org_id = r.org_id AND u.id = r.user_id
		LEFT JOIN profiles p ON p.org_id = r.org_id AND p.user_id = r.user_id
		WHERE r.org_id = $1 AND r.event_id = $2 AND r.status = 'registered'`+cond+` ORDER BY u.id`, orgID, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows, viewer)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (m Member) person() Person {
	p := Person{UserID: m.UserID}
	p.Attrs[0] = m.Industry
	if m.LeftYear > 0 {
		p.Attrs[1] = strconv.Itoa(m.LeftYear)
	}
	p.Attrs[2] = JoinedBand(m.JoinedYear)
	return p
}

// Generate replaces the working groups of eventID with a new assignment of
// its participants in groups of size by mode. What participants see does
// not change until Publish.
func (s *Service) Generate(ctx context.Context, orgID, eventID int64, size int, mode Mode, onlyCheckedIn bool, by Actor) error {
	if size < MinSize || size > MaxSize {
		return ErrSize
	}
	if !mode.Valid() {
		return ErrMode
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		people, err := participants(ctx, tx, orgID, eventID, onlyCheckedIn, by.viewer())
		if err != nil {
			return err
		}
		if len(people) == 0 {
			return ErrNoPeople
		}
		var seed int64
		err = tx.QueryRowContext(ctx, `SELECT seed FROM event_breakouts WHERE org_id = $1 AND event_id = $2`, orgID, eventID).Scan(&seed)
		if errors.Is(err, sql.ErrNoRows) {
			seed = eventID * 1000
		} else if err != nil {
			return err
		}
		// A new seed each time: asking again gives a different, equally good answer.
		seed++
		persons := make([]Person, len(people))
		for i, m := range people {
			persons[i] = m.person()
		}
		groups, err := Assign(persons, size, mode, uint64(seed))
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_breakouts (org_id, event_id, group_size, mode, only_checked_in, seed, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (org_id, event_id) DO UPDATE SET group_size = $3, mode = $4, only_checked_in = $5, seed = $6, updated_at = $7, updated_by = $8`,
			orgID, eventID, size, string(mode), onlyCheckedIn, seed, now, by.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_breakout_members WHERE org_id = $1 AND event_id = $2`, orgID, eventID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_breakout_groups WHERE org_id = $1 AND event_id = $2`, orgID, eventID); err != nil {
			return err
		}
		for g, members := range groups {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_breakout_groups (org_id, event_id, number, name) VALUES ($1, $2, $3, '')`,
				orgID, eventID, g+1); err != nil {
				return err
			}
			for _, i := range members {
				if _, err := tx.ExecContext(ctx, `INSERT INTO event_breakout_members (org_id, event_id, user_id, number) VALUES ($1, $2, $3, $4)`,
					orgID, eventID, people[i].UserID, g+1); err != nil {
					return err
				}
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, Action: "breakout.generated",
			Target: fmt.Sprintf("event:%d", eventID), IP: by.IP,
			Detail: map[string]string{"size": strconv.Itoa(size), "mode": string(mode), "people": strconv.Itoa(len(people)), "groups": strconv.Itoa(len(groups))}})
	})
}

// Plan returns eventID's working groups, or ErrNoPlan. People who
// cancelled since are left out; people who registered since are listed as
// unassigned.
func (s *Service) Plan(ctx context.Context, orgID, eventID int64, viewer Actor) (Plan, error) {
	q := s.db.Read()
	p := Plan{EventID: eventID}
	var mode string
	var published sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT group_size, mode, only_checked_in, published_at, updated_at FROM event_breakouts
		WHERE org_id = $1 AND event_id = $2`, orgID, eventID).Scan(&p.Size, &mode, &p.OnlyCheckedIn, &published, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNoPlan
	}
	if err != nil {
		return p, err
	}
	p.Mode = Mode(mode)
	if published.Valid {
		p.PublishedAt = published.Time
	}
	rows, err := q.QueryContext(ctx, `SELECT number, name FROM event_breakout_groups WHERE org_id = $1 AND event_id = $2 ORDER BY number`, orgID, eventID)
	if err != nil {
		return p, err
	}
	index := map[int]int{}
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.Number, &g.Name); err != nil {
			rows.Close()
			return p, err
		}
		index[g.Number] = len(p.Groups)
		p.Groups = append(p.Groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	people, err := participants(ctx, q, orgID, eventID, false, viewer.viewer())
	if err != nil {
		return p, err
	}
	placed := map[int64]int{}
	rows, err = q.QueryContext(ctx, `SELECT user_id, number FROM event_breakout_members WHERE org_id = $1 AND event_id = $2`, orgID, eventID)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var uid int64
		var n int
		if err := rows.Scan(&uid, &n); err != nil {
			rows.Close()
			return p, err
		}
		placed[uid] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	for _, m := range people {
		if n, ok := placed[m.UserID]; ok {
			g := &p.Groups[index[n]]
			g.Members = append(g.Members, m)
		} else {
			p.Unassigned = append(p.Unassigned, m)
		}
	}
	return p, nil
}

// Move puts userID, a confirmed participant, into group number of eventID's
// working groups.
func (s *Service) Move(ctx context.Context, orgID, eventID, userID int64, number int, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_breakout_groups WHERE org_id = $1 AND event_id = $2 AND number = $3`,
			orgID, eventID, number).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_registrations WHERE org_id = $1 AND event_id = $2 AND user_id = $3 AND status = 'registered'`,
			orgID, eventID, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_breakout_members (org_id, event_id, user_id, number) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id, event_id, user_id) DO UPDATE SET number = $4`, orgID, eventID, userID, number); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_breakouts SET updated_at = $1, updated_by = $2 WHERE org_id = $3 AND event_id = $4`,
			s.now(), by.UserID, orgID, eventID); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, Action: "breakout.moved",
			Target: fmt.Sprintf("event:%d", eventID), IP: by.IP, Detail: map[string]string{"user": strconv.FormatInt(userID, 10), "group": strconv.Itoa(number)}})
	})
}

// Rename names the working groups; names maps a group number to its name
// (empty: shown as "Group N").
func (s *Service) Rename(ctx context.Context, orgID, eventID int64, names map[int]string, by Actor) error {
	clean := make(map[int]string, len(names))
	for n, name := range names {
		name = strings.TrimSpace(name)
		if utf8.RuneCountInString(name) > MaxNameLen {
			return ErrNameTooLong
		}
		clean[n] = name
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		for n, name := range clean {
			if _, err := tx.ExecContext(ctx, `UPDATE event_breakout_groups SET name = $1 WHERE org_id = $2 AND event_id = $3 AND number = $4`,
				name, orgID, eventID, n); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, Action: "breakout.named",
			Target: fmt.Sprintf("event:%d", eventID), IP: by.IP, Detail: map[string]string{"groups": strconv.Itoa(len(names))}})
	})
}

// signature identifies what a participant is told: their group's name and
// who is in it. A change to either is news to them.
func signature(name string, members []int64) string {
	sort.Slice(members, func(i, j int) bool { return members[i] < members[j] })
	return name + "\x00" + fmt.Sprint(members)
}

// Publish shows the working groups to their members and notifies those
// whose group is new or changed since the last publishing. People not in
// a group (unassigned) see nothing. It returns how many were notified.
func (s *Service) Publish(ctx context.Context, orgID, eventID int64, eventTitle string, by Actor) (int, error) {
	p, err := s.Plan(ctx, orgID, eventID, by)
	if err != nil {
		return 0, err
	}
	notified := 0
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		before := map[int64]string{}
		groupsBefore := map[int][]int64{}
		namesBefore := map[int]string{}
		userGroup := map[int64]int{}
		rows, err := tx.QueryContext(ctx, `SELECT user_id, number, group_name FROM event_breakout_published WHERE org_id = $1 AND event_id = $2`, orgID, eventID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var uid int64
			var n int
			var name string
			if err := rows.Scan(&uid, &n, &name); err != nil {
				rows.Close()
				return err
			}
			groupsBefore[n] = append(groupsBefore[n], uid)
			namesBefore[n] = name
			userGroup[uid] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for uid, n := range userGroup {
			before[uid] = signature(namesBefore[n], append([]int64(nil), groupsBefore[n]...))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_breakout_published WHERE org_id = $1 AND event_id = $2`, orgID, eventID); err != nil {
			return err
		}
		now := s.now()
		for _, g := range p.Groups {
			ids := make([]int64, len(g.Members))
			for i, m := range g.Members {
				ids[i] = m.UserID
			}
			sig := signature(g.Name, append([]int64(nil), ids...))
			for _, m := range g.Members {
				if _, err := tx.ExecContext(ctx, `INSERT INTO event_breakout_published (org_id, event_id, user_id, number, group_name) VALUES ($1, $2, $3, $4, $5)`,
					orgID, eventID, m.UserID, g.Number, g.Name); err != nil {
					return err
				}
				if before[m.UserID] == sig {
					continue
				}
				if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, UserID: m.UserID, ActorID: by.UserID, Kind: "breakout_published",
					Category: notify.Events, Args: map[string]string{"event": eventTitle}, Link: fmt.Sprintf("/events/%d/ticket", eventID)}); err != nil {
					return err
				}
				notified++
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_breakouts SET published_at = $1, updated_by = $2 WHERE org_id = $3 AND event_id = $4`,
			now, by.UserID, orgID, eventID); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, Action: "breakout.published",
			Target: fmt.Sprintf("event:%d", eventID), IP: by.IP, Detail: map[string]string{"groups": strconv.Itoa(len(p.Groups)), "notified": strconv.Itoa(notified)}})
	})
	return notified, err
}

// MyGroup returns the published group of userID at eventID, or
// ErrNotPublished when they are in none. Only a confirmed participant has
// one: a cancelled registration hides it.
func (s *Service) MyGroup(ctx context.Context, orgID, eventID, userID int64) (Group, error) {
	q := s.db.Read()
	var g Group
	err := q.QueryRowContext(ctx, `SELECT b.number, b.group_name FROM event_breakout_published b
		JOIN event_registrations r ON r.org_id = b.org_id AND r.event_id = b.event_id AND r.user_id = b.user_id AND r.status = 'registered'
		WHERE b.org_id = $1 AND b.event_id = $2 AND b.user_id = $3`, orgID, eventID, userID).Scan(&g.Number, &g.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotPublished
	}
	if err != nil {
		return g, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+memberColumns+` FROM event_breakout_published b
		JOIN event_registrations r ON r.org_id = b.org_id AND r.event_id = b.event_id AND r.user_id = b.user_id AND r.status = 'registered'
		JOIN users u ON u.org_id = b.org_id AND u.id = b.user_id
		LEFT JOIN profiles p ON p.org_id = b.org_id AND p.user_id = b.user_id
		WHERE b.org_id = $1 AND b.event_id = $2 AND b.number = $3 ORDER BY u.id`, orgID, eventID, g.Number)
	if err != nil {
		return g, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMember(rows, member.Viewer{UserID: userID, Role: org.Alumni})
		if err != nil {
			return g, err
		}
		// Group mates see names only: the attributes were the organizer's tool.
		g.Members = append(g.Members, Member{UserID: m.UserID, Name: m.Name})
	}
	return g, rows.Err()
}
