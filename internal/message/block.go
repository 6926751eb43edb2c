package message

import (
	"context"
)

// Block stops direct messages between blockerID and blockedID, in both
// directions, and hides their conversation from the blocker. The blocked
// member is not told; they learn only that they cannot send.
func (s *Service) Block(ctx context.Context, orgID, blockerID, blockedID int64) error {
	if blockerID == blockedID {
		return ErrNotRecipient
	}
	ok, err := activeMember(ctx, s.db.Read(), orgID, blockedID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotRecipient
	}
	_, err = s.db.Write().ExecContext(ctx, `INSERT INTO message_blocks (org_id, blocker_id, blocked_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, blocker_id, blocked_id) DO NOTHING`, orgID, blockerID, blockedID, s.clock())
	return err
}

// Unblock lifts a block; the conversation shows again.
func (s *Service) Unblock(ctx context.Context, orgID, blockerID, blockedID int64) error {
	_, err := s.db.Write().ExecContext(ctx, `DELETE FROM message_blocks WHERE org_id = $1 AND blocker_id = $2 AND blocked_id = $3`,
		orgID, blockerID, blockedID)
	return err
}

// Blocking tells whether blockerID blocked otherID.
func (s *Service) Blocking(ctx context.Context, orgID, blockerID, otherID int64) (bool, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM message_blocks WHERE org_id = $1 AND blocker_id = $2 AND blocked_id = $3`,
		orgID, blockerID, otherID).Scan(&n)
	return n > 0, err
}

// CanMessage tells whether senderID may send a direct message to toID:
// another active member with no block either way. Its answer does not say
// which, so that a blocked member cannot tell they were blocked.
func (s *Service) CanMessage(ctx context.Context, orgID, senderID, toID int64) (bool, error) {
	if senderID == toID {
		return false, nil
	}
	q := s.db.Read()
	ok, err := activeMember(ctx, q, orgID, toID)
	if err != nil || !ok {
		return false, err
	}
	blocked, err := blockedEither(ctx, q, orgID, senderID, toID)
	return !blocked, err
}

// Blocked lists the members blockerID blocked, for the settings page.
func (s *Service) Blocked(ctx context.Context, orgID, blockerID int64) ([]Person, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT u.id, u.family_name, u.given_name, u.family_kana, u.given_kana,
		u.family_romaji, u.given_romaji, u.name_order_en = 'family_first'
		FROM message_blocks k JOIN users u ON u.org_id = k.org_id AND u.id = k.blocked_id
		WHERE k.org_id = $1 AND k.blocker_id = $2 ORDER BY k.created_at DESC, u.id`, orgID, blockerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.UserID, &p.Name.Family, &p.Name.Given, &p.Name.FamilyKana, &p.Name.GivenKana,
			&p.Name.FamilyRomaji, &p.Name.GivenRomaji, &p.Name.EnglishFamilyFirst); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
