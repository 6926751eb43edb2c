package scim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// record is a person as SCIM sees them.
type record struct {
	UserID         int64
	Email          string
	Family, Given  string
	Role           org.Role
	Linked         bool
	ExternalID     string
	EmployeeNumber string
	Department     string
	Created        time.Time
	Modified       time.Time
}

func (r *record) active() bool { return r.Role != org.Alumni }

func (r *record) displayName() string { return strings.TrimSpace(r.Family + " " + r.Given) }

// The people SCIM sees: employees, and whoever it is linked to and has not
// deleted. Admins, supporters and alumni it never managed stay out of reach.
const recordSelect = `SELECT u.id, u.email, u.family_name, u.given_name, m.role, u.created_at, u.updated_at, m.created_at,
	s.user_id IS NOT NULL, COALESCE(s.external_id, ''), s.updated_at,
	COALESCE(mi.employee_number, ''), COALESCE(mi.hr_department, ''), mi.updated_at
	FROM users u
	JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
	LEFT JOIN scim_users s ON s.org_id = u.org_id AND s.user_id = u.id
	LEFT JOIN member_internal mi ON mi.org_id = u.org_id AND mi.user_id = u.id
	WHERE u.org_id = $1 AND (m.role = 'employee' OR (s.user_id IS NOT NULL AND s.deleted_at IS NULL))`

func scanRecord(row interface{ Scan(...any) error }) (record, error) {
	var r record
	var userUpdated, roleSince time.Time
	var linkUpdated, internalUpdated sql.NullTime
	err := row.Scan(&r.UserID, &r.Email, &r.Family, &r.Given, &r.Role, &r.Created, &userUpdated, &roleSince,
		&r.Linked, &r.ExternalID, &linkUpdated, &r.EmployeeNumber, &r.Department, &internalUpdated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	// Whatever changed last is when the resource last changed.
	r.Modified = r.Created
	for _, t := range []time.Time{userUpdated, roleSince, linkUpdated.Time, internalUpdated.Time} {
		if t.After(r.Modified) {
			r.Modified = t
		}
	}
	r.Created, r.Modified = r.Created.UTC(), r.Modified.UTC()
	return r, err
}

// get returns a person SCIM sees in orgID; anything else is ErrNotFound.
func (s *Service) get(ctx context.Context, q db.Querier, orgID int64, rawID string) (record, error) {
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != rawID {
		return record{}, ErrNotFound
	}
	return scanRecord(q.QueryRowContext(ctx, recordSelect+` AND u.id = $2`, orgID, id))
}

// list returns the people of orgID that match the filter (nil: all), in
// id order.
func (s *Service) list(ctx context.Context, orgID int64, filter Expr) ([]record, error) {
	match := func(*record) bool { return true }
	query, args := recordSelect, []any{orgID}
	if filter != nil {
		var err error
		if match, err = compile(filter, ""); err != nil {
			return nil, err
		}
		if col, arg, ok := narrowing(filter); ok {
			query += ` AND ` + col + ` = $2`
			args = append(args, arg)
		}
	}
	rows, err := s.db.Read().QueryContext(ctx, query+` ORDER BY u.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		if match(&r) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// userState is what SCIM may set on a person.
type userState struct {
	UserName       string
	Family, Given  string
	ExternalID     string
	Active         bool
	EmployeeNumber string
	Department     string
}

func (r *record) state() userState {
	return userState{UserName: r.Email, Family: r.Family, Given: r.Given, ExternalID: r.ExternalID, Active: r.active(),
		EmployeeNumber: r.EmployeeNumber, Department: r.Department}
}

// Limits on what an identity provider may send.
const (
	maxExternalID     = 255
	maxEmployeeNumber = 50
	maxDepartment     = 200
)

// validate checks a state and returns it with the email normalised.
func (u userState) validate() (userState, error) {
	email, _, err := org.NormalizeEmail(u.UserName)
	if err != nil {
		return u, scimError(400, "invalidValue", "userName must be the person's email address (for example taro.yamada@example.co.jp)")
	}
	u.UserName = email
	u.Family, u.Given = strings.TrimSpace(u.Family), strings.TrimSpace(u.Given)
	if u.Family == "" {
		return u, scimError(400, "invalidValue", "name.familyName is required")
	}
	if (org.Name{Family: u.Family, Given: u.Given}).Validate() != nil {
		return u, scimError(400, "invalidValue", fmt.Sprintf("name.familyName and name.givenName must be at most %d characters", org.MaxNameLen))
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"externalId", u.ExternalID, maxExternalID}, {"employeeNumber", u.EmployeeNumber, maxEmployeeNumber}, {"department", u.Department, maxDepartment}} {
		if utf8.RuneCountInString(f.v) > f.max || strings.ContainsAny(f.v, "\x00\r\n") {
			return u, scimError(400, "invalidValue", fmt.Sprintf("%s must be one line of at most %d characters", f.name, f.max))
		}
	}
	return u, nil
}

// employeeNumberTaken reports whether another person of orgID has the number.
func employeeNumberTaken(ctx context.Context, q db.Querier, orgID, userID int64, number string) (bool, error) {
	if number == "" {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND employee_number = $2 AND user_id <> $3`,
		orgID, number, userID).Scan(&n)
	return n > 0, err
}

var errEmployeeNumberTaken = scimError(409, "uniqueness", "another person in this organization already has this employeeNumber")

func (s *Service) writeLink(ctx context.Context, tx db.Tx, orgID, userID int64, externalID string, deleted any, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO scim_users (org_id, user_id, external_id, created_at, updated_at, deleted_at)
		VALUES ($1, $2, $3, $4, $4, $5)
		ON CONFLICT (org_id, user_id) DO UPDATE SET external_id = excluded.external_id, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at`,
		orgID, userID, externalID, now, deleted)
	return err
}

func (s *Service) writeHR(ctx context.Context, tx db.Tx, orgID, userID int64, u userState, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, employee_number, hr_department, hr_source, updated_at)
		VALUES ($1, $2, $3, $4, 'scim', $5)
		ON CONFLICT (org_id, user_id) DO UPDATE SET employee_number = excluded.employee_number, hr_department = excluded.hr_department,
		hr_source = 'scim', updated_at = excluded.updated_at`, orgID, userID, u.EmployeeNumber, u.Department, now)
	if db.IsUniqueViolation(err) {
		return errEmployeeNumberTaken
	}
	return err
}

// create adds an employee (or, sent inactive, a former employee) that the
// identity provider manages.
func (s *Service) create(ctx context.Context, c caller, u userState) (int64, error) {
	u, err := u.validate()
	if err != nil {
		return 0, err
	}
	role := org.Employee
	if !u.Active {
		// A person the directory already knows as gone: a record of a former
		// employee, with no departure to run.
		role = org.Alumni
	}
	now := s.now()
	var id int64
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		if taken, err := employeeNumberTaken(ctx, tx, c.orgID, 0, u.EmployeeNumber); err != nil || taken {
			return cmpErr(err, errEmployeeNumberTaken)
		}
		var err error
		id, err = s.orgs.CreateMember(ctx, tx, c.orgID, org.NewMember{Email: u.UserName, Name: org.Name{Family: u.Family, Given: u.Given}, Role: role})
		if errors.Is(err, org.ErrEmailTaken) {
			return scimError(409, "uniqueness", "a person with this userName (email address) already exists in this organization")
		}
		if err != nil {
			return err
		}
		if err := s.writeLink(ctx, tx, c.orgID, id, u.ExternalID, nil, now); err != nil {
			return err
		}
		if u.EmployeeNumber != "" || u.Department != "" {
			if err := s.writeHR(ctx, tx, c.orgID, id, u, now); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: c.orgID, ActorLabel: c.label(), Action: "scim.user_created",
			Target: fmt.Sprintf("user:%d", id), Detail: map[string]string{"role": string(role), "external_id": u.ExternalID}})
	})
	return id, err
}

// cmpErr returns err if set, else alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// update writes next over the person cur and, if the directory says they
// are gone, starts their departure.
func (s *Service) update(ctx context.Context, c caller, cur record, next userState) error {
	next, err := next.validate()
	if err != nil {
		return err
	}
	old := cur.state()
	var changed []string
	if next.UserName != old.UserName {
		changed = append(changed, "userName")
	}
	if next.Family != old.Family || next.Given != old.Given {
		changed = append(changed, "name")
	}
	if next.ExternalID != old.ExternalID {
		changed = append(changed, "externalId")
	}
	if next.EmployeeNumber != old.EmployeeNumber || next.Department != old.Department {
		changed = append(changed, "enterprise")
	}
	if next.Active != old.Active {
		changed = append(changed, "active")
	}
	if cur.Role != org.Employee {
		if len(changed) == 0 {
			return nil
		}
		if cur.Role == org.Alumni {
			return scimError(403, "", "this person has left the organization; their account is theirs now and is managed in Tsunagu (rehiring is done by an admin there)")
		}
		return scimError(403, "", "this person is an administrator or supporter in Tsunagu; their account is managed there, not by the identity provider")
	}
	depart := old.Active && !next.Active
	if depart && s.departures == nil {
		return scimError(501, "", "deactivating employees is not available on this server yet")
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		reindex := false
		if next.UserName != old.UserName {
			_, lower, _ := org.NormalizeEmail(next.UserName)
			_, err := tx.ExecContext(ctx, `UPDATE users SET email = $3, email_lower = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
				c.orgID, cur.UserID, next.UserName, lower, now)
			if db.IsUniqueViolation(err) {
				return scimError(409, "uniqueness", "another person in this organization already has this userName (email address)")
			}
			if err != nil {
				return err
			}
			reindex = true
		}
		if next.Family != old.Family || next.Given != old.Given {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET family_name = $3, given_name = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
				c.orgID, cur.UserID, next.Family, next.Given, now); err != nil {
				return err
			}
			reindex = true
		}
		if reindex && s.reindex != nil {
			if err := s.reindex(ctx, tx, c.orgID, cur.UserID); err != nil {
				return err
			}
		}
		if next.EmployeeNumber != old.EmployeeNumber || next.Department != old.Department {
			if taken, err := employeeNumberTaken(ctx, tx, c.orgID, cur.UserID, next.EmployeeNumber); err != nil || taken {
				return cmpErr(err, errEmployeeNumberTaken)
			}
			if err := s.writeHR(ctx, tx, c.orgID, cur.UserID, next, now); err != nil {
				return err
			}
		}
		if !cur.Linked || len(changed) > 0 {
			if err := s.writeLink(ctx, tx, c.orgID, cur.UserID, next.ExternalID, nil, now); err != nil {
				return err
			}
		}
		if len(changed) == 0 && cur.Linked {
			return nil
		}
		detail := map[string]string{"changed": strings.Join(changed, ",")}
		if !cur.Linked {
			detail["linked"] = "true"
		}
		if depart {
			detail["active"] = "false"
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: c.orgID, ActorLabel: c.label(), Action: "scim.user_updated",
			Target: fmt.Sprintf("user:%d", cur.UserID), Detail: detail})
	})
	if err != nil || !depart {
		return err
	}
	// After the commit: the departure is its own piece of work (offboard's),
	// and it is idempotent, so an identity provider's retry finishes it if
	// this call fails.
	return s.departures.StartFromDirectory(ctx, c.orgID, cur.UserID, "scim")
}

// remove is DELETE: an employee leaves (as with active=false) and the
// person is unlinked, so SCIM no longer sees them. Nobody is deleted.
func (s *Service) remove(ctx context.Context, c caller, cur record) error {
	if cur.Role == org.Employee {
		if s.departures == nil {
			return scimError(501, "", "deactivating employees is not available on this server yet")
		}
		// The departure first: if it fails, the person is still a linked
		// employee and the identity provider's retry does it again.
		if err := s.departures.StartFromDirectory(ctx, c.orgID, cur.UserID, "scim"); err != nil {
			return err
		}
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if err := s.writeLink(ctx, tx, c.orgID, cur.UserID, cur.ExternalID, now, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: c.orgID, ActorLabel: c.label(), Action: "scim.user_deleted",
			Target: fmt.Sprintf("user:%d", cur.UserID), Detail: map[string]string{"role": string(cur.Role)}})
	})
}
