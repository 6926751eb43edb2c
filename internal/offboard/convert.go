package offboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// runConvert is the last-day job.
func (s *Service) runConvert(ctx context.Context, j jobs.Job) error {
	var p convertJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("offboard: decode job: %w", err))
	}
	o, err := s.orgs.OrganizationByID(ctx, j.OrgID)
	if errors.Is(err, org.ErrNotFound) {
		return nil // the organization is gone, and its departures with it
	}
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		d, err := s.get(ctx, tx, o.ID, p.DepartureID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// Cancelled, already converted, or moved to another day: that
		// day's own job (or nobody) does the work.
		if d.State != Pending || d.LastDay != p.LastDay {
			return nil
		}
		return s.convert(ctx, tx, o, d, "system (last day)")
	})
}

// convert turns the leaver into an alumnus, inside tx. The conditional
// state change is the claim: of two runs, one converts, the other does nothing.
func (s *Service) convert(ctx context.Context, tx db.Tx, o org.Organization, d Departure, actor string) error {
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE departures SET state = 'converted', converted_at = $3, updated_at = $3
		WHERE org_id = $1 AND id = $2 AND state = 'pending'`, o.ID, d.ID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var role org.Role
	var activated bool
	var currentEmail string
	err = tx.QueryRowContext(ctx, `SELECT m.role, u.activated_at IS NOT NULL, u.email FROM users u
		JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.org_id = $1 AND u.id = $2`, o.ID, d.UserID).Scan(&role, &activated, &currentEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no active membership left to convert
	}
	if err != nil {
		return err
	}
	if role != org.Alumni {
		if err := s.orgs.SetRole(ctx, tx, o.ID, d.UserID, org.Alumni); err != nil {
			return err
		}
	}
	// HR's record of the employment; rehire fields were saved when the
	// departure was recorded.
	if _, err := tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, hired_on, left_on, hr_department, hr_job_title, hr_source, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'departure', $7)
		ON CONFLICT (org_id, user_id) DO UPDATE SET left_on = excluded.left_on,
		hired_on = CASE WHEN excluded.hired_on <> '' THEN excluded.hired_on ELSE member_internal.hired_on END,
		hr_department = CASE WHEN excluded.hr_department <> '' THEN excluded.hr_department ELSE member_internal.hr_department END,
		hr_job_title = CASE WHEN excluded.hr_job_title <> '' THEN excluded.hr_job_title ELSE member_internal.hr_job_title END,
		hr_source = 'departure', updated_at = excluded.updated_at`,
		o.ID, d.UserID, d.HiredOn, d.LastDay, d.Department, d.JobTitle, now); err != nil {
		return err
	}
	// The profile is the member's own: fill only what is empty.
	leftYear, _ := strconv.Atoi(d.LastDay[:4])
	joinedYear := 0
	if d.HiredOn != "" {
		joinedYear, _ = strconv.Atoi(d.HiredOn[:4])
	} else if d.TenureYears > 0 {
		joinedYear = leftYear - d.TenureYears
	}
	if _, err := tx.ExecContext(ctx, `UPDATE profiles SET
		left_year = CASE WHEN left_year = 0 THEN $3 ELSE left_year END,
		joined_year = CASE WHEN joined_year = 0 THEN $4 ELSE joined_year END,
		department = CASE WHEN department = '' THEN $5 ELSE department END,
		job_title = CASE WHEN job_title = '' THEN $6 ELSE job_title END,
		updated_at = $7 WHERE org_id = $1 AND user_id = $2`,
		o.ID, d.UserID, leftYear, joinedYear, d.Department, d.JobTitle, now); err != nil {
		return err
	}
	// The work mailbox stops working today: mail goes to the personal
	// address from now on, if no other account of the organization has it.
	to := currentEmail
	if d.PersonalEmail != "" && !strings.EqualFold(d.PersonalEmail, currentEmail) {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE org_id = $1 AND email_lower = $2 AND id <> $3`,
			o.ID, strings.ToLower(d.PersonalEmail), d.UserID).Scan(&taken); err != nil {
			return err
		}
		if taken == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET email = $3, email_lower = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
				o.ID, d.UserID, d.PersonalEmail, strings.ToLower(d.PersonalEmail), now); err != nil {
				return err
			}
			to = d.PersonalEmail
			if err := audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: actor, Action: "offboard.email_switched",
				Target: fmt.Sprintf("user:%d", d.UserID), Detail: map[string]string{"from": currentEmail, "to": d.PersonalEmail}}); err != nil {
				return err
			}
		} else if err := audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: actor, Action: "offboard.email_kept",
			Target: fmt.Sprintf("user:%d", d.UserID), Detail: map[string]string{"reason": "personal email taken"}}); err != nil {
			return err
		}
	}
	if s.reindex != nil {
		if err := s.reindex(ctx, tx, o.ID, d.UserID); err != nil {
			return err
		}
	}
	base := s.baseURL + "/o/" + o.Slug
	cardPath := "/o/" + o.Slug + "/cards/" + d.CardID
	link, join := base+"/login?next="+url.QueryEscape(cardPath), false
	// Someone who never got in (an HR-made record) joins with a link of
	// their own; anyone who did (password or SSO) signs in as before.
	if !activated {
		secret, err := auth.IssueToken(ctx, tx, auth.Token{OrgID: o.ID, Kind: auth.TokenInvite, UserID: d.UserID, Email: to,
			Role: org.Alumni, ExpiresAt: now.Add(s.ttl)}, now)
		if err != nil {
			return err
		}
		link, join = base+"/join/"+secret, true
	}
	var shown int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM card_messages WHERE org_id = $1 AND departure_id = $2 AND NOT hidden`,
		o.ID, d.ID).Scan(&shown); err != nil {
		return err
	}
	f := email.Farewell{To: to, Name: d.Name, Lang: d.Lang, CardLink: s.baseURL + cardPath, Link: link, Join: join, Messages: shown}
	if to != currentEmail {
		f.NewEmail = to
	}
	if err := s.outbox.FarewellLetter(ctx, tx, o, f); err != nil {
		return err
	}
	if err := s.noticeToRecorder(ctx, tx, o, d); err != nil {
		return err
	}
	return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: actor, Action: "offboard.converted", Target: fmt.Sprintf("user:%d", d.UserID),
		Detail: map[string]string{"departure": fmt.Sprint(d.ID), "last_day": d.LastDay, "from_role": string(role), "source": d.Source,
			"invitation": map[bool]string{true: "join_link", false: "signin_link"}[join]}})
}

// StartFromDirectory is called when an identity provider says an employee
// is gone (SCIM active=false, source "scim"). An employee without a pending
// departure gets one with today (in Japan) as the last day, converted at
// once; a pending departure is converted now; anyone else (already alumni,
// staff) is left as is. Calling it again changes nothing.
func (s *Service) StartFromDirectory(ctx context.Context, orgID, userID int64, source string) error {
	o, err := s.orgs.OrganizationByID(ctx, orgID)
	if err != nil {
		return err
	}
	label := "directory (" + source + ")"
	return s.db.Tx(ctx, func(tx db.Tx) error {
		var role org.Role
		err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`,
			orgID, userID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return org.ErrNotFound
		}
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM departures WHERE org_id = $1 AND user_id = $2 AND state = 'pending'`, orgID, userID).Scan(&id)
		switch {
		case err == nil:
		case !errors.Is(err, sql.ErrNoRows):
			return err
		case role != org.Employee:
			return nil
		default:
			var lang string
			if err := tx.QueryRowContext(ctx, `SELECT locale FROM users WHERE org_id = $1 AND id = $2`, orgID, userID).Scan(&lang); err != nil {
				return err
			}
			d, err := s.insert(ctx, tx, orgID, clean{userID: userID, lastDay: s.Today(), lang: email.Lang(lang)}, source, Actor{Email: label})
			if err != nil {
				return err
			}
			id = d.ID
		}
		d, err := s.get(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		return s.convert(ctx, tx, o, d, label)
	})
}

// noticeToRecorder tells the admin who recorded the departure that it is
// done, if they are still an admin: HR otherwise learns of it only from the
// list.
func (s *Service) noticeToRecorder(ctx context.Context, tx db.Tx, o org.Organization, d Departure) error {
	var m org.Member
	var role org.Role
	n := &m.Name
	err := tx.QueryRowContext(ctx, `SELECT u.email, u.family_name, u.given_name, u.family_romaji, u.given_romaji, u.locale, m.role
		FROM departures d JOIN users u ON u.org_id = d.org_id AND u.id = d.created_by
		JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE d.org_id = $1 AND d.id = $2`, o.ID, d.ID).Scan(&m.Email, &n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &m.Locale, &role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != org.Admin) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.outbox.ConversionNotice(ctx, tx, o, m.Email, m.Name, m.Locale, d.Name, d.LastDay,
		fmt.Sprintf("%s/o/%s/admin/departures/%d", s.baseURL, o.Slug, d.ID))
}
