package apply

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
)

// KindExpire is the scheduled job that deletes an application whose
// verification link expired unused.
const KindExpire = "apply.expire"

// Status of an application.
const (
	StatusUnverified = "unverified"
	StatusPending    = "pending"
	StatusApproved   = "approved"
	StatusRejected   = "rejected"
)

// Limits of the form.
const (
	MaxDepartment = 100
	MaxMessage    = 1000
	MaxReason     = 1000
)

// Errors the web layer turns into pages.
var (
	ErrRateLimited    = errors.New("too many applications")
	ErrLinkInvalid    = errors.New("verification link invalid")
	ErrLinkExpired    = errors.New("verification link expired")
	ErrLinkUsed       = errors.New("verification link already used")
	ErrNotFound       = errors.New("application not found")
	ErrAlreadyDecided = errors.New("application already decided")
	ErrNotLinkable    = errors.New("record cannot be linked")
	ErrEmailInUse     = errors.New("email belongs to another account")
	ErrReasonRequired = errors.New("reason required")
	ErrReasonTooLong  = errors.New("reason too long")
)

// Notifier writes the applicant's emails, queued within exec. *email.Outbox implements it.
type Notifier interface {
	ApplicationVerify(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang, link string) error
	ApplicationApproved(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang, link string) error
	ApplicationRejected(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang, reason string) error
	ApplicationAlreadyMember(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang, signInLink, resetLink string) error
	ApplicationEmailChanged(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang string) error
}

// Config tunes the service; zero fields take the defaults.
type Config struct {
	BaseURL   string
	Now       func() time.Time
	VerifyTTL time.Duration // 7 days
	InviteTTL time.Duration // 14 days, as other invitations
	// Rate limit of the public form, counted in the database so that every
	// server shares it.
	PerIP        int           // submissions per IP per IPWindow: 5
	IPWindow     time.Duration // 1 hour
	PerEmail     int           // submissions per email per EmailWindow: 3
	EmailWindow  time.Duration // 24 hours
	AttemptsKept time.Duration // old attempts are deleted: 7 days
}

// Service runs applications.
type Service struct {
	db     *db.DB
	orgs   *org.Store
	jobs   *jobs.Queue
	notify Notifier
	cfg    Config
}

// New builds the service and registers its job.
func New(d *db.DB, orgs *org.Store, q *jobs.Queue, n Notifier, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	if cfg.VerifyTTL == 0 {
		cfg.VerifyTTL = 7 * 24 * time.Hour
	}
	if cfg.InviteTTL == 0 {
		cfg.InviteTTL = 14 * 24 * time.Hour
	}
	if cfg.PerIP == 0 {
		cfg.PerIP = 5
	}
	if cfg.IPWindow == 0 {
		cfg.IPWindow = time.Hour
	}
	if cfg.PerEmail == 0 {
		cfg.PerEmail = 3
	}
	if cfg.EmailWindow == 0 {
		cfg.EmailWindow = 24 * time.Hour
	}
	if cfg.AttemptsKept == 0 {
		cfg.AttemptsKept = 7 * 24 * time.Hour
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{db: d, orgs: orgs, jobs: q, notify: n, cfg: cfg}
	q.Register(KindExpire, 5, s.expire)
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) link(o org.Organization, rest string) string {
	return s.cfg.BaseURL + "/o/" + o.Slug + rest
}

// Form is what the applicant typed. Years are kept as typed so that the
// form can be shown again with a field error.
type Form struct {
	Family, Given, FamilyKana, GivenKana string
	Email                                string
	JoinedYear, LeftYear                 string
	Department                           string
	Message                              string
	Consent                              bool
	Lang                                 string // the page's language, for the emails
	// Honeypot is a field people never see; only robots fill it.
	Honeypot string
}

// FieldError is one problem with a form field (form.Problem).
type FieldError = form.Problem

// ValidationErrors are all the problems of one form; nothing was written (form.Problems).
type ValidationErrors = form.Problems

// Application is one stored application.
type Application struct {
	ID                                   int64
	OrgID                                int64
	Status                               string
	Email                                string
	Family, Given, FamilyKana, GivenKana string
	JoinedYear, LeftYear                 int
	Department, Message, Lang            string
	VerifiedAt                           time.Time
	UserID                               int64 // the account, once approved
	DecidedBy                            int64 // 0 when approved automatically
	DecidedAt                            time.Time
	RejectReason                         string
	CreatedAt                            time.Time
}

// Name is the applicant's name as a member name.
func (a Application) Name() org.Name {
	return org.Name{Family: a.Family, Given: a.Given, FamilyKana: a.FamilyKana, GivenKana: a.GivenKana}
}

// isKana accepts hiragana, katakana, the long vowel mark and spaces.
func isKana(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.Hiragana, unicode.Katakana) && r != 'ー' && r != ' ' && r != '　' && r != '・' {
			return false
		}
	}
	return true
}

// validate checks the form and returns it cleaned, with the parsed years.
func (s *Service) validate(f Form) (Application, error) {
	var errs ValidationErrors
	add := errs.Add
	a := Application{Family: form.Text(f.Family), Given: form.Text(f.Given), FamilyKana: form.Text(f.FamilyKana), GivenKana: form.Text(f.GivenKana),
		Department: form.Text(f.Department), Message: form.Text(f.Message), Lang: f.Lang}
	if a.Lang != "en" {
		a.Lang = "ja"
	}
	for field, v := range map[string]string{"family_name": a.Family, "given_name": a.Given} {
		switch {
		case v == "":
			add(field, "form.required")
		case utf8.RuneCountInString(v) > org.MaxNameLen:
			add(field, "form.too_long", "max", org.MaxNameLen)
		}
	}
	for field, v := range map[string]string{"family_kana": a.FamilyKana, "given_kana": a.GivenKana} {
		switch {
		case utf8.RuneCountInString(v) > org.MaxNameLen:
			add(field, "form.too_long", "max", org.MaxNameLen)
		case !isKana(v):
			add(field, "apply.error.kana")
		}
	}
	if strings.TrimSpace(f.Email) == "" {
		add("email", "form.required")
	} else if email, _, err := org.NormalizeEmail(f.Email); err != nil {
		add("email", "apply.error.email")
	} else {
		a.Email = email
	}
	thisYear := s.cfg.Now().In(tz.Japan).Year()
	year := func(field, v string) int {
		v = strings.TrimSpace(v)
		if v == "" {
			add(field, "form.required")
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1900 || n > thisYear {
			add(field, "apply.error.year", "max", thisYear)
			return 0
		}
		return n
	}
	a.JoinedYear = year("joined_year", f.JoinedYear)
	a.LeftYear = year("left_year", f.LeftYear)
	if a.JoinedYear > 0 && a.LeftYear > 0 && a.LeftYear < a.JoinedYear {
		add("left_year", "apply.error.left_before_joined")
	}
	if utf8.RuneCountInString(a.Department) > MaxDepartment {
		add("department", "form.too_long", "max", MaxDepartment)
	}
	if utf8.RuneCountInString(a.Message) > MaxMessage {
		add("message", "form.too_long", "max", MaxMessage)
	}
	if !f.Consent {
		add("consent", "apply.error.consent")
	}
	if len(errs) > 0 {
		return a, errs
	}
	return a, nil
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Submit takes an application from the public form. Whether or not the
// email belongs to a member, the answer is the same (nil): only the email
// tells the difference, so the form reveals nothing about who is a member.
// A filled honeypot is answered the same way and writes nothing.
func (s *Service) Submit(ctx context.Context, o org.Organization, f Form, c auth.Client) error {
	if strings.TrimSpace(f.Honeypot) != "" {
		return nil
	}
	a, err := s.validate(f)
	if err != nil {
		return err
	}
	lower := strings.ToLower(a.Email)
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if err := s.checkRate(ctx, tx, o.ID, c.IP, lower, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO application_attempts (org_id, ip, email_lower, created_at) VALUES ($1, $2, $3, $4)`,
			o.ID, c.IP, lower, now); err != nil {
			return err
		}
		name := a.Name().Display(a.Lang)
		var memberID int64
		err := tx.QueryRowContext(ctx, `SELECT u.id FROM users u
			JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
			WHERE u.org_id = $1 AND u.email_lower = $2 AND u.activated_at IS NOT NULL`, o.ID, lower).Scan(&memberID)
		switch {
		case err == nil:
			// Already in: tell them how to get in, by email only.
			if err := s.notify.ApplicationAlreadyMember(ctx, tx, o, a.Email, name, a.Lang, s.link(o, "/login"), s.link(o, "/forgot")); err != nil {
				return err
			}
			return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: lower, Action: "apply.member_notified", Target: fmt.Sprintf("user:%d", memberID), IP: c.IP})
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		secret := newSecret()
		expires := now.Add(s.cfg.VerifyTTL)
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO applications (org_id, status, email, email_lower, family_name, given_name,
			family_kana, given_kana, joined_year, left_year, department, message, lang, ip, verify_hash, verify_expires_at, created_at)
			VALUES ($1, 'unverified', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			o.ID, a.Email, lower, a.Family, a.Given, a.FamilyKana, a.GivenKana, a.JoinedYear, a.LeftYear, a.Department, a.Message,
			a.Lang, c.IP, hashSecret(secret), expires, now).Scan(&id); err != nil {
			return err
		}
		// The application is deleted when its link expires unused; the
		// privacy note on the form promises it.
		if _, err := s.jobs.Enqueue(ctx, tx, o.ID, KindExpire, expirePayload{ID: id}, expires); err != nil {
			return err
		}
		return s.notify.ApplicationVerify(ctx, tx, o, a.Email, name, a.Lang, s.link(o, "/apply/verify/"+secret))
	})
}

// checkRate refuses a submission over the per-IP or per-email limit, and
// forgets attempts older than anything the limits look at.
func (s *Service) checkRate(ctx context.Context, tx db.Tx, orgID int64, ip, lower string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM application_attempts WHERE org_id = $1 AND created_at < $2`, orgID, now.Add(-s.cfg.AttemptsKept)); err != nil {
		return err
	}
	var byIP, byEmail int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM application_attempts WHERE org_id = $1 AND ip = $2 AND created_at > $3`,
		orgID, ip, now.Add(-s.cfg.IPWindow)).Scan(&byIP); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM application_attempts WHERE org_id = $1 AND email_lower = $2 AND created_at > $3`,
		orgID, lower, now.Add(-s.cfg.EmailWindow)).Scan(&byEmail); err != nil {
		return err
	}
	if byIP >= s.cfg.PerIP || byEmail >= s.cfg.PerEmail {
		return ErrRateLimited
	}
	return nil
}

type expirePayload struct {
	ID int64 `json:"id"`
}

// expire deletes an application still unverified when its link ran out.
// Deleting twice is harmless, so a retried job does no harm.
func (s *Service) expire(ctx context.Context, j jobs.Job) error {
	var p expirePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	_, err := s.db.Write().ExecContext(ctx, `DELETE FROM applications WHERE org_id = $1 AND id = $2 AND status = 'unverified' AND verify_expires_at <= $3`,
		j.OrgID, p.ID, s.now())
	return err
}

const appSelect = `SELECT id, org_id, status, email, family_name, given_name, family_kana, given_kana, joined_year, left_year,
	department, message, lang, verified_at, user_id, decided_by, decided_at, reject_reason, created_at FROM applications`

func scanApp(row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var verified, decided sql.NullTime
	var userID, decidedBy sql.NullInt64
	err := row.Scan(&a.ID, &a.OrgID, &a.Status, &a.Email, &a.Family, &a.Given, &a.FamilyKana, &a.GivenKana, &a.JoinedYear, &a.LeftYear,
		&a.Department, &a.Message, &a.Lang, &verified, &userID, &decidedBy, &decided, &a.RejectReason, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.VerifiedAt, a.DecidedAt, a.UserID, a.DecidedBy = verified.Time, decided.Time, userID.Int64, decidedBy.Int64
	return a, err
}

// Peek returns the application behind a verification link without using it,
// for the confirmation page.
func (s *Service) Peek(ctx context.Context, o org.Organization, secret string) (Application, error) {
	return s.peek(ctx, s.db.Read(), o, secret)
}

func (s *Service) peek(ctx context.Context, q db.Querier, o org.Organization, secret string) (Application, error) {
	var expires time.Time
	a, err := scanApp(q.QueryRowContext(ctx, `SELECT id, org_id, status, email, family_name, given_name, family_kana, given_kana, joined_year, left_year,
		department, message, lang, verified_at, user_id, decided_by, decided_at, reject_reason, created_at FROM applications
		WHERE org_id = $1 AND verify_hash = $2`, o.ID, hashSecret(secret)))
	if errors.Is(err, ErrNotFound) {
		return a, ErrLinkInvalid
	}
	if err != nil {
		return a, err
	}
	if err := q.QueryRowContext(ctx, `SELECT verify_expires_at FROM applications WHERE org_id = $1 AND id = $2`, o.ID, a.ID).Scan(&expires); err != nil {
		return a, err
	}
	switch {
	case a.Status != StatusUnverified:
		return a, ErrLinkUsed
	case !s.now().Before(expires):
		return a, ErrLinkExpired
	}
	return a, nil
}

// Verified is the outcome of a verification.
type Verified struct {
	Application Application
	Approved    bool // matched one HR record and the invitation is on its way
}

// Verify uses a verification link: the application joins the staff queue,
// unless it matches exactly one HR record strongly, in which case it is
// approved at once and the invitation emailed.
func (s *Service) Verify(ctx context.Context, o org.Organization, secret string, c auth.Client) (Verified, error) {
	now := s.now()
	var out Verified
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		a, err := s.peek(ctx, tx, o, secret)
		if err != nil {
			return err
		}
		// Of two clicks racing, one moves the row out of 'unverified'.
		res, err := tx.ExecContext(ctx, `UPDATE applications SET status = 'pending', verified_at = $3 WHERE org_id = $1 AND id = $2 AND status = 'unverified'`,
			o.ID, a.ID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkUsed
		}
		a.Status, a.VerifiedAt = StatusPending, now
		if err := audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: strings.ToLower(a.Email), Action: "apply.verified",
			Target: fmt.Sprintf("application:%d", a.ID), IP: c.IP}); err != nil {
			return err
		}
		out.Application = a
		cands, err := s.candidates(ctx, tx, a)
		if err != nil {
			return err
		}
		var strong []Candidate
		for _, cand := range cands {
			if cand.Strong {
				strong = append(strong, cand)
			}
		}
		if len(strong) != 1 {
			return nil
		}
		if err := s.approveIn(ctx, tx, o, a, strong[0].UserID, nil, c); err != nil {
			return err
		}
		out.Approved = true
		return nil
	})
	return out, err
}

// Counts are the numbers of verified applications per status.
type Counts struct{ Pending, Approved, Rejected int }

// Count counts an organization's verified applications.
func (s *Service) Count(ctx context.Context, orgID int64) (Counts, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT status, COUNT(*) FROM applications WHERE org_id = $1 AND status <> 'unverified' GROUP BY status`, orgID)
	if err != nil {
		return Counts{}, err
	}
	defer rows.Close()
	var c Counts
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return c, err
		}
		switch st {
		case StatusPending:
			c.Pending = n
		case StatusApproved:
			c.Approved = n
		case StatusRejected:
			c.Rejected = n
		}
	}
	return c, rows.Err()
}

// List returns an organization's verified applications in one status,
// oldest first for the pending queue and newest first otherwise.
func (s *Service) List(ctx context.Context, orgID int64, status string, limit int) ([]Application, error) {
	if status == StatusUnverified {
		return nil, nil // never shown to staff
	}
	order := "created_at DESC, id DESC"
	if status == StatusPending {
		order = "created_at, id"
	}
	rows, err := s.db.Read().QueryContext(ctx, appSelect+` WHERE org_id = $1 AND status = $2 ORDER BY `+order+` LIMIT $3`, orgID, status, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Get returns a verified application of the organization.
func (s *Service) Get(ctx context.Context, orgID, id int64) (Application, error) {
	return scanApp(s.db.Read().QueryRowContext(ctx, appSelect+` WHERE org_id = $1 AND id = $2 AND status <> 'unverified'`, orgID, id))
}

// Staff is who decides, for the audit log.
type Staff struct {
	Member org.Member
	Client auth.Client
}

// Approve approves a pending application as staff, linking it to the HR
// record userID, or, with userID 0, giving the applicant a new alumni account.
func (s *Service) Approve(ctx context.Context, o org.Organization, id, userID int64, by Staff) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		a, err := scanApp(tx.QueryRowContext(ctx, appSelect+` WHERE org_id = $1 AND id = $2 AND status <> 'unverified'`, o.ID, id))
		if err != nil {
			return err
		}
		if a.Status != StatusPending {
			return ErrAlreadyDecided
		}
		return s.approveIn(ctx, tx, o, a, userID, &by.Member, by.Client)
	})
}

// approveIn decides a as approved within tx. The decision is made by a
// conditional update first, so that of two staff (or staff and the matcher)
// deciding at once exactly one wins and the other changes nothing.
func (s *Service) approveIn(ctx context.Context, tx db.Tx, o org.Organization, a Application, userID int64, by *org.Member, c auth.Client) error {
	now := s.now()
	var actorID any
	actorLabel, action := "matcher", "apply.auto_approved"
	if by != nil {
		actorID, actorLabel, action = by.UserID, by.Email, "apply.approved"
	}
	res, err := tx.ExecContext(ctx, `UPDATE applications SET status = 'approved', decided_by = $3, decided_at = $4
		WHERE org_id = $1 AND id = $2 AND status = 'pending'`, o.ID, a.ID, actorID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrAlreadyDecided
	}
	lower := strings.ToLower(a.Email)
	detail := map[string]string{"email": a.Email}
	if userID == 0 {
		userID, err = s.orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: a.Email, Name: a.Name(), Role: org.Alumni, Locale: a.Lang})
		if errors.Is(err, org.ErrEmailTaken) {
			return ErrEmailInUse
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE profiles SET joined_year = $3, left_year = $4, department = $5 WHERE org_id = $1 AND user_id = $2`,
			o.ID, userID, a.JoinedYear, a.LeftYear, a.Department); err != nil {
			return err
		}
		detail["account"] = "new"
	} else {
		var oldEmail, oldLocale string
		err := tx.QueryRowContext(ctx, `SELECT u.email, u.locale FROM users u
			JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL AND m.role = 'alumni'
			WHERE u.org_id = $1 AND u.id = $2 AND u.activated_at IS NULL`, o.ID, userID).Scan(&oldEmail, &oldLocale)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotLinkable
		}
		if err != nil {
			return err
		}
		detail["account"] = "linked"
		if strings.ToLower(oldEmail) != lower {
			// The verified address is the one the person reads now; the
			// record's may be a work address that stopped on the last day.
			_, err := tx.ExecContext(ctx, `UPDATE users SET email = $3, email_lower = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
				o.ID, userID, a.Email, lower, now)
			if db.IsUniqueViolation(err) {
				return ErrEmailInUse
			}
			if err != nil {
				return err
			}
			detail["old_email"] = oldEmail
			// Whoever reads the old address (HR may have recorded a personal
			// one) hears of the change, so that a person whose record was
			// claimed by someone else can object before any harm is done.
			if err := s.notify.ApplicationEmailChanged(ctx, tx, o, oldEmail, a.Name().Display(a.Lang), oldLocale); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET locale = $3 WHERE org_id = $1 AND id = $2 AND locale = ''`, o.ID, userID, a.Lang); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE applications SET user_id = $3 WHERE org_id = $1 AND id = $2`, o.ID, a.ID, userID); err != nil {
		return err
	}
	secret, err := auth.IssueToken(ctx, tx, auth.Token{OrgID: o.ID, Kind: auth.TokenInvite, UserID: userID, Email: a.Email, Role: org.Alumni,
		CreatedBy: actorOf(by), ExpiresAt: now.Add(s.cfg.InviteTTL)}, now)
	if err != nil {
		return err
	}
	if err := s.notify.ApplicationApproved(ctx, tx, o, a.Email, a.Name().Display(a.Lang), a.Lang, s.link(o, "/join/"+secret)); err != nil {
		return err
	}
	detail["user"] = fmt.Sprint(userID)
	return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actorOf(by), ActorLabel: actorLabel, Action: action,
		Target: fmt.Sprintf("application:%d", a.ID), IP: c.IP, Detail: detail})
}

// Reject declines a pending application with a reason, which is emailed to
// the applicant.
func (s *Service) Reject(ctx context.Context, o org.Organization, id int64, reason string, by Staff) error {
	reason = form.Text(reason)
	if reason == "" {
		return ErrReasonRequired
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return ErrReasonTooLong
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		a, err := scanApp(tx.QueryRowContext(ctx, appSelect+` WHERE org_id = $1 AND id = $2 AND status <> 'unverified'`, o.ID, id))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE applications SET status = 'rejected', decided_by = $3, decided_at = $4, reject_reason = $5
			WHERE org_id = $1 AND id = $2 AND status = 'pending'`, o.ID, id, by.Member.UserID, now, reason)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrAlreadyDecided
		}
		if err := s.notify.ApplicationRejected(ctx, tx, o, a.Email, a.Name().Display(a.Lang), a.Lang, reason); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: by.Member.UserID, ActorLabel: by.Member.Email, Action: "apply.rejected",
			Target: fmt.Sprintf("application:%d", id), IP: by.Client.IP})
	})
}

// actorOf is the deciding member's id, 0 for the matcher.
func actorOf(by *org.Member) int64 {
	if by == nil {
		return 0
	}
	return by.UserID
}
