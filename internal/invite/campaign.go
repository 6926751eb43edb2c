package invite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// Limits of the campaign form.
const (
	MaxNameLen   = 100
	MaxIntroLen  = 2000
	MaxDeptLen   = 100
	MaxEmailRows = 10000
	MinYear      = 1900
	MaxYear      = 2200
)

// Campaign states.
const (
	StateDraft   = "draft"
	StateSending = "sending"
	StateSent    = "sent"
)

// CampaignInput is what HR fills in.
type CampaignInput struct {
	Name       string
	Intro      string
	Lang       string // for recipients without a saved language
	Leavers    bool   // every past leaver (alumni) not yet joined
	LeftFrom   int    // 0: no lower bound
	LeftTo     int    // 0: no upper bound
	Department string
	Emails     string // pasted: one per line, "email" or "email, family name, given name"
}

// Problem is one problem with a form field (form.Problem).
type Problem = form.Problem

// Problems are all the problems of one form; nothing was written (form.Problems).
type Problems = form.Problems

type pasted struct {
	email, lower  string
	family, given string
}

// parseEmails reads the pasted list. Every bad line is reported by number.
func parseEmails(text string) ([]pasted, Problems) {
	var out []pasted
	var probs Problems
	seen := map[string]bool{}
	var bad []string
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	n := 0
	for i, line := range lines {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" {
			continue
		}
		n++
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '\t' || r == '，' })
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		addr, lower, err := org.NormalizeEmail(fields[0])
		if err != nil || len(fields) > 3 {
			bad = append(bad, fmt.Sprint(i+1))
			continue
		}
		p := pasted{email: addr, lower: lower}
		if len(fields) > 1 {
			p.family = fields[1]
		}
		if len(fields) > 2 {
			p.given = fields[2]
		}
		if utf8.RuneCountInString(p.family) > org.MaxNameLen || utf8.RuneCountInString(p.given) > org.MaxNameLen {
			bad = append(bad, fmt.Sprint(i+1))
			continue
		}
		if seen[lower] {
			continue
		}
		seen[lower] = true
		out = append(out, p)
	}
	if n > MaxEmailRows {
		probs = append(probs, Problem{Field: "emails", Key: "invite.campaign.err_too_many", Args: []any{"max", MaxEmailRows}})
	}
	if len(bad) > 0 {
		if len(bad) > 20 {
			bad = append(bad[:20], "…")
		}
		probs = append(probs, Problem{Field: "emails", Key: "invite.campaign.err_emails", Args: []any{"lines", strings.Join(bad, ", ")}})
	}
	return out, probs
}

// validate trims and checks a campaign form and returns its pasted list.
func (in *CampaignInput) validate() ([]pasted, Problems) {
	var probs Problems
	in.Name, in.Intro, in.Department = strings.TrimSpace(in.Name), strings.TrimSpace(in.Intro), strings.TrimSpace(in.Department)
	switch {
	case in.Name == "":
		probs = append(probs, Problem{Field: "name", Key: "form.required"})
	case utf8.RuneCountInString(in.Name) > MaxNameLen:
		probs = append(probs, Problem{Field: "name", Key: "form.too_long", Args: []any{"max", MaxNameLen}})
	}
	if utf8.RuneCountInString(in.Intro) > MaxIntroLen {
		probs = append(probs, Problem{Field: "intro", Key: "form.too_long", Args: []any{"max", MaxIntroLen}})
	}
	if in.Lang != "ja" && in.Lang != "en" {
		probs = append(probs, Problem{Field: "lang", Key: "form.choose"})
	}
	for field, y := range map[string]int{"left_from": in.LeftFrom, "left_to": in.LeftTo} {
		if y != 0 && (y < MinYear || y > MaxYear) {
			probs = append(probs, Problem{Field: field, Key: "invite.campaign.err_year", Args: []any{"min", MinYear, "max", MaxYear}})
		}
	}
	if in.LeftFrom != 0 && in.LeftTo != 0 && in.LeftFrom > in.LeftTo {
		probs = append(probs, Problem{Field: "left_to", Key: "invite.campaign.err_year_order"})
	}
	if utf8.RuneCountInString(in.Department) > MaxDeptLen {
		probs = append(probs, Problem{Field: "department", Key: "form.too_long", Args: []any{"max", MaxDeptLen}})
	}
	list, listProbs := parseEmails(in.Emails)
	probs = append(probs, listProbs...)
	if !in.Leavers && strings.TrimSpace(in.Emails) == "" {
		probs = append(probs, Problem{Field: "audience", Key: "invite.campaign.err_audience"})
	}
	if !in.Leavers && (in.LeftFrom != 0 || in.LeftTo != 0 || in.Department != "") {
		probs = append(probs, Problem{Field: "audience", Key: "invite.campaign.err_filter_without_leavers"})
	}
	return list, probs
}

// Campaign is a stored campaign.
type Campaign struct {
	ID         int64
	OrgID      int64
	Name       string
	Intro      string
	Lang       string
	Leavers    bool
	LeftFrom   int
	LeftTo     int
	Department string
	State      string
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Pasted     int // addresses in the pasted list
}

// CreateCampaign stores a draft campaign; nothing is sent until Start.
func (s *Service) CreateCampaign(ctx context.Context, o org.Organization, actor org.Member, in CampaignInput, c auth.Client) (int64, error) {
	list, probs := in.validate()
	if len(probs) > 0 {
		return 0, probs
	}
	now := s.now()
	var id int64
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO invite_campaigns (org_id, name, intro, lang, leavers, left_from, left_to, department, state, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			o.ID, in.Name, in.Intro, in.Lang, in.Leavers, in.LeftFrom, in.LeftTo, in.Department, StateDraft, actor.UserID, now).Scan(&id); err != nil {
			return err
		}
		for _, p := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO invite_campaign_emails (org_id, campaign_id, email_lower, email, family_name, given_name, user_id)
				VALUES ($1, $2, $3, $4, $5, $6, (SELECT id FROM users WHERE org_id = $1 AND email_lower = $3))`,
				o.ID, id, p.lower, p.email, p.family, p.given); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "invite.campaign_created",
			Target: fmt.Sprintf("invite_campaign:%d", id), IP: c.IP, Detail: map[string]string{"name": in.Name, "pasted": fmt.Sprint(len(list))}})
	})
	return id, err
}

const campaignSelect = `SELECT c.id, c.org_id, c.name, c.intro, c.lang, c.leavers, c.left_from, c.left_to, c.department, c.state, c.created_at,
	c.started_at, c.finished_at, (SELECT COUNT(*) FROM invite_campaign_emails e WHERE e.org_id = c.org_id AND e.campaign_id = c.id)
	FROM invite_campaigns c`

func scanCampaign(row interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var started, finished sql.NullTime
	err := row.Scan(&c.ID, &c.OrgID, &c.Name, &c.Intro, &c.Lang, &c.Leavers, &c.LeftFrom, &c.LeftTo, &c.Department, &c.State, &c.CreatedAt,
		&started, &finished, &c.Pasted)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.StartedAt, c.FinishedAt = started.Time, finished.Time
	return c, err
}

// Campaign returns one of the organization's campaigns.
func (s *Service) Campaign(ctx context.Context, orgID, id int64) (Campaign, error) {
	return scanCampaign(s.db.Read().QueryRowContext(ctx, campaignSelect+` WHERE c.org_id = $1 AND c.id = $2`, orgID, id))
}

// CampaignRow is a campaign with its funnel, for the list.
type CampaignRow struct {
	Campaign
	Funnel Funnel
}

// Campaigns lists the organization's campaigns, newest first.
func (s *Service) Campaigns(ctx context.Context, orgID int64) ([]CampaignRow, error) {
	rows, err := s.db.Read().QueryContext(ctx, campaignSelect+` WHERE c.org_id = $1 ORDER BY c.id DESC LIMIT 200`, orgID)
	if err != nil {
		return nil, err
	}
	var out []CampaignRow
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, CampaignRow{Campaign: c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// Every campaign's funnel in one query, not one query per campaign.
	rows, err = s.db.Read().QueryContext(ctx, `SELECT i.campaign_id, `+funnelFrom+` AND i.campaign_id IS NOT NULL GROUP BY i.campaign_id`,
		orgID, s.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	funnels := map[int64]Funnel{}
	for rows.Next() {
		var id int64
		var f Funnel
		if err := rows.Scan(&id, &f.Sent, &f.Delivered, &f.Opened, &f.Clicked, &f.Joined, &f.Expired); err != nil {
			return nil, err
		}
		funnels[id] = f
	}
	for i := range out {
		out[i].Funnel = funnels[out[i].ID]
	}
	return out, rows.Err()
}

// audience selects the people a campaign invites and has not invited yet:
// current members never activated, who are past leavers matching the
// filters or on the pasted list. $1 org, $2 campaign.
const audience = `FROM users u
	JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
	JOIN invite_campaigns c ON c.org_id = u.org_id AND c.id = $2
	LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
	LEFT JOIN member_internal mi ON mi.org_id = u.org_id AND mi.user_id = u.id
	WHERE u.org_id = $1 AND u.activated_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.org_id = u.org_id AND i.campaign_id = c.id AND i.user_id = u.id)
	AND (
		(c.leavers AND m.role = 'alumni'
			AND (c.left_from = 0 OR COALESCE(p.left_year, 0) >= c.left_from)
			AND (c.left_to = 0 OR (COALESCE(p.left_year, 0) BETWEEN 1 AND c.left_to))
			AND (c.department = '' OR COALESCE(mi.hr_department, '') = c.department OR COALESCE(p.department, '') = c.department))
		-- A pasted address: linked to its account when the campaign was
		-- saved, or given one since (an HR import, say), which the sending
		-- job links before it selects.
		OR EXISTS (SELECT 1 FROM invite_campaign_emails e WHERE e.org_id = u.org_id AND e.campaign_id = c.id
			AND (e.user_id = u.id OR (e.user_id IS NULL AND e.email_lower = u.email_lower)))
	)`

// Preview is who a campaign will reach.
type Preview struct {
	Existing    int // accounts that will be invited
	NewAccounts int // pasted addresses without an account: created when sending
	Joined      int // pasted addresses of people who already joined: skipped
}

// Total is how many invitations the campaign will send.
func (p Preview) Total() int { return p.Existing + p.NewAccounts }

// Preview counts a campaign's audience, without writing anything.
func (s *Service) Preview(ctx context.Context, orgID, id int64) (Preview, error) {
	var p Preview
	q := s.db.Read()
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) `+audience, orgID, id).Scan(&p.Existing); err != nil {
		return p, err
	}
	// Addresses matched at creation may have an account by now, and the
	// other way round; count them as the sending job will see them.
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM invite_campaign_emails e WHERE e.org_id = $1 AND e.campaign_id = $2 AND e.user_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.org_id = e.org_id AND u.email_lower = e.email_lower)`, orgID, id).Scan(&p.NewAccounts); err != nil {
		return p, err
	}
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM invite_campaign_emails e JOIN users u ON u.org_id = e.org_id AND u.email_lower = e.email_lower
		WHERE e.org_id = $1 AND e.campaign_id = $2 AND u.activated_at IS NOT NULL`, orgID, id).Scan(&p.Joined)
	return p, err
}

type batchJob struct {
	CampaignID int64 `json:"campaign_id"`
}

// Start begins sending a draft campaign; the jobs do the work in batches.
func (s *Service) Start(ctx context.Context, o org.Organization, actor org.Member, id int64, c auth.Client) error {
	p, err := s.Preview(ctx, o.ID, id)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM invite_campaigns WHERE org_id = $1 AND id = $2`, o.ID, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if state != StateDraft {
			return ErrNotDraft
		}
		if p.Total() == 0 {
			return ErrNoAudience
		}
		res, err := tx.ExecContext(ctx, `UPDATE invite_campaigns SET state = $3, started_at = $4 WHERE org_id = $1 AND id = $2 AND state = $5`,
			o.ID, id, StateSending, now, StateDraft)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotDraft
		}
		if _, err := s.jobs.Enqueue(ctx, tx, o.ID, KindCampaignBatch, batchJob{CampaignID: id}, time.Time{}); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "invite.campaign_started",
			Target: fmt.Sprintf("invite_campaign:%d", id), IP: c.IP, Detail: map[string]string{"recipients": fmt.Sprint(p.Total())}})
	})
}

// runBatch sends one batch of a campaign and queues the next. It is safe to
// run twice: people already invited by the campaign are not selected, and
// the unique (campaign, person) index refuses a racing duplicate.
func (s *Service) runBatch(ctx context.Context, j jobs.Job) error {
	var p batchJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	o, err := s.orgs.OrganizationByID(ctx, j.OrgID)
	if err != nil {
		return jobs.Permanent(err)
	}
	c, err := s.Campaign(ctx, o.ID, p.CampaignID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.State != StateSending {
		return nil
	}
	// First the pasted addresses without accounts get one, a batch at a time.
	created, err := s.createPastedAccounts(ctx, o, c)
	if err != nil {
		return err
	}
	if created > 0 {
		return s.next(ctx, o.ID, c.ID)
	}
	sent := 0
	now := s.now()
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		st, err := s.Settings(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.email, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji,
			u.locale, m.role `+audience+` ORDER BY u.id LIMIT $3`, o.ID, c.ID, s.cfg.BatchSize)
		if err != nil {
			return err
		}
		var batch []recipient
		for rows.Next() {
			var r recipient
			var role string
			if err := rows.Scan(&r.userID, &r.email, &r.name.Family, &r.name.Given, &r.name.FamilyKana, &r.name.GivenKana,
				&r.name.FamilyRomaji, &r.name.GivenRomaji, &r.locale, &role); err != nil {
				rows.Close()
				return err
			}
			r.role = org.Role(role)
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range batch {
			lang := c.Lang
			if r.locale == "ja" || r.locale == "en" {
				lang = r.locale
			}
			_, _, ok, err := s.issue(ctx, tx, o, c.ID, 0, r, lang, c.Intro, true, st.TrackOpens)
			if err != nil {
				return err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < s.cfg.BatchSize {
			res, err := tx.ExecContext(ctx, `UPDATE invite_campaigns SET state = $3, finished_at = $4 WHERE org_id = $1 AND id = $2 AND state = $5`,
				o.ID, c.ID, StateSent, now, StateSending)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // a concurrent run of the same batch finished it
			}
			var total int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE org_id = $1 AND campaign_id = $2`, o.ID, c.ID).Scan(&total); err != nil {
				return err
			}
			return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: "system", Action: "invite.campaign_finished",
				Target: fmt.Sprintf("invite_campaign:%d", c.ID), Detail: map[string]string{"invitations": fmt.Sprint(total)}})
		}
		_, err = s.jobs.Enqueue(ctx, tx, o.ID, KindCampaignBatch, batchJob{CampaignID: c.ID}, time.Time{})
		return err
	})
	return err
}

func (s *Service) next(ctx context.Context, orgID, campaignID int64) error {
	_, err := s.jobs.Enqueue(ctx, s.db.Write(), orgID, KindCampaignBatch, batchJob{CampaignID: campaignID}, time.Time{})
	return err
}

// createPastedAccounts links up to a batch of pasted addresses to their
// accounts, creating alumni accounts for new ones (audited), and says how
// many it handled.
func (s *Service) createPastedAccounts(ctx context.Context, o org.Organization, c Campaign) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT email_lower, email, family_name, given_name FROM invite_campaign_emails
			WHERE org_id = $1 AND campaign_id = $2 AND user_id IS NULL ORDER BY email_lower LIMIT $3`, o.ID, c.ID, s.cfg.BatchSize)
		if err != nil {
			return err
		}
		var list []pasted
		for rows.Next() {
			var p pasted
			if err := rows.Scan(&p.lower, &p.email, &p.family, &p.given); err != nil {
				rows.Close()
				return err
			}
			list = append(list, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range list {
			var userID int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE org_id = $1 AND email_lower = $2`, o.ID, p.lower).Scan(&userID)
			if errors.Is(err, sql.ErrNoRows) {
				name := org.Name{Family: p.family, Given: p.given}
				if name.Family == "" {
					// The join page asks the person to correct it.
					name.Family = p.email[:strings.IndexByte(p.email, '@')]
				}
				if userID, err = s.orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: p.email, Name: name, Role: org.Alumni}); err != nil {
					return fmt.Errorf("create account for %s: %w", p.email, err)
				}
				if err := audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: "system", Action: "invite.account_created",
					Target: fmt.Sprintf("user:%d", userID), Detail: map[string]string{"campaign": fmt.Sprint(c.ID), "email": p.email}}); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE invite_campaign_emails SET user_id = $4 WHERE org_id = $1 AND campaign_id = $2 AND email_lower = $3`,
				o.ID, c.ID, p.lower, userID); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	return n, err
}

type reminderJob struct {
	InvitationID int64 `json:"invitation_id"`
	N            int   `json:"n"`
}

// runReminder sends reminder N of an invitation if the person has not
// joined, the invitation has not expired, and that reminder was not sent.
func (s *Service) runReminder(ctx context.Context, j jobs.Job) error {
	var p reminderJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	if p.N < 1 || p.N > 2 {
		return jobs.Permanent(fmt.Errorf("reminder %d: at most two", p.N))
	}
	o, err := s.orgs.OrganizationByID(ctx, j.OrgID)
	if err != nil {
		return jobs.Permanent(err)
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		var r recipient
		var lang, tid, role string
		var expires time.Time
		var activated bool
		var campaignID sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT i.user_id, i.email, i.lang, i.tracking_id, i.expires_at, i.campaign_id, u.activated_at IS NOT NULL,
			u.family_name, u.given_name, u.family_romaji, u.given_romaji, COALESCE(m.role, '')
			FROM invitations i JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id
			LEFT JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
			WHERE i.org_id = $1 AND i.id = $2`, o.ID, p.InvitationID).
			Scan(&r.userID, &r.email, &lang, &tid, &expires, &campaignID, &activated, &r.name.Family, &r.name.Given, &r.name.FamilyRomaji, &r.name.GivenRomaji, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if activated || !now.Before(expires) || role == "" {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET reminders_sent = $3, last_reminded_at = $4 WHERE org_id = $1 AND id = $2 AND reminders_sent < $3`,
			o.ID, p.InvitationID, p.N, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		// A fresh secret with the same expiry: the first one is not stored.
		secret, err := auth.IssueToken(ctx, tx, auth.Token{OrgID: o.ID, Kind: auth.TokenInvite, UserID: r.userID, Email: r.email, Role: org.Role(role),
			ExpiresAt: expires}, now)
		if err != nil {
			return err
		}
		st, err := s.Settings(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		pixel := ""
		if st.TrackOpens {
			pixel = s.cfg.BaseURL + PixelPath(o, tid)
		}
		return s.outbox.Invite(ctx, tx, o, email.InviteLetter{To: r.email, ToName: r.name.Display(lang), Lang: lang, Link: s.link(o, secret),
			Expires: expires, Pixel: pixel, Reminder: p.N, InvitationID: p.InvitationID})
	})
}

// Funnel counts a campaign's invitations by how far they got. Joined is the
// account's activation, whatever the path; expired are those past their
// expiry without joining.
type Funnel struct {
	Sent, Delivered, Opened, Clicked, Joined, Expired int
}

// Rate is n as a whole percentage of the invitations sent.
func (f Funnel) Rate(n int) int {
	if f.Sent == 0 {
		return 0
	}
	return (n*100 + f.Sent/2) / f.Sent
}

// Funnel counts one campaign's invitations, or with campaignID nil the
// single invitations.
func (s *Service) Funnel(ctx context.Context, orgID int64, campaignID *int64) (Funnel, error) {
	var f Funnel
	where := `i.campaign_id IS NULL`
	args := []any{orgID, s.now()}
	if campaignID != nil {
		where = `i.campaign_id = $3`
		args = append(args, *campaignID)
	}
	err := s.db.Read().QueryRowContext(ctx, `SELECT `+funnelFrom+` AND `+where, args...).
		Scan(&f.Sent, &f.Delivered, &f.Opened, &f.Clicked, &f.Joined, &f.Expired)
	return f, err
}

// funnelFrom counts the funnel of the invitations of organization $1 as of
// $2, in the order of Funnel's fields; the caller adds conditions with AND.
const funnelFrom = `COUNT(*), COUNT(i.delivered_at), COUNT(i.opened_at), COUNT(i.clicked_at),
	COALESCE(SUM(CASE WHEN u.activated_at IS NOT NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN u.activated_at IS NULL AND i.expires_at <= $2 THEN 1 ELSE 0 END), 0)
	FROM invitations i JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id
	WHERE i.org_id = $1`

// Invitation is one row of a campaign's recipient list.
type Invitation struct {
	ID            int64
	UserID        int64
	Email         string
	Name          org.Name
	SentAt        time.Time
	ExpiresAt     time.Time
	DeliveredAt   time.Time
	OpenedAt      time.Time
	ClickedAt     time.Time
	Joined        bool
	RemindersSent int
}

// Expired says the link ran out without the person joining.
func (i Invitation) Expired(now time.Time) bool { return !i.Joined && !now.Before(i.ExpiresAt) }

// Invitations lists the latest invitations of a campaign (or the single ones).
func (s *Service) Invitations(ctx context.Context, orgID int64, campaignID *int64, limit int) ([]Invitation, error) {
	where := `i.campaign_id IS NULL`
	args := []any{orgID, limit}
	if campaignID != nil {
		where = `i.campaign_id = $3`
		args = append(args, *campaignID)
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT i.id, i.user_id, i.email, u.family_name, u.given_name, u.family_romaji, u.given_romaji,
		i.sent_at, i.expires_at, i.delivered_at, i.opened_at, i.clicked_at, u.activated_at IS NOT NULL, i.reminders_sent
		FROM invitations i JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id
		WHERE i.org_id = $1 AND `+where+` ORDER BY i.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		var v Invitation
		var delivered, opened, clicked sql.NullTime
		if err := rows.Scan(&v.ID, &v.UserID, &v.Email, &v.Name.Family, &v.Name.Given, &v.Name.FamilyRomaji, &v.Name.GivenRomaji,
			&v.SentAt, &v.ExpiresAt, &delivered, &opened, &clicked, &v.Joined, &v.RemindersSent); err != nil {
			return nil, err
		}
		v.DeliveredAt, v.OpenedAt, v.ClickedAt = delivered.Time, opened.Time, clicked.Time
		out = append(out, v)
	}
	return out, rows.Err()
}

// Now is the service's clock, for pages that judge expiry.
func (s *Service) Now() time.Time { return s.now() }
