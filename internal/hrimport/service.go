package hrimport

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// JobKind is the job that runs a dry run or an import.
const JobKind = "hrimport.run"

// Phases and modes of a run.
const (
	PhaseDryRun = "dry_run"
	PhaseRun    = "run"
	ModeAll     = "all"     // one transaction: any error and nothing is written
	ModePerRow  = "per_row" // valid rows are written in batches, invalid ones reported
)

// States of an import.
const (
	StateReady   = "ready"
	StateQueued  = "queued"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// ErrNotFound means no such import in the organization.
var ErrNotFound = errors.New("import not found")

// ErrTooLarge means the uploaded file is over the limit.
var ErrTooLarge = errors.New("file too large")

// ErrBusy means the import is queued or running.
var ErrBusy = errors.New("import is running")

// Actor is who runs the import, for the audit log.
type Actor struct {
	UserID int64
	Label  string
	IP     string
}

// Service stores uploaded HR files and imports them.
type Service struct {
	db      *db.DB
	orgs    *org.Store
	members *member.Store
	jobs    *jobs.Queue
	dir     string
	now     func() time.Time
	log     *slog.Logger

	mu       sync.Mutex
	progress map[int64]int // rows done of running imports, for the page while a transaction holds the rows
}

// New returns a Service that keeps uploaded files in dir and registers its
// job kind on q (q may be nil for a command-line run). log receives what went
// wrong in a row that could not be written (nil: discarded).
func New(d *db.DB, orgs *org.Store, members *member.Store, q *jobs.Queue, dir string, now func() time.Time, log *slog.Logger) (*Service, error) {
	if now == nil {
		now = db.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: d, orgs: orgs, members: members, jobs: q, dir: dir, now: now, log: log, progress: map[int64]int{}}
	if q != nil {
		// One attempt: a run is idempotent, but a failed all-or-nothing run is
		// the user's to repeat after fixing the file, not the queue's.
		q.Register(JobKind, 1, s.runJob)
	}
	return s, nil
}

// Import is one uploaded file and the state of its latest dry run or run.
type Import struct {
	ID, OrgID        int64
	CreatedBy        int64
	FileName         string
	storedName       string
	Size             int64
	Detected         string
	Encoding         string
	Header           []string
	Mapping          Mapping
	Problem          string // i18n key of a file-level problem ("" if none)
	ProblemRow       int
	Phase, Mode      string
	State            string
	Total, Done      int
	Created, Updated int
	Unchanged        int
	Converted        int
	Errors           int
	Written          bool // a real run committed rows
	CreatedAt        time.Time
	FinishedAt       time.Time
	UpdatedAt        time.Time // progress is saved at least every batch
}

// staleAfter is how long a queued or running import may go without
// progress before it counts as abandoned (its server stopped mid-run) and
// may be started again. A run is idempotent, so starting it again is safe.
const staleAfter = 30 * time.Minute

func (s *Service) busy(i Import) bool {
	return i.Busy() && s.now().Sub(i.UpdatedAt) < staleAfter
}

// Finished says the latest dry run or run ended.
func (i Import) Finished() bool { return i.State == StateDone || i.State == StateFailed }

// Busy says a dry run or run is queued or running.
func (i Import) Busy() bool { return i.State == StateQueued || i.State == StateRunning }

// Percent is the progress for the bar.
func (i Import) Percent() int {
	if i.Total == 0 {
		return 0
	}
	return min(100, i.Done*100/i.Total)
}

// Path is where the file is stored.
func (s *Service) path(i Import) string { return filepath.Join(s.dir, i.storedName) }

const importSelect = `SELECT id, org_id, COALESCE(created_by, 0), file_name, stored_name, size_bytes, detected_encoding, encoding,
	header, mapping, file_problem, file_problem_row, phase, mode, state, rows_total, rows_done, created_count, updated_count,
	unchanged_count, converted_count, error_count, written, created_at, finished_at, updated_at FROM imports`

func scanImport(row interface{ Scan(...any) error }) (Import, error) {
	var i Import
	var header, mapping string
	var fin sql.NullTime
	err := row.Scan(&i.ID, &i.OrgID, &i.CreatedBy, &i.FileName, &i.storedName, &i.Size, &i.Detected, &i.Encoding, &header, &mapping,
		&i.Problem, &i.ProblemRow, &i.Phase, &i.Mode, &i.State, &i.Total, &i.Done, &i.Created, &i.Updated, &i.Unchanged,
		&i.Converted, &i.Errors, &i.Written, &i.CreatedAt, &fin, &i.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return i, ErrNotFound
	}
	if err != nil {
		return i, err
	}
	_ = json.Unmarshal([]byte(header), &i.Header)
	i.Mapping = Mapping{}
	_ = json.Unmarshal([]byte(mapping), &i.Mapping)
	if fin.Valid {
		i.FinishedAt = fin.Time
	}
	return i, nil
}

// Get returns an import of orgID, with live progress while it runs here.
func (s *Service) Get(ctx context.Context, orgID, id int64) (Import, error) {
	i, err := scanImport(s.db.Read().QueryRowContext(ctx, importSelect+` WHERE org_id = $1 AND id = $2`, orgID, id))
	if err == nil && i.State == StateRunning {
		s.mu.Lock()
		if n, ok := s.progress[id]; ok && n > i.Done {
			i.Done = n
		}
		s.mu.Unlock()
	}
	return i, err
}

// Recent lists the latest imports of orgID.
func (s *Service) Recent(ctx context.Context, orgID int64, limit int) ([]Import, error) {
	rows, err := s.db.Read().QueryContext(ctx, importSelect+` WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		i, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Upload stores the file (streaming, at most maxBytes) and inspects it:
// detected encoding, header, row count, suggested mapping. A file the
// inspection cannot read is still stored, with its Problem, so that the user
// can choose another encoding.
func (s *Service) Upload(ctx context.Context, orgID int64, by Actor, fileName string, r io.Reader, maxBytes int64) (Import, error) {
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	stored := fmt.Sprintf("%d-%s.csv", orgID, hex.EncodeToString(rnd[:]))
	// Made on first use, so that commands which never import leave the data directory alone.
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return Import{}, err
	}
	f, err := os.OpenFile(filepath.Join(s.dir, stored), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return Import{}, err
	}
	n, err := io.Copy(f, io.LimitReader(r, maxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxBytes {
		err = ErrTooLarge
	}
	if err != nil {
		os.Remove(filepath.Join(s.dir, stored))
		return Import{}, err
	}
	now := s.now()
	var id int64
	err = s.db.Write().QueryRowContext(ctx, `INSERT INTO imports (org_id, created_by, actor_label, file_name, stored_name, size_bytes,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		orgID, nullID(by.UserID), by.Label, filepath.Base(fileName), stored, n, now).Scan(&id)
	if err != nil {
		os.Remove(filepath.Join(s.dir, stored))
		return Import{}, err
	}
	return s.Reinspect(ctx, orgID, id, "auto")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Reinspect reads the file again in enc ("auto" to detect), storing the
// header, row count and a suggested mapping (kept if the header is the same).
func (s *Service) Reinspect(ctx context.Context, orgID, id int64, enc string) (Import, error) {
	i, err := s.Get(ctx, orgID, id)
	if err != nil {
		return i, err
	}
	if i.Busy() {
		return i, ErrBusy
	}
	f, err := os.Open(s.path(i))
	if err != nil {
		return i, err
	}
	defer f.Close()
	in, ierr := Inspect(f, enc)
	problem, problemRow := "", 0
	var fe *FileError
	if errors.As(ierr, &fe) {
		problem, problemRow = fe.Key, fe.Row
	} else if ierr != nil {
		return i, ierr
	}
	mapping := i.Mapping
	if !sameStrings(in.Header, i.Header) || len(mapping) == 0 {
		mapping = Suggest(in.Header)
	}
	header, _ := json.Marshal(nonNil(in.Header))
	mjson, _ := json.Marshal(mapping)
	_, err = s.db.Write().ExecContext(ctx, `UPDATE imports SET detected_encoding = $3, encoding = $4, header = $5, mapping = $6,
		file_problem = $7, file_problem_row = $8, rows_total = $9, rows_done = 0, state = $10, phase = '', updated_at = $11
		WHERE org_id = $1 AND id = $2`, orgID, id, in.Detected, in.Encoding, string(header), string(mjson), problem, problemRow,
		in.Rows, StateReady, s.now())
	if err != nil {
		return i, err
	}
	return s.Get(ctx, orgID, id)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Preview returns the first rows of the file as it is read now.
func (s *Service) Preview(i Import) ([][]string, error) {
	if i.Encoding != UTF8 && i.Encoding != CP932 {
		return nil, nil
	}
	f, err := os.Open(s.path(i))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := NewReader(f, i.Encoding)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for len(out) <= PreviewRows {
		rec, _, err := rd.Read()
		if err != nil {
			break
		}
		out = append(out, rec)
	}
	if len(out) > 0 {
		out = out[1:]
	}
	return out, nil
}

// SetMapping stores the mapping the user chose, refusing one that cannot work.
func (s *Service) SetMapping(ctx context.Context, orgID, id int64, m Mapping) error {
	i, err := s.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if i.Busy() {
		return ErrBusy
	}
	if err := m.Check(len(i.Header)); err != nil {
		return err
	}
	mjson, _ := json.Marshal(m)
	_, err = s.db.Write().ExecContext(ctx, `UPDATE imports SET mapping = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`, orgID, id, string(mjson), s.now())
	return err
}

type jobPayload struct {
	ImportID int64  `json:"import_id"`
	UserID   int64  `json:"user_id"`
	Label    string `json:"label"`
	IP       string `json:"ip"`
}

// Start queues a dry run (phase PhaseDryRun) or a run in mode.
func (s *Service) Start(ctx context.Context, orgID, id int64, phase, mode string, by Actor) error {
	i, err := s.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if err := s.prepare(ctx, i, phase, mode); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE imports SET state = $3, phase = $4, mode = $5, rows_done = 0, updated_at = $6
			WHERE org_id = $1 AND id = $2 AND (state NOT IN ('queued', 'running') OR updated_at < $7)`,
			orgID, id, StateQueued, phase, mode, s.now(), s.now().Add(-staleAfter))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrBusy
		}
		_, err = s.jobs.Enqueue(ctx, tx, orgID, JobKind, jobPayload{ImportID: id, UserID: by.UserID, Label: by.Label, IP: by.IP}, s.now())
		return err
	})
}

func (s *Service) prepare(ctx context.Context, i Import, phase, mode string) error {
	if s.busy(i) {
		return ErrBusy
	}
	if i.Problem != "" {
		return &FileError{Row: i.ProblemRow, Key: i.Problem, Err: errors.New(i.Problem)}
	}
	if phase != PhaseDryRun && phase != PhaseRun {
		return fmt.Errorf("unknown phase %q", phase)
	}
	if phase == PhaseRun && mode != ModeAll && mode != ModePerRow {
		return &MappingError{Field: "mode", Problem: "choose all or per_row", Key: "hrimport.run.choose_mode"}
	}
	return i.Mapping.Check(len(i.Header))
}

// RunNow runs a dry run or run in this goroutine (the command line).
func (s *Service) RunNow(ctx context.Context, orgID, id int64, phase, mode string, by Actor) (Import, error) {
	i, err := s.Get(ctx, orgID, id)
	if err != nil {
		return i, err
	}
	if err := s.prepare(ctx, i, phase, mode); err != nil {
		return i, err
	}
	if _, err := s.db.Write().ExecContext(ctx, `UPDATE imports SET state = $3, phase = $4, mode = $5, rows_done = 0, updated_at = $6
		WHERE org_id = $1 AND id = $2`, orgID, id, StateQueued, phase, mode, s.now()); err != nil {
		return i, err
	}
	if err := s.execute(ctx, orgID, id, by); err != nil {
		return i, err
	}
	return s.Get(ctx, orgID, id)
}

func (s *Service) runJob(ctx context.Context, j jobs.Job) error {
	var p jobPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	err := s.execute(ctx, j.OrgID, p.ImportID, Actor{UserID: p.UserID, Label: p.Label, IP: p.IP})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Delete removes an import's stored file (personal data HR no longer needs
// here once imported) and its record with its errors.
func (s *Service) Delete(ctx context.Context, orgID, id int64) error {
	i, err := s.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if s.busy(i) {
		return ErrBusy
	}
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_errors WHERE org_id = $1 AND import_id = $2`, orgID, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM imports WHERE org_id = $1 AND id = $2`, orgID, id)
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Remove(s.path(i)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// EachError calls fn for every row error of the latest run, in row order,
// streaming from the database.
func (s *Service) EachError(ctx context.Context, orgID, id int64, limit int, fn func(RowError) error) error {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT row_number, field, column_name, msg_key, value FROM import_errors
		WHERE org_id = $1 AND import_id = $2 ORDER BY row_number, id LIMIT $3`, orgID, id, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e RowError
		var f string
		if err := rows.Scan(&e.Row, &f, &e.Column, &e.Key, &e.Value); err != nil {
			return err
		}
		e.Field = Field(f)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
