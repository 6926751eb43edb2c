package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned for a notification that is not the member's.
var ErrNotFound = errors.New("notify: notification not found")

// Item is one notification as the member's page shows it.
type Item struct {
	ID        int64
	Kind      string
	Category  Category
	Args      map[string]string
	Link      string
	CreatedAt time.Time
	Read      bool
}

// Text renders the item in lang.
func (it Item) Text(lang string) string { return Text(lang, it.Kind, it.Args) }

// PageSize is how many notifications a page lists.
const PageSize = 30

// List returns a page (from 1) of the member's in-app notifications, newest
// first, and whether there is a next page.
func (s *Service) List(ctx context.Context, orgID, userID int64, page int) ([]Item, bool, error) {
	if page < 1 {
		page = 1
	}
	rows, err := s.cfg.DB.Read().QueryContext(ctx, `SELECT id, kind, category, args, link, created_at, read_at IS NOT NULL
		FROM notifications WHERE org_id = $1 AND user_id = $2 AND in_app
		ORDER BY id DESC LIMIT $3 OFFSET $4`, orgID, userID, PageSize+1, (page-1)*PageSize)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var items []Item
	for rows.Next() {
		var it Item
		var cat, args string
		if err := rows.Scan(&it.ID, &it.Kind, &cat, &args, &it.Link, &it.CreatedAt, &it.Read); err != nil {
			return nil, false, err
		}
		it.Category = Category(cat)
		_ = json.Unmarshal([]byte(args), &it.Args) // a bad row shows its text without arguments
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(items) > PageSize
	if more {
		items = items[:PageSize]
	}
	return items, more, nil
}

// UnreadCount is the number on the badge. It reads the partial index
// notifications_unread only (hidden rows are stored read).
func (s *Service) UnreadCount(ctx context.Context, orgID, userID int64) (int, error) {
	var n int
	err := s.cfg.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE org_id = $1 AND user_id = $2 AND read_at IS NULL`,
		orgID, userID).Scan(&n)
	return n, err
}

// Open marks one of the member's notifications read and returns its link
// (relative to the organization). Another member's or organization's
// notification is ErrNotFound.
func (s *Service) Open(ctx context.Context, orgID, userID, id int64) (string, error) {
	var link string
	err := s.cfg.DB.Write().QueryRowContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $4)
		WHERE org_id = $1 AND user_id = $2 AND id = $3 AND in_app RETURNING link`, orgID, userID, id, s.Now()).Scan(&link)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	if !ValidLink(link) {
		link = ""
	}
	return link, nil
}

// MarkAllRead marks every unread notification of the member read and says how many.
func (s *Service) MarkAllRead(ctx context.Context, orgID, userID int64) (int64, error) {
	res, err := s.cfg.DB.Write().ExecContext(ctx, `UPDATE notifications SET read_at = $3 WHERE org_id = $1 AND user_id = $2 AND read_at IS NULL`,
		orgID, userID, s.Now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
