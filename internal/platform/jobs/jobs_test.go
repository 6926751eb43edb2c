package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	// Fractional seconds on purpose: SQLite compares the stored times as text.
	return &fakeClock{t: time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// openURL opens (and migrates) the database at url, closing it when the test ends.
func openURL(t *testing.T, url string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

type jobState struct {
	State     string
	Attempts  int
	LastError string
}

func get(t *testing.T, q *jobs.Queue, id int64) jobState {
	t.Helper()
	s, a, e, err := q.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return jobState{s, a, e}
}

func runOnce(t *testing.T, q *jobs.Queue, want int) {
	t.Helper()
	n, err := q.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n != want {
		t.Fatalf("RunOnce ran %d jobs, want %d", n, want)
	}
}

func enqueue(t *testing.T, q *jobs.Queue, d *db.DB, kind string, payload any) int64 {
	t.Helper()
	id, err := q.Enqueue(context.Background(), d.Write(), 0, kind, payload, time.Time{})
	if err != nil {
		t.Fatalf("Enqueue(%s): %v", kind, err)
	}
	return id
}

// waitFor polls cond until it holds or a generous timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func recv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

type greeting struct {
	Name  string
	Count int
	Tags  []string
}

func TestEnqueueInTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Logger: testLogger(t)})
	var got []jobs.Job
	q.Register("greet", 4, func(ctx context.Context, j jobs.Job) error {
		got = append(got, j)
		return nil
	})
	want := greeting{Name: "Aiko 愛子", Count: 3, Tags: []string{"a", "b"}}

	// Rolled back: no job.
	errRollback := errors.New("rollback")
	err := d.Tx(ctx, func(tx db.Tx) error {
		if _, err := q.Enqueue(ctx, tx, 7, "greet", want, time.Time{}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Tx = %v, want the rollback error", err)
	}
	if st, err := q.Stats(ctx); err != nil || st != (jobs.Stats{}) {
		t.Fatalf("after rollback Stats = %+v, %v; want none", st, err)
	}
	runOnce(t, q, 0)
	if len(got) != 0 {
		t.Fatalf("handler ran %d times for a rolled-back job", len(got))
	}

	// Committed: the job runs, with its payload.
	var id int64
	err = d.Tx(ctx, func(tx db.Tx) error {
		var err error
		if id, err = q.Enqueue(ctx, tx, 7, "greet", want, time.Time{}); err != nil {
			return err
		}
		// Not visible outside the transaction before it commits.
		if st, err := q.Stats(ctx); err != nil || st.Pending != 0 {
			t.Errorf("inside the transaction, Stats = %+v, %v; want the job invisible", st, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Tx: %v", err)
	}
	if st, err := q.Stats(ctx); err != nil || st != (jobs.Stats{Pending: 1}) {
		t.Fatalf("after commit Stats = %+v, %v; want 1 pending", st, err)
	}
	runOnce(t, q, 1)
	if len(got) != 1 {
		t.Fatalf("handler ran %d times, want 1", len(got))
	}
	j := got[0]
	if j.ID != id || j.OrgID != 7 || j.Kind != "greet" || j.Attempt != 1 || j.MaxAttempts != 4 {
		t.Errorf("job = %+v, want id %d, org 7, kind greet, attempt 1 of 4", j, id)
	}
	var back greeting
	if err := json.Unmarshal(j.Payload, &back); err != nil {
		t.Fatalf("payload %q: %v", j.Payload, err)
	}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("payload = %+v, want %+v", back, want)
	}
	if s := get(t, q, id); s != (jobState{"done", 1, ""}) {
		t.Errorf("Get = %+v, want done after 1 attempt", s)
	}
	if st, err := q.Stats(ctx); err != nil || st != (jobs.Stats{Done: 1}) {
		t.Errorf("Stats = %+v, %v; want 1 done", st, err)
	}
	runOnce(t, q, 0) // done jobs are not run again
}

func TestEnqueuePayloadsAndErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Logger: testLogger(t)})
	payloads := map[int64]string{}
	q.Register("raw", 1, func(ctx context.Context, j jobs.Job) error {
		payloads[j.ID] = string(j.Payload)
		if j.OrgID != 0 {
			return fmt.Errorf("org %d, want 0", j.OrgID)
		}
		return nil
	})
	raw := enqueue(t, q, d, "raw", json.RawMessage(`{"a":[1,2]}`))
	bytes := enqueue(t, q, d, "raw", []byte(`"x"`))
	null := enqueue(t, q, d, "raw", nil)
	if _, err := q.Enqueue(ctx, d.Write(), 0, "raw", []byte(`{"broken"`), time.Time{}); err == nil {
		t.Error("Enqueue accepted invalid JSON")
	}
	if _, err := q.Enqueue(ctx, d.Write(), 0, "nobody-handles-this", 1, time.Time{}); err == nil {
		t.Error("Enqueue accepted an unregistered kind")
	}
	if _, err := q.Enqueue(ctx, d.Write(), 0, "raw", func() {}, time.Time{}); err == nil {
		t.Error("Enqueue accepted a payload that cannot be marshalled")
	}
	runOnce(t, q, 3)
	want := map[int64]string{raw: `{"a":[1,2]}`, bytes: `"x"`, null: `null`}
	if !reflect.DeepEqual(payloads, want) {
		t.Errorf("payloads = %v, want %v", payloads, want)
	}
	for id := range want {
		if s := get(t, q, id); s.State != "done" {
			t.Errorf("job %d = %+v, want done", id, s)
		}
	}
	if _, _, _, err := q.Get(ctx, 999999); err == nil {
		t.Error("Get of an unknown id succeeded")
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	t.Parallel()
	q := jobs.New(dbtest.New(t), jobs.Options{})
	q.Register("twice", 1, func(context.Context, jobs.Job) error { return nil })
	defer func() {
		if recover() == nil {
			t.Error("second Register of the same kind did not panic")
		}
	}()
	q.Register("twice", 1, func(context.Context, jobs.Job) error { return nil })
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	clock := newFakeClock()
	q := jobs.New(d, jobs.Options{
		Now:     clock.Now,
		Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute },
		Logger:  testLogger(t),
	})
	var attempts []int
	q.Register("flaky", 5, func(ctx context.Context, j jobs.Job) error {
		attempts = append(attempts, j.Attempt)
		if j.Attempt < 3 {
			return fmt.Errorf("boom %d", j.Attempt)
		}
		return nil
	})
	id := enqueue(t, q, d, "flaky", greeting{Name: "x"})
	runAt := func() time.Time {
		var at time.Time
		if err := d.Read().QueryRowContext(ctx, `SELECT run_at FROM jobs WHERE id = $1`, id).Scan(&at); err != nil {
			t.Fatalf("read run_at: %v", err)
		}
		return at.UTC()
	}

	runOnce(t, q, 1)
	if s := get(t, q, id); s != (jobState{"pending", 1, "boom 1"}) {
		t.Fatalf("after 1st failure Get = %+v", s)
	}
	if got, want := runAt(), clock.Now().Add(time.Minute); !got.Equal(want) {
		t.Fatalf("run_at = %v, want now + Backoff(1) = %v", got, want)
	}
	// Not claimed before its run_at.
	runOnce(t, q, 0)
	clock.Advance(59 * time.Second)
	runOnce(t, q, 0)
	clock.Advance(time.Second)
	runOnce(t, q, 1)
	if s := get(t, q, id); s != (jobState{"pending", 2, "boom 2"}) {
		t.Fatalf("after 2nd failure Get = %+v", s)
	}
	if got, want := runAt(), clock.Now().Add(2*time.Minute); !got.Equal(want) {
		t.Fatalf("run_at = %v, want now + Backoff(2) = %v", got, want)
	}
	clock.Advance(time.Minute)
	runOnce(t, q, 0)
	clock.Advance(time.Minute)
	runOnce(t, q, 1)
	s := get(t, q, id)
	if s.State != "done" || s.Attempts != 3 {
		t.Fatalf("Get = %+v, want done after 3 attempts", s)
	}
	if !reflect.DeepEqual(attempts, []int{1, 2, 3}) {
		t.Errorf("handler saw attempts %v, want [1 2 3]", attempts)
	}
	clock.Advance(time.Hour)
	runOnce(t, q, 0)
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Backoff: func(int) time.Duration { return 0 }, Logger: testLogger(t)})
	base := errors.New("bad input")
	if !errors.Is(jobs.Permanent(base), base) {
		t.Error("Permanent does not unwrap to its error")
	}
	if jobs.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	runs := 0
	q.Register("strict", 5, func(ctx context.Context, j jobs.Job) error {
		runs++
		// Wrapped again by the handler: still permanent.
		return fmt.Errorf("decode: %w", jobs.Permanent(base))
	})
	id := enqueue(t, q, d, "strict", 1)
	runOnce(t, q, 1)
	if s := get(t, q, id); s != (jobState{"failed", 1, "decode: bad input"}) {
		t.Errorf("Get = %+v, want failed after 1 attempt with the error", s)
	}
	if runs != 1 {
		t.Errorf("handler ran %d times, want 1", runs)
	}
}

func TestExhaustingAttemptsFails(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Backoff: func(int) time.Duration { return 0 }, Logger: testLogger(t)})
	runs := 0
	q.Register("doomed", 3, func(ctx context.Context, j jobs.Job) error {
		runs++
		return fmt.Errorf("attempt %d failed", j.Attempt)
	})
	id := enqueue(t, q, d, "doomed", 1)
	runOnce(t, q, 3)
	if s := get(t, q, id); s != (jobState{"failed", 3, "attempt 3 failed"}) {
		t.Errorf("Get = %+v, want failed after 3 attempts", s)
	}
	if runs != 3 {
		t.Errorf("handler ran %d times, want 3", runs)
	}
	if st, err := q.Stats(context.Background()); err != nil || st != (jobs.Stats{Failed: 1}) {
		t.Errorf("Stats = %+v, %v; want 1 failed", st, err)
	}
	runOnce(t, q, 0)
}

func TestFutureRunAtWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	clock := newFakeClock()
	q := jobs.New(d, jobs.Options{Now: clock.Now, Logger: testLogger(t)})
	ran := 0
	q.Register("later", 1, func(context.Context, jobs.Job) error { ran++; return nil })
	if _, err := q.Enqueue(ctx, d.Write(), 0, "later", nil, clock.Now().Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	runOnce(t, q, 0)
	clock.Advance(10*time.Minute - time.Microsecond)
	runOnce(t, q, 0)
	clock.Advance(time.Microsecond)
	runOnce(t, q, 1)
	if ran != 1 {
		t.Errorf("ran %d, want 1", ran)
	}
}

func TestSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	want := greeting{Name: "persisted", Count: 42}

	dA := openURL(t, url)
	qA := jobs.New(dA, jobs.Options{Logger: testLogger(t)})
	qA.Register("persist", 3, func(context.Context, jobs.Job) error {
		t.Error("queue A ran the job")
		return nil
	})
	id, err := qA.Enqueue(ctx, dA.Write(), 11, "persist", want, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := dA.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	dB := openURL(t, url)
	qB := jobs.New(dB, jobs.Options{Logger: testLogger(t)})
	var got jobs.Job
	qB.Register("persist", 3, func(_ context.Context, j jobs.Job) error { got = j; return nil })
	runOnce(t, qB, 1)
	var back greeting
	if err := json.Unmarshal(got.Payload, &back); err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("payload after restart = %q (%v), want %+v", got.Payload, err, want)
	}
	if got.ID != id || got.OrgID != 11 {
		t.Errorf("job = %+v, want id %d org 11", got, id)
	}
	if s := get(t, qB, id); s != (jobState{"done", 1, ""}) {
		t.Errorf("Get = %+v, want done", s)
	}
}

// A worker that stops answering (its lease runs out) loses the job to another
// worker, and its late result does not overwrite the other's.
func TestExpiredLeaseIsRetaken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	clock := newFakeClock()
	opts := jobs.Options{Now: clock.Now, Lease: time.Minute, Backoff: func(int) time.Duration { return 0 }, Logger: testLogger(t)}

	qA := jobs.New(d, opts)
	started := make(chan struct{})
	release := make(chan struct{})
	qA.Register("lease", 3, func(ctx context.Context, j jobs.Job) error {
		close(started)
		<-release
		return errors.New("stale run")
	})
	id := enqueue(t, qA, d, "lease", nil)
	doneA := make(chan error, 1)
	go func() {
		_, err := qA.RunOnce(ctx)
		doneA <- err
	}()
	recv(t, "queue A's handler to start", started)
	if s := get(t, qA, id); s != (jobState{"running", 1, ""}) {
		t.Fatalf("while A runs it, Get = %+v", s)
	}

	qB := jobs.New(d, opts)
	var attemptsB []int
	qB.Register("lease", 3, func(ctx context.Context, j jobs.Job) error {
		attemptsB = append(attemptsB, j.Attempt)
		return nil
	})
	runOnce(t, qB, 0)
	clock.Advance(30 * time.Second)
	runOnce(t, qB, 0)
	clock.Advance(30 * time.Second) // exactly at locked_until: still A's
	runOnce(t, qB, 0)
	clock.Advance(time.Second)
	runOnce(t, qB, 1)
	if !reflect.DeepEqual(attemptsB, []int{2}) {
		t.Errorf("B saw attempts %v, want [2]", attemptsB)
	}
	if s := get(t, qB, id); s != (jobState{"done", 2, ""}) {
		t.Fatalf("after B, Get = %+v, want done after 2 attempts", s)
	}

	close(release)
	if err := recv(t, "queue A's RunOnce to return", doneA); err != nil {
		t.Fatalf("A's RunOnce: %v", err)
	}
	if s := get(t, qB, id); s != (jobState{"done", 2, ""}) {
		t.Errorf("A's stale failure overwrote B's result: Get = %+v", s)
	}
}

// A job left 'running' by a worker that crashed during its final attempt is
// failed when its lease expires rather than run beyond its max attempts.
func TestExpiredLeaseOnFinalAttemptFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	clock := newFakeClock()
	q := jobs.New(d, jobs.Options{Now: clock.Now, Lease: time.Minute, Logger: testLogger(t)})
	q.Register("once", 1, func(context.Context, jobs.Job) error {
		t.Error("handler ran beyond max attempts")
		return nil
	})
	id := enqueue(t, q, d, "once", nil)
	// Simulate a worker that claimed the job and crashed.
	if _, err := d.Write().ExecContext(ctx,
		`UPDATE jobs SET state = 'running', attempts = 1, locked_until = $1 WHERE id = $2`,
		clock.Now().Add(time.Minute), id); err != nil {
		t.Fatal(err)
	}
	runOnce(t, q, 0)
	clock.Advance(time.Minute + time.Millisecond)
	runOnce(t, q, 1)
	s := get(t, q, id)
	if s.State != "failed" || !strings.Contains(s.LastError, "lease expired") {
		t.Errorf("Get = %+v, want failed with a lease error", s)
	}
}

func TestConcurrentQueuesRunEachJobOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const total = 200
	url := dbtest.URL(t)
	d1 := openURL(t, url)
	d2 := openURL(t, url) // a second pool, as another process would have

	var counts sync.Map // job id → *atomic.Int32
	var byQueue [2]atomic.Int32
	handler := func(which int) jobs.Handler {
		return func(ctx context.Context, j jobs.Job) error {
			c, _ := counts.LoadOrStore(j.ID, new(atomic.Int32))
			c.(*atomic.Int32).Add(1)
			byQueue[which].Add(1)
			time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
			return nil
		}
	}
	opts := jobs.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Logger: testLogger(t)}
	q1 := jobs.New(d1, opts)
	q2 := jobs.New(d2, opts)
	q1.Register("count", 3, handler(0))
	q2.Register("count", 3, handler(1))

	ids := map[int64]bool{}
	add := func(q *jobs.Queue, d *db.DB, i int) {
		id, err := q.Enqueue(ctx, d.Write(), 0, "count", i, time.Time{})
		if err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
		ids[id] = true
	}
	for i := range total / 2 {
		add(q1, d1, i)
	}
	q1.Start()
	q2.Start()
	for i := total / 2; i < total; i++ {
		if i%2 == 0 {
			add(q1, d1, i)
		} else {
			add(q2, d2, i)
		}
	}
	waitFor(t, "all jobs done", func() bool {
		st, err := q1.Stats(ctx)
		if err != nil {
			t.Fatalf("Stats: %v", err)
		}
		return st.Done+st.Failed == total
	})
	shutdownCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := q1.Shutdown(shutdownCtx); err != nil {
		t.Errorf("Shutdown q1: %v", err)
	}
	if err := q2.Shutdown(shutdownCtx); err != nil {
		t.Errorf("Shutdown q2: %v", err)
	}

	if len(ids) != total {
		t.Fatalf("enqueued %d distinct ids, want %d", len(ids), total)
	}
	seen := 0
	counts.Range(func(k, v any) bool {
		seen++
		id := k.(int64)
		if !ids[id] {
			t.Errorf("ran job %d, which was never enqueued", id)
		}
		if n := v.(*atomic.Int32).Load(); n != 1 {
			t.Errorf("job %d ran %d times", id, n)
		}
		return true
	})
	if seen != total {
		t.Errorf("%d distinct jobs ran, want %d", seen, total)
	}
	if st, err := q2.Stats(ctx); err != nil || st != (jobs.Stats{Done: total}) {
		t.Errorf("Stats = %+v, %v; want %d done", st, err, total)
	}
	t.Logf("queue 1 ran %d jobs, queue 2 ran %d", byQueue[0].Load(), byQueue[1].Load())
}

func TestEnqueueWakesWorkers(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	// A poll interval far beyond the test's wait: only the wake-up can run it.
	q := jobs.New(d, jobs.Options{Workers: 1, PollInterval: time.Hour, Logger: testLogger(t)})
	ran := make(chan int64, 1)
	q.Register("wake", 1, func(_ context.Context, j jobs.Job) error { ran <- j.ID; return nil })
	q.Start()
	defer q.Shutdown(context.Background())
	time.Sleep(50 * time.Millisecond) // let the worker go idle
	id := enqueue(t, q, d, "wake", nil)
	if got := recv(t, "the woken worker to run the job", ran); got != id {
		t.Errorf("ran job %d, want %d", got, id)
	}
}

func TestGracefulShutdownFinishesRunningJob(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Workers: 1, PollInterval: 20 * time.Millisecond, Logger: testLogger(t)})
	started := make(chan struct{})
	var sawCancel atomic.Bool
	q.Register("slow", 3, func(ctx context.Context, j jobs.Job) error {
		close(started)
		select {
		case <-time.After(300 * time.Millisecond):
			return nil
		case <-ctx.Done():
			sawCancel.Store(true)
			return ctx.Err()
		}
	})
	id := enqueue(t, q, d, "slow", nil)
	q.Start()
	recv(t, "the handler to start", started)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Shutdown returned only after the handler finished and was recorded.
	if s := get(t, q, id); s != (jobState{"done", 1, ""}) {
		t.Errorf("after Shutdown, Get = %+v, want done", s)
	}
	if sawCancel.Load() {
		t.Error("a graceful Shutdown cancelled the handler")
	}

	// No new jobs are taken after Shutdown.
	later := enqueue(t, q, d, "slow", nil)
	time.Sleep(100 * time.Millisecond)
	if s := get(t, q, later); s.State != "pending" {
		t.Errorf("job enqueued after Shutdown = %+v, want pending", s)
	}
}

func TestShutdownWithCancelledContextInterrupts(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Workers: 1, PollInterval: 20 * time.Millisecond, Logger: testLogger(t)})
	started := make(chan struct{})
	var sawCancel atomic.Bool
	q.Register("stuck", 3, func(ctx context.Context, j jobs.Job) error {
		close(started)
		<-ctx.Done()
		sawCancel.Store(true)
		return ctx.Err()
	})
	id := enqueue(t, q, d, "stuck", nil)
	q.Start()
	recv(t, "the handler to start", started)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- q.Shutdown(ctx) }()
	if err := recv(t, "Shutdown to return", done); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	if !sawCancel.Load() {
		t.Error("the handler's context was not cancelled")
	}
	// Left running, to be retaken after its lease.
	if s := get(t, q, id); s != (jobState{"running", 1, ""}) {
		t.Errorf("after an interrupted Shutdown, Get = %+v, want running", s)
	}
}

func TestUnknownKindFailsPermanently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	// The job was enqueued by a process (or version) that knows the kind…
	qA := jobs.New(d, jobs.Options{Logger: testLogger(t)})
	qA.Register("orphan", 5, func(context.Context, jobs.Job) error { return nil })
	id := enqueue(t, qA, d, "orphan", nil)
	// …and is claimed by one that does not.
	qB := jobs.New(d, jobs.Options{Backoff: func(int) time.Duration { return 0 }, Logger: testLogger(t)})
	if _, err := qB.Enqueue(ctx, d.Write(), 0, "orphan", nil, time.Time{}); err == nil {
		t.Error("Enqueue of an unregistered kind succeeded")
	}
	runOnce(t, qB, 1)
	s := get(t, qB, id)
	if s.State != "failed" || s.Attempts != 1 || !strings.Contains(s.LastError, `no handler`) || !strings.Contains(s.LastError, `"orphan"`) {
		t.Errorf("Get = %+v, want failed after 1 attempt with a clear error", s)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Backoff: func(int) time.Duration { return 0 }, Logger: testLogger(t)})
	q.Register("explode", 2, func(context.Context, jobs.Job) error { panic("kaboom") })
	fine := 0
	q.Register("fine", 1, func(context.Context, jobs.Job) error { fine++; return nil })
	bad := enqueue(t, q, d, "explode", nil)
	good := enqueue(t, q, d, "fine", nil)
	runOnce(t, q, 3)
	s := get(t, q, bad)
	if s.State != "failed" || s.Attempts != 2 || !strings.Contains(s.LastError, "panic") || !strings.Contains(s.LastError, "kaboom") {
		t.Errorf("panicking job: Get = %+v, want failed after 2 attempts with the panic text", s)
	}
	if s := get(t, q, good); s.State != "done" || fine != 1 {
		t.Errorf("the queue did not go on after a panic: %+v, ran %d", s, fine)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	q := jobs.New(d, jobs.Options{Backoff: func(int) time.Duration { return 0 }, Logger: testLogger(t)})
	const kind = "metrics_probe"
	q.Register(kind, 2, func(_ context.Context, j jobs.Job) error {
		var fail bool
		_ = json.Unmarshal(j.Payload, &fail)
		if fail {
			return errors.New("no")
		}
		return nil
	})
	before, beforeObserved := jobMetrics(t, kind)
	enqueue(t, q, d, kind, false)
	enqueue(t, q, d, kind, true) // retry, then failed
	runOnce(t, q, 3)
	after, afterObserved := jobMetrics(t, kind)

	// Collectors are global (and the test may run with -count > 1): compare deltas.
	delta := map[string]float64{}
	for outcome, n := range after {
		if d := n - before[outcome]; d != 0 {
			delta[outcome] = d
		}
	}
	if want := map[string]float64{"done": 1, "retry": 1, "failed": 1}; !reflect.DeepEqual(delta, want) {
		t.Errorf("tsunagu_jobs_total grew by %v, want %v", delta, want)
	}
	if n := afterObserved - beforeObserved; n != 3 {
		t.Errorf("tsunagu_job_duration_seconds count grew by %d, want 3", n)
	}
}

// jobMetrics reads tsunagu_jobs_total by outcome and the number of
// tsunagu_job_duration_seconds observations for one kind.
func jobMetrics(t *testing.T, kind string) (map[string]float64, uint64) {
	t.Helper()
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	var observed uint64
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] != kind {
				continue
			}
			switch f.GetName() {
			case "tsunagu_jobs_total":
				counts[labels["outcome"]] = m.GetCounter().GetValue()
			case "tsunagu_job_duration_seconds":
				observed = m.GetHistogram().GetSampleCount()
			}
		}
	}
	return counts, observed
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 16 * time.Second, 3: 81 * time.Second, 7: 2401 * time.Second} {
		for range 50 {
			got := jobs.DefaultBackoff(attempt)
			if got < base || got > base+base/5 {
				t.Fatalf("DefaultBackoff(%d) = %v, want within [%v, %v]", attempt, got, base, base+base/5)
			}
		}
	}
	for _, attempt := range []int{8, 20, 1000} {
		if got := jobs.DefaultBackoff(attempt); got != time.Hour {
			t.Errorf("DefaultBackoff(%d) = %v, want 1h", attempt, got)
		}
	}
}
