package group

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Link is the path of a group's page inside the organization.
func Link(groupID int64) string { return "/groups/" + strconv.FormatInt(groupID, 10) }

// active loads a group for a change: it must exist in the organization and
// not be archived.
func (s *Service) active(ctx context.Context, tx db.Querier, orgID, groupID int64) (Group, error) {
	g, err := s.getIn(ctx, tx, orgID, groupID)
	if err != nil {
		return g, err
	}
	if g.Archived() {
		return g, ErrArchived
	}
	return g, nil
}

// CanManage reports whether the actor manages the group: its managers, and
// staff for every group.
func (s *Service) CanManage(ctx context.Context, q db.Querier, orgID, groupID int64, by Actor) (bool, error) {
	if by.Role.Staff() {
		return true, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3 AND is_manager = TRUE`,
		orgID, groupID, by.UserID).Scan(&n)
	return n > 0, err
}

// Join puts the actor into an open group, or files their request to join an
// approval group and tells its managers. It returns the state reached
// ("member" or "pending"). Joining twice changes nothing.
func (s *Service) Join(ctx context.Context, orgID, groupID int64, by Actor) (string, error) {
	state := ""
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		g, err := s.active(ctx, tx, orgID, groupID)
		if err != nil {
			return err
		}
		switch g.Kind {
		case Auto:
			return ErrAutomatic
		case Open:
			state = "member"
		default:
			state = "pending"
		}
		var existing string
		err = tx.QueryRowContext(ctx, `SELECT state FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3`, orgID, groupID, by.UserID).Scan(&existing)
		if err == nil {
			state = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (org_id, group_id, user_id, state, is_manager, created_at)
			VALUES ($1, $2, $3, $4, FALSE, $5)`, orgID, groupID, by.UserID, state, s.now()); err != nil {
			return err
		}
		if state == "member" {
			return nil
		}
		return s.notifyManagers(ctx, tx, g, by.UserID)
	})
	return state, err
}

// notifyManagers tells the managers of g, or the staff when it has none,
// that someone asked to join.
func (s *Service) notifyManagers(ctx context.Context, tx db.Querier, g Group, requester int64) error {
	if s.notify == nil {
		return nil
	}
	managers, err := db.IDs(ctx, tx, `SELECT gm.user_id FROM group_members gm
		JOIN memberships m ON m.org_id = gm.org_id AND m.user_id = gm.user_id AND m.ended_at IS NULL
		WHERE gm.org_id = $1 AND gm.group_id = $2 AND gm.is_manager = TRUE`, g.OrgID, g.ID)
	if err == nil && len(managers) == 0 {
		managers, err = org.ActiveIDs(ctx, tx, g.OrgID, org.Admin, org.Supporter)
	}
	if err != nil {
		return err
	}
	var n org.Name
	if err := tx.QueryRowContext(ctx, `SELECT family_name, given_name, family_romaji, given_romaji, name_order_en = 'family_first'
		FROM users WHERE org_id = $1 AND id = $2`, g.OrgID, requester).Scan(&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst); err != nil {
		return err
	}
	args := notify.NameArgs(n)
	args["group"] = g.Name
	for _, m := range managers {
		if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: g.OrgID, UserID: m, ActorID: requester, Kind: "group_request",
			Category: notify.Groups, Args: args, Link: Link(g.ID)}); err != nil {
			return err
		}
	}
	return nil
}

// Leave takes the actor out of an open or approval group, or withdraws their
// request. The last manager cannot leave while others remain: staff or the
// manager must name another manager first.
func (s *Service) Leave(ctx context.Context, orgID, groupID int64, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		g, err := s.getIn(ctx, tx, orgID, groupID)
		if err != nil {
			return err
		}
		if g.Kind == Auto {
			return ErrAutomatic
		}
		var manager bool
		err = tx.QueryRowContext(ctx, `SELECT is_manager FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3`, orgID, groupID, by.UserID).Scan(&manager)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if manager && !g.Archived() {
			var managers, members int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN is_manager THEN 1 ELSE 0 END), 0), COUNT(*) FROM group_members
				WHERE org_id = $1 AND group_id = $2 AND state = 'member'`, orgID, groupID).Scan(&managers, &members); err != nil {
				return err
			}
			if managers == 1 && members > 1 {
				return ErrLastManager
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3`, orgID, groupID, by.UserID)
		return err
	})
}

// ErrLastManager means the only manager tried to leave a group that still has members.
var ErrLastManager = errors.New("last manager")

// Decide approves or declines a pending request; the requester is told either way.
func (s *Service) Decide(ctx context.Context, orgID, groupID, userID int64, approve bool, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		g, err := s.active(ctx, tx, orgID, groupID)
		if err != nil {
			return err
		}
		if ok, err := s.CanManage(ctx, tx, orgID, groupID, by); err != nil {
			return err
		} else if !ok {
			return ErrForbidden
		}
		var res interface{ RowsAffected() (int64, error) }
		kind := "group_approved"
		if approve {
			res, err = tx.ExecContext(ctx, `UPDATE group_members SET state = 'member', created_at = $4 WHERE org_id = $1 AND group_id = $2 AND user_id = $3 AND state = 'pending'`,
				orgID, groupID, userID, s.now())
		} else {
			kind = "group_declined"
			res, err = tx.ExecContext(ctx, `DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3 AND state = 'pending'`, orgID, groupID, userID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		action := "group.request_declined"
		if approve {
			action = "group.request_approved"
		}
		if err := audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Label, IP: by.IP,
			Action: action, Target: fmt.Sprintf("group:%d", groupID), Detail: map[string]string{"user": strconv.FormatInt(userID, 10)}}); err != nil {
			return err
		}
		if s.notify == nil {
			return nil
		}
		return s.notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, UserID: userID, ActorID: by.UserID, Kind: kind,
			Category: notify.Groups, Args: map[string]string{"group": g.Name}, Link: Link(g.ID)})
	})
}

// SetManager makes a member of the group a manager or takes the role away.
// Staff only: managers are named by the people who run the network.
func (s *Service) SetManager(ctx context.Context, orgID, groupID, userID int64, manager bool, by Actor) error {
	if !by.Role.Staff() {
		return ErrForbidden
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		g, err := s.active(ctx, tx, orgID, groupID)
		if err != nil {
			return err
		}
		if g.Kind == Auto {
			return ErrAutomatic
		}
		res, err := tx.ExecContext(ctx, `UPDATE group_members SET is_manager = $4 WHERE org_id = $1 AND group_id = $2 AND user_id = $3 AND state = 'member'`,
			orgID, groupID, userID, manager)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		action := "group.manager_added"
		if !manager {
			action = "group.manager_removed"
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Label, IP: by.IP,
			Action: action, Target: fmt.Sprintf("group:%d", groupID), Detail: map[string]string{"user": strconv.FormatInt(userID, 10)}})
	})
}

// Update changes a group's name and description (managers and staff). The
// kind and an automatic group's rule stay as created: a new rule is a new
// group.
func (s *Service) Update(ctx context.Context, orgID, groupID int64, by Actor, name, description string) (Group, error) {
	var g Group
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		var err error
		if g, err = s.active(ctx, tx, orgID, groupID); err != nil {
			return err
		}
		if ok, err := s.CanManage(ctx, tx, orgID, groupID, by); err != nil {
			return err
		} else if !ok {
			return ErrForbidden
		}
		d := Draft{Name: name, Description: description, Kind: g.Kind, Rule: g.Rule}
		if errs := d.clean(); len(errs) > 0 {
			return errs
		}
		if taken, err := nameTaken(ctx, tx, orgID, groupID, d.Name); err != nil {
			return err
		} else if taken {
			return errNameTaken
		}
		_, err = tx.ExecContext(ctx, `UPDATE groups SET name = $3, description = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
			orgID, groupID, d.Name, d.Description, s.now())
		if db.IsUniqueViolation(err) {
			return errNameTaken
		}
		if err != nil {
			return err
		}
		g.Name, g.Description = d.Name, d.Description
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Label, IP: by.IP,
			Action: "group.updated", Target: fmt.Sprintf("group:%d", groupID), Detail: map[string]string{"name": d.Name}})
	})
	return g, err
}

// Archive closes a group (managers and staff): it stays readable but takes
// no new members, requests or posts, and its name becomes free again.
func (s *Service) Archive(ctx context.Context, orgID, groupID int64, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := s.active(ctx, tx, orgID, groupID); err != nil {
			return err
		}
		if ok, err := s.CanManage(ctx, tx, orgID, groupID, by); err != nil {
			return err
		} else if !ok {
			return ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE groups SET archived_at = $3, updated_at = $3 WHERE org_id = $1 AND id = $2`, orgID, groupID, s.now()); err != nil {
			return err
		}
		// Pending requests can no longer be answered; drop them.
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND state = 'pending'`, orgID, groupID); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Label, IP: by.IP,
			Action: "group.archived", Target: fmt.Sprintf("group:%d", groupID)})
	})
}
