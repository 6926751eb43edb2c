package invite

import (
	"context"
	"fmt"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Open checks a join link and returns the invited person, recording the
// click on their invitation. A link of a person who already joined (by
// another link or by SSO) is auth.ErrTokenUsed: it must never set a password
// on an account someone already uses.
func (s *Service) Open(ctx context.Context, o org.Organization, secret string) (org.Member, error) {
	t, err := auth.PeekToken(ctx, s.db.Read(), o.ID, auth.TokenInvite, secret, s.now())
	if err != nil {
		return org.Member{}, err
	}
	m, err := s.orgs.Member(ctx, o.ID, t.UserID)
	if err != nil {
		return org.Member{}, fmt.Errorf("%w: %w", auth.ErrTokenInvalid, err)
	}
	if m.Activated {
		return org.Member{}, auth.ErrTokenUsed
	}
	// Only the link's own holder gets here, so the click is theirs; a mail
	// scanner that follows links counts as a click too, which HR should know.
	return m, s.clicked(ctx, s.db.Write(), o.ID, t.UserID)
}

// Join sets the invited person's password and corrected name, uses up every
// outstanding invitation link of theirs, and signs them in.
func (s *Service) Join(ctx context.Context, o org.Organization, secret string, name org.Name, password string, c auth.Client) (string, org.Member, error) {
	if err := auth.CheckPasswordPolicy(password); err != nil {
		return "", org.Member{}, err
	}
	if err := name.Validate(); err != nil {
		return "", org.Member{}, err
	}
	hash, err := s.auth.HashPassword(password)
	if err != nil {
		return "", org.Member{}, err
	}
	now := s.now()
	var session string
	var userID int64
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		t, err := auth.ConsumeToken(ctx, tx, o.ID, auth.TokenInvite, secret, now)
		if err != nil {
			return err
		}
		userID = t.UserID
		var activated bool
		if err := tx.QueryRowContext(ctx, `SELECT activated_at IS NOT NULL FROM users WHERE org_id = $1 AND id = $2`, o.ID, userID).Scan(&activated); err != nil {
			return fmt.Errorf("%w: %w", auth.ErrTokenInvalid, err)
		}
		if activated {
			return auth.ErrTokenUsed
		}
		if err := s.orgs.SetPasswordHash(ctx, tx, o.ID, userID, hash, now); err != nil {
			return err
		}
		if err := s.orgs.SetName(ctx, tx, o.ID, userID, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET used_at = $3 WHERE org_id = $1 AND user_id = $2 AND kind = $4 AND used_at IS NULL`,
			o.ID, userID, now, auth.TokenInvite); err != nil {
			return err
		}
		if err := s.clicked(ctx, tx, o.ID, userID); err != nil {
			return err
		}
		if session, err = s.auth.Sessions.Create(ctx, tx, o.ID, userID, c.IP, c.UserAgent, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: userID, ActorLabel: t.Email, Action: "auth.invitation_accepted", IP: c.IP})
	})
	if err != nil {
		return "", org.Member{}, err
	}
	m, err := s.orgs.Member(ctx, o.ID, userID)
	return session, m, err
}
