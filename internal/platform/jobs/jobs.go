// Package jobs is Tsunagu's durable job queue. Jobs live in the application
// database (the jobs table), so that a caller can enqueue a job inside the
// same transaction as the data it is about, and the queue works the same way
// on SQLite and PostgreSQL through database/sql.
//
// Delivery is at least once: a job whose worker dies is retaken after its
// lease expires, so handlers must be idempotent or record what they did.
//
// Life of a job: pending → running → done, or back to pending with a later
// run_at after a failed attempt, or failed once its attempts are used up, its
// handler returns a Permanent error, or no handler exists for its kind.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Job is one run of a queued job, as a handler sees it.
type Job struct {
	ID          int64
	OrgID       int64 // 0 if none
	Kind        string
	Payload     []byte // JSON
	Attempt     int    // 1-based, this run
	MaxAttempts int
}

// Handler runs a job. Returning nil marks it done; an error schedules a retry
// (or fails the job when its attempts are used up or the error is Permanent).
// The context is cancelled when the job's lease runs out or the queue is shut
// down without grace.
type Handler func(ctx context.Context, j Job) error

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps an error so the job fails at once without retries.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

func isPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Options tune a Queue. The zero value is sensible.
type Options struct {
	Workers      int                             // concurrent workers (default 2)
	PollInterval time.Duration                   // default 1s; also woken immediately by Enqueue in the same process
	Lease        time.Duration                   // how long a running job is locked before another worker may retake it (default 5m)
	Now          func() time.Time                // clock, default db.Now
	Backoff      func(attempt int) time.Duration // default: min(attempt^4 seconds + jitter up to 20%, 1h)
	Logger       *slog.Logger                    // default slog.Default()
}

// maxErrorLen caps last_error so that a handler returning a huge error does
// not bloat the table.
const maxErrorLen = 4000

// Package-level collectors: registered once on the default registry however
// many queues are created.
var (
	jobsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "tsunagu_jobs_total",
		Help: "Job runs by kind and outcome (done, retry, failed).",
	}, []string{"kind", "outcome"})
	jobDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tsunagu_job_duration_seconds",
		Help:    "How long job handlers ran, by kind.",
		Buckets: prometheus.ExponentialBuckets(0.005, 4, 10), // 5ms … ~22min
	}, []string{"kind"})
)

type registration struct {
	maxAttempts int
	handler     Handler
}

// Queue enqueues and runs jobs. Create it with New, Register handlers, then
// Start workers (or call RunOnce).
type Queue struct {
	d    *db.DB
	opts Options
	log  *slog.Logger

	mu       sync.RWMutex
	handlers map[string]registration

	wake chan struct{} // buffered(1): a job may be ready

	lifeMu   sync.Mutex
	started  bool
	stopped  bool
	stop     chan struct{}      // closed by Shutdown: take no new jobs
	runCtx   context.Context    // parent of the handlers' contexts in workers
	cancel   context.CancelFunc // cancels runCtx when Shutdown runs out of time
	workers  sync.WaitGroup
	finished chan struct{} // closed when every worker has returned
}

// New returns a queue on d. Call Register for each job kind before Start.
func New(d *db.DB, opts Options) *Queue {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = db.Now
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	runCtx, cancel := context.WithCancel(context.Background())
	return &Queue{
		d:        d,
		opts:     opts,
		log:      log,
		handlers: map[string]registration{},
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		runCtx:   runCtx,
		cancel:   cancel,
		finished: make(chan struct{}),
	}
}

// defaultBackoff waits attempt^4 seconds plus up to 20% jitter, at most an hour.
func defaultBackoff(attempt int) time.Duration {
	const limit = time.Hour
	if attempt < 1 {
		attempt = 1
	}
	if attempt >= 8 { // 8^4 s is already beyond an hour
		return limit
	}
	base := time.Duration(attempt*attempt*attempt*attempt) * time.Second
	d := base + time.Duration(rand.Float64()*0.2*float64(base))
	return min(d, limit)
}

// now is the queue's clock in the form stored in the database: UTC,
// microsecond precision (on SQLite, times compare as text, so they must all
// be in the same zone).
func (q *Queue) now() time.Time { return q.opts.Now().UTC().Truncate(time.Microsecond) }

// Register sets the handler of a job kind and how many times a job of that
// kind is tried in all. It panics on a duplicate kind, an empty kind, a nil
// handler or maxAttempts < 1: those are programming errors.
func (q *Queue) Register(kind string, maxAttempts int, h Handler) {
	if kind == "" {
		panic("jobs: Register with an empty kind")
	}
	if h == nil {
		panic(fmt.Sprintf("jobs: Register(%q) with a nil handler", kind))
	}
	if maxAttempts < 1 {
		panic(fmt.Sprintf("jobs: Register(%q) with maxAttempts %d; it must be at least 1", kind, maxAttempts))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.handlers[kind]; dup {
		panic(fmt.Sprintf("jobs: kind %q registered twice", kind))
	}
	q.handlers[kind] = registration{maxAttempts: maxAttempts, handler: h}
}

func (q *Queue) lookup(kind string) (registration, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	r, ok := q.handlers[kind]
	return r, ok
}

// Enqueue inserts a job; exec may be a *sql.Tx (d.Tx) so the job commits with
// the caller's data, or d.Write(). runAt zero = now. The kind must be
// registered on this queue (its max attempts are stored with the job).
// payload is marshalled to JSON, except a json.RawMessage or []byte, which
// must already be JSON and is stored as is.
//
// Workers in this process are woken at once; a job enqueued in a transaction
// that has not committed yet is seen by them at the next poll at the latest.
func (q *Queue) Enqueue(ctx context.Context, exec db.Querier, orgID int64, kind string, payload any, runAt time.Time) (int64, error) {
	reg, ok := q.lookup(kind)
	if !ok {
		return 0, fmt.Errorf("jobs: enqueue: kind %q is not registered", kind)
	}
	var body []byte
	switch p := payload.(type) {
	case json.RawMessage:
		body = p
	case []byte:
		body = p
	default:
		b, err := json.Marshal(payload)
		if err != nil {
			return 0, fmt.Errorf("jobs: enqueue %s: payload: %w", kind, err)
		}
		body = b
	}
	if len(body) == 0 {
		body = []byte("null")
	}
	if !json.Valid(body) {
		return 0, fmt.Errorf("jobs: enqueue %s: payload is not valid JSON", kind)
	}
	now := q.now()
	if runAt.IsZero() {
		runAt = now
	}
	runAt = runAt.UTC().Truncate(time.Microsecond)
	var org sql.NullInt64
	if orgID != 0 {
		org = sql.NullInt64{Int64: orgID, Valid: true}
	}
	var id int64
	err := exec.QueryRowContext(ctx, `
		INSERT INTO jobs (org_id, kind, payload, state, attempts, max_attempts, run_at, created_at)
		VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6)
		RETURNING id`,
		org, kind, string(body), reg.maxAttempts, runAt, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	if !runAt.After(now) {
		q.signal()
	}
	return id, nil
}

// signal wakes one idle worker, if any.
func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Start launches workers in the background. Calling it again, or after
// Shutdown, does nothing.
func (q *Queue) Start() {
	q.lifeMu.Lock()
	defer q.lifeMu.Unlock()
	if q.started || q.stopped {
		return
	}
	q.started = true
	for range q.opts.Workers {
		q.workers.Add(1)
		go q.worker()
	}
	go func() {
		q.workers.Wait()
		close(q.finished)
	}()
}

// Shutdown stops taking new jobs and waits for in-flight ones to finish
// (until ctx is done, then it cancels their contexts and waits for them to
// return, and returns ctx's error). Jobs interrupted that way stay 'running'
// and are retaken after their lease expires.
func (q *Queue) Shutdown(ctx context.Context) error {
	q.lifeMu.Lock()
	started := q.started
	if !q.stopped {
		q.stopped = true
		close(q.stop)
	}
	q.lifeMu.Unlock()
	if !started {
		q.cancel()
		return nil
	}
	select {
	case <-q.finished:
		q.cancel()
		return nil
	case <-ctx.Done():
		select {
		case <-q.finished: // finished just in time
			q.cancel()
			return nil
		default:
		}
		q.cancel()
		<-q.finished
		return ctx.Err()
	}
}

func (q *Queue) stopping() bool {
	select {
	case <-q.stop:
		return true
	default:
		return false
	}
}

func (q *Queue) worker() {
	defer q.workers.Done()
	timer := time.NewTimer(q.opts.PollInterval)
	defer timer.Stop()
	for !q.stopping() {
		ran, err := q.runNext(q.runCtx)
		if err != nil && q.runCtx.Err() == nil {
			q.log.Error("jobs: claim failed", "error", err)
		}
		if ran {
			// There may be more: let another idle worker look too.
			q.signal()
			continue
		}
		timer.Reset(q.opts.PollInterval)
		select {
		case <-q.stop:
			return
		case <-q.wake:
		case <-timer.C:
		}
	}
}

// RunOnce claims and runs ready jobs until none is ready, in the calling
// goroutine; for tests and the CLI. Returns number run. A handler's failure
// is the job's outcome, not an error of RunOnce; errors are from the database
// or ctx.
func (q *Queue) RunOnce(ctx context.Context) (int, error) {
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		ran, err := q.runNext(ctx)
		if err != nil {
			return n, err
		}
		if !ran {
			return n, nil
		}
		n++
	}
}

// claimed is a job as claimed from the table.
type claimed struct {
	Job
	lockedUntil time.Time
}

// claim atomically takes the next ready job: a pending one whose time has
// come, or a running one whose lease has expired (its worker died).
func (q *Queue) claim(ctx context.Context) (*claimed, error) {
	now := q.now()
	lease := now.Add(q.opts.Lease)
	lock := ""
	if q.d.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	// On SQLite the write pool has one connection and an UPDATE takes the
	// write lock before it reads, so the statement is atomic across
	// connections and processes too.
	query := `
		UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1
		WHERE id = (
			SELECT id FROM jobs
			WHERE (state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)
			ORDER BY run_at, id
			LIMIT 1` + lock + `
		)
		RETURNING id, org_id, kind, payload, attempts, max_attempts`
	var (
		c       claimed
		org     sql.NullInt64
		payload []byte
	)
	err := q.d.Write().QueryRowContext(ctx, query, lease, now).
		Scan(&c.ID, &org, &c.Kind, &payload, &c.Attempt, &c.MaxAttempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	c.OrgID = org.Int64
	c.Payload = payload
	c.lockedUntil = lease
	return &c, nil
}

// runNext claims one job and runs it. It reports whether a job was claimed.
func (q *Queue) runNext(ctx context.Context) (bool, error) {
	c, err := q.claim(ctx)
	if err != nil || c == nil {
		return false, err
	}
	q.run(ctx, c)
	return true, nil
}

func (q *Queue) run(ctx context.Context, c *claimed) {
	j := c.Job
	// Recording the outcome must not fail because the handler's context (or
	// the caller's) was cancelled.
	recordCtx, cancelRecord := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancelRecord()

	reg, ok := q.lookup(j.Kind)
	if !ok {
		q.finish(recordCtx, j, "failed", fmt.Errorf("no handler is registered for job kind %q in this process", j.Kind), 0)
		return
	}
	if j.Attempt > j.MaxAttempts {
		// Only a job retaken after its lease expired gets here: the worker
		// running its last attempt died (or was stopped without grace).
		q.finish(recordCtx, j, "failed", fmt.Errorf("lease expired during the final attempt (%d of %d): the worker died or was stopped; not retried", j.Attempt-1, j.MaxAttempts), 0)
		return
	}

	// The handler must be done before the lease runs out, or another worker
	// would take the job while it still runs.
	hctx, cancel := context.WithTimeout(ctx, q.opts.Lease)
	start := time.Now()
	herr := callHandler(hctx, reg.handler, j)
	elapsed := time.Since(start)
	leaseExpired := errors.Is(hctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	cancel()
	jobDuration.WithLabelValues(j.Kind).Observe(elapsed.Seconds())

	switch {
	case herr == nil:
		q.finish(recordCtx, j, "done", nil, elapsed)
	case ctx.Err() != nil:
		// Interrupted by Shutdown (or RunOnce's caller): leave the job
		// 'running'; it is retaken once its lease expires.
		q.log.Warn("job interrupted; it will be retaken after its lease expires",
			"kind", j.Kind, "id", j.ID, "attempt", j.Attempt, "error", herr, "locked_until", c.lockedUntil)
	default:
		if leaseExpired {
			herr = fmt.Errorf("%w (the job ran longer than its lease of %s)", herr, q.opts.Lease)
		}
		if isPermanent(herr) || j.Attempt >= j.MaxAttempts {
			q.finish(recordCtx, j, "failed", herr, elapsed)
		} else {
			q.finish(recordCtx, j, "retry", herr, elapsed)
		}
	}
}

// callHandler runs h, turning a panic into an error.
func callHandler(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return h(ctx, j)
}

type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// finish records a run's outcome: "done", "retry" or "failed". The update
// only applies while the job is still this run's (same attempt, still
// running): if the lease expired and another worker retook the job, this
// stale run must not overwrite it.
func (q *Queue) finish(ctx context.Context, j Job, outcome string, runErr error, elapsed time.Duration) {
	now := q.now()
	var (
		res sql.Result
		err error
	)
	switch outcome {
	case "done":
		res, err = q.d.Write().ExecContext(ctx, `
			UPDATE jobs SET state = 'done', finished_at = $1, locked_until = NULL
			WHERE id = $2 AND attempts = $3 AND state = 'running'`,
			now, j.ID, j.Attempt)
	case "retry":
		runAt := now.Add(max(q.opts.Backoff(j.Attempt), 0)).UTC().Truncate(time.Microsecond)
		res, err = q.d.Write().ExecContext(ctx, `
			UPDATE jobs SET state = 'pending', run_at = $1, last_error = $2, locked_until = NULL
			WHERE id = $3 AND attempts = $4 AND state = 'running'`,
			runAt, truncateError(runErr), j.ID, j.Attempt)
	case "failed":
		res, err = q.d.Write().ExecContext(ctx, `
			UPDATE jobs SET state = 'failed', finished_at = $1, last_error = $2, locked_until = NULL
			WHERE id = $3 AND attempts = $4 AND state = 'running'`,
			now, truncateError(runErr), j.ID, j.Attempt)
	}
	jobsTotal.WithLabelValues(j.Kind, outcome).Inc()

	attrs := []any{"kind", j.Kind, "id", j.ID, "attempt", j.Attempt}
	if runErr != nil {
		attrs = append(attrs, "max_attempts", j.MaxAttempts, "error", runErr.Error())
		var pe *panicError
		if errors.As(runErr, &pe) {
			attrs = append(attrs, "stack", string(pe.stack))
		}
		switch outcome {
		case "retry":
			q.log.Warn("job failed; will retry", attrs...)
		default:
			q.log.Error("job failed", attrs...)
		}
	} else {
		q.log.Debug("job done", append(attrs, "duration", elapsed)...)
	}

	if err != nil {
		q.log.Error("jobs: could not record the outcome; the job will be retaken after its lease expires",
			"kind", j.Kind, "id", j.ID, "attempt", j.Attempt, "outcome", outcome, "error", err)
		return
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		q.log.Warn("jobs: outcome not recorded: the job was retaken by another worker after its lease expired",
			"kind", j.Kind, "id", j.ID, "attempt", j.Attempt, "outcome", outcome)
	}
}

func truncateError(err error) string {
	s := err.Error()
	if len(s) <= maxErrorLen {
		return s
	}
	s = s[:maxErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// Stats counts jobs by state.
type Stats struct{ Pending, Running, Done, Failed int }

// Stats counts the jobs in each state, across every organization: for the
// operator, never for an organization's pages.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	return q.stats(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
}

// OrgStats counts one organization's jobs in each state, for its admins.
func (q *Queue) OrgStats(ctx context.Context, orgID int64) (Stats, error) {
	return q.stats(ctx, `SELECT state, COUNT(*) FROM jobs WHERE org_id = $1 GROUP BY state`, orgID)
}

func (q *Queue) stats(ctx context.Context, query string, args ...any) (Stats, error) {
	rows, err := q.d.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return Stats{}, fmt.Errorf("jobs: stats: %w", err)
	}
	defer rows.Close()
	var s Stats
	for rows.Next() {
		var (
			state string
			n     int
		)
		if err := rows.Scan(&state, &n); err != nil {
			return Stats{}, fmt.Errorf("jobs: stats: %w", err)
		}
		switch state {
		case "pending":
			s.Pending = n
		case "running":
			s.Running = n
		case "done":
			s.Done = n
		case "failed":
			s.Failed = n
		}
	}
	if err := rows.Err(); err != nil {
		return Stats{}, fmt.Errorf("jobs: stats: %w", err)
	}
	return s, nil
}

// Get returns a job's state, attempts and last error (for tests and admin
// pages). An unknown id gives an error wrapping sql.ErrNoRows.
func (q *Queue) Get(ctx context.Context, id int64) (State string, attempts int, lastError string, err error) {
	err = q.d.Read().QueryRowContext(ctx,
		`SELECT state, attempts, last_error FROM jobs WHERE id = $1`, id).
		Scan(&State, &attempts, &lastError)
	if err != nil {
		return "", 0, "", fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return State, attempts, lastError, nil
}
