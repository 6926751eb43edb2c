// Command benchfeed measures the feed under load: it builds a fresh
// database, seeds a network of members and posts with bulk SQL, starts the
// real Tsunagu HTTP server in-process, signs in concurrent clients (sessions
// created directly), and measures full feed page reads (GET /o/{org}/feed)
// and post creations (POST /o/{org}/feed/posts), one phase after the other.
//
//	go run ./cmd/benchfeed -members 10000 -posts 2000 -clients 10 -duration 20s
//	scripts/with-postgres.sh sh -c 'go run ./cmd/benchfeed -database "$TSUNAGU_TEST_DATABASE"'
//
// -database names a PostgreSQL server: a database is created on it for the
// run and dropped afterwards. Without it, SQLite in a temp directory.
package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tsunagu/tsunagu/internal/app"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

type config struct {
	members, posts, clients int
	duration                time.Duration
	database                string
	only, cpuProfile        string
	memProfile              string
}

func main() {
	var c config
	flag.IntVar(&c.members, "members", 10000, "members in the network")
	flag.IntVar(&c.posts, "posts", 2000, "posts seeded before measuring")
	flag.IntVar(&c.clients, "clients", 10, "concurrent signed-in HTTP clients")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "length of each phase (reads, then creations)")
	flag.StringVar(&c.database, "database", "", "postgres:// URL of a server on which to create (and drop) a database; default: SQLite in a temp dir")
	flag.StringVar(&c.only, "only", "", `measure one phase only: "reads" or "creations" (for profiling)`)
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured phases (not the seeding) to this file")
	flag.StringVar(&c.memProfile, "memprofile", "", "write a profile of the run's allocations to this file (the measured phases are most of them)")
	flag.Parse()
	if c.memProfile != "" {
		runtime.MemProfileRate = 64 << 10 // set before anything is allocated, as the runtime asks
	}
	if c.only != "" && c.only != "reads" && c.only != "creations" {
		fmt.Fprintln(os.Stderr, `benchfeed: -only is "reads" or "creations"`)
		os.Exit(2)
	}
	if c.members < c.clients || c.clients < 1 || c.posts < 0 || c.duration <= 0 {
		fmt.Fprintln(os.Stderr, "benchfeed: need -clients ≥ 1, -members ≥ -clients, -posts ≥ 0, -duration > 0")
		os.Exit(2)
	}
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchfeed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	// The server in this process runs as tsunagu serve would.
	gcPercent := app.TuneGC()
	dir, err := os.MkdirTemp("", "benchfeed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL, drop, err := database(ctx, c.database, dir)
	if err != nil {
		return err
	}
	defer drop()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	cfg := app.Config{Listen: ln.Addr().String(), DataDir: dir, DatabaseURL: dbURL, BaseURL: base, LogLevel: "error", LogFormat: "text",
		Workers: 1, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}, OrgSlug: "bench", OrgName: "ベンチ株式会社"}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer a.Close()
	o, _, err := a.CreateOrganization(ctx, "bench", "ベンチ株式会社", "Bench Inc.")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "feed benchmark: %s, %d members, %d posts, %d clients, %s per phase\n", a.DB.Dialect, c.members, c.posts, c.clients, c.duration)
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s, GOGC=%d (as tsunagu serve sets it unless GOGC is given)\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), gcPercent)

	t0 := time.Now()
	users, err := seed(ctx, a.DB, o, c)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	cookies := make([]string, c.clients)
	err = a.DB.Tx(ctx, func(tx db.Tx) error {
		for i := range cookies {
			s, err := a.Auth.Sessions.Create(ctx, tx, o.ID, users[i], "127.0.0.1", "benchfeed", db.Now())
			if err != nil {
				return err
			}
			cookies[i] = "tsunagu_session=" + s
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := settle(ctx, a.DB); err != nil {
		return err
	}
	fmt.Fprintf(out, "seeded in %s\n", time.Since(t0).Round(time.Millisecond))

	srv := &http.Server{Handler: a.Web.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConns: c.clients * 2, MaxIdleConnsPerHost: c.clients * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	feedURL := base + "/o/" + o.Slug + "/feed"
	// Each client reads into its own reused buffer: the load generator shares
	// the two cores with the server, so its own garbage is kept small.
	readBufs := make([]bytes.Buffer, c.clients)
	marker := []byte(`class="card feed-post`)
	read := func(i, n int) error {
		req, _ := http.NewRequest(http.MethodGet, feedURL, nil)
		req.Header.Set("Cookie", cookies[i])
		req.Header.Set("Sec-Fetch-Site", "none")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		body := &readBufs[i]
		body.Reset()
		_, err = body.ReadFrom(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || !bytes.Contains(body.Bytes(), marker) {
			return fmt.Errorf("GET feed: %d (%d bytes)", res.StatusCode, body.Len())
		}
		return nil
	}
	create := func(i, n int) error {
		form := url.Values{"body": {fmt.Sprintf("ベンチマークの投稿 %d-%d です。**よろしく**お願いします。", i, n)}, "audience": {"network"}}
		req, _ := http.NewRequest(http.MethodPost, base+"/o/"+o.Slug+"/feed/posts", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookies[i])
		req.Header.Set("Origin", base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("POST post: %d", res.StatusCode)
		}
		return nil
	}
	// A short warm-up fills connection pools and statement caches.
	if _, err := phase(c.clients, time.Second, read); err != nil {
		return err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if c.memProfile != "" {
		defer func() {
			if f, err := os.Create(c.memProfile); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	for _, p := range []struct {
		name, only string
		fn         func(int, int) error
	}{{"feed reads (GET /feed, full HTML)", "reads", read}, {"post creations (POST /feed/posts)", "creations", create}} {
		if c.only != "" && c.only != p.only {
			continue
		}
		ds, err := phase(c.clients, c.duration, p.fn)
		if err != nil {
			return err
		}
		report(out, p.name, ds, c.duration)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(out, "%-36s %7.0f MB heap in use, %.0f MB taken from the OS, %d collections so far\n", "  memory after the phase:",
			float64(ms.HeapInuse)/(1<<20), float64(ms.Sys)/(1<<20), ms.NumGC)
	}
	var n int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE org_id = $1`, o.ID).Scan(&n); err == nil {
		fmt.Fprintf(out, "posts afterwards: %d\n", n)
	}
	return nil
}

// phase runs fn from clients goroutines for d and returns every latency.
func phase(clients int, d time.Duration, fn func(client, n int) error) ([]time.Duration, error) {
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for n := 0; time.Now().Before(deadline); n++ {
				t := time.Now()
				if err := fn(i, n); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, firstErr
}

func report(out io.Writer, name string, ds []time.Duration, d time.Duration) {
	if len(ds) == 0 {
		fmt.Fprintf(out, "%s: no requests\n", name)
		return
	}
	slices.Sort(ds)
	pct := func(p float64) time.Duration {
		i := int(float64(len(ds))*p/100+0.5) - 1
		return ds[min(max(i, 0), len(ds)-1)]
	}
	r := func(t time.Duration) string { return t.Round(10 * time.Microsecond).String() }
	fmt.Fprintf(out, "%-36s %7d requests  %8.0f/s  p50 %s  p95 %s  p99 %s  max %s\n", name+":", len(ds), float64(len(ds))/d.Seconds(),
		r(pct(50)), r(pct(95)), r(pct(99)), r(ds[len(ds)-1]))
}

var (
	families = []string{"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本"}
	givens   = []string{"太郎", "花子", "健太", "美咲", "翔", "陽子", "大輔", "由美", "誠", "愛", "拓也", "直子", "亮", "恵", "学"}
	bodies   = []string{
		"先日の**アルムナイ交流会**、ありがとうございました！久しぶりに皆さんとお話しできて楽しかったです。\n\n次回もぜひ参加します。",
		"転職して3年、新しい職場でもこちらで学んだことが活きています。\n\n- 顧客視点\n- チームで進める力\n\n感謝しています。",
		"大阪でエンジニアの勉強会を開きます。関西在住の方、ご興味があれば[こちら](https://example.jp/event)をご覧ください。",
		"育休から復帰しました。またよろしくお願いします🙏",
		"新しいプロジェクトでデータ分析のできる方を探しています。副業でも構いません。",
	}
	audiences = []string{"network", "network", "network", "network", "network", "network", "network", "employees_alumni", "employees_alumni", "alumni"}
)

// seed writes members (10 % employees, 2 % supporters, the rest alumni;
// the first -clients are alumni, the readers), posts, comments and reactions
// with multi-row INSERTs in transactions. It returns the user ids.
func seed(ctx context.Context, d *db.DB, o org.Organization, c config) ([]int64, error) {
	rnd := rand.New(rand.NewPCG(1, 2))
	now := db.Now()
	const batch = 200
	var users []int64
	for start := 0; start < c.members; start += batch {
		end := min(start+batch, c.members)
		err := d.Tx(ctx, func(tx db.Tx) error {
			var q strings.Builder
			var args []any
			q.WriteString(`INSERT INTO users (org_id, email, email_lower, family_name, given_name, family_romaji, given_romaji, created_at, updated_at, activated_at) VALUES `)
			for i := start; i < end; i++ {
				if i > start {
					q.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10)
				email := fmt.Sprintf("member%05d@bench.example.jp", i)
				args = append(args, o.ID, email, email, families[i%len(families)], givens[(i/len(families))%len(givens)], "Family", "Given", now, now, now)
			}
			q.WriteString(" RETURNING id")
			rows, err := tx.QueryContext(ctx, q.String(), args...)
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			q.Reset()
			args = args[:0]
			q.WriteString(`INSERT INTO memberships (org_id, user_id, role, created_at) VALUES `)
			for j, id := range ids {
				i := start + j
				role := "alumni"
				switch {
				case i < c.clients:
				case i%50 == 0:
					role = "supporter"
				case i%10 == 0:
					role = "employee"
				}
				if j > 0 {
					q.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
				args = append(args, o.ID, id, role, now)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
			users = append(users, ids...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	rendered := make([]string, len(bodies))
	for i, b := range bodies {
		rendered[i] = string(feed.RenderPost(o.Slug, b))
	}
	for start := 0; start < c.posts; start += batch {
		end := min(start+batch, c.posts)
		err := d.Tx(ctx, func(tx db.Tx) error {
			var q strings.Builder
			var args []any
			q.WriteString(`INSERT INTO posts (org_id, author_id, body, body_html, audience, comment_count, created_at) VALUES `)
			for i := start; i < end; i++ {
				if i > start {
					q.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
				b := rnd.IntN(len(bodies))
				args = append(args, o.ID, users[rnd.IntN(len(users))], bodies[b], rendered[b], audiences[rnd.IntN(len(audiences))], rnd.IntN(6),
					now.Add(time.Duration(i-c.posts)*time.Minute))
			}
			q.WriteString(" RETURNING id")
			rows, err := tx.QueryContext(ctx, q.String(), args...)
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			// Up to eight reactions per post, from distinct members.
			q.Reset()
			args = args[:0]
			for _, id := range ids {
				for k := range rnd.IntN(9) {
					if len(args) > 0 {
						q.WriteString(", ")
					}
					n := len(args)
					fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
					args = append(args, o.ID, id, users[(int(id)*31+k*977)%len(users)], feed.Reactions[k%len(feed.Reactions)], now)
				}
			}
			if len(args) > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO post_reactions (org_id, post_id, user_id, kind, created_at) VALUES `+q.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return users, nil
}

// settle puts the database in the state a running one would be in after the
// bulk load: PostgreSQL's autovacuum would have analyzed it; Tsunagu never
// runs ANALYZE on SQLite (with statistics, SQLite re-prepares statements
// whose bound values might change the plan), so the WAL is only checkpointed.
func settle(ctx context.Context, d *db.DB) error {
	if d.Dialect == db.Postgres {
		_, err := d.Write().ExecContext(ctx, `VACUUM ANALYZE`)
		return err
	}
	_, err := d.Write().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// database returns the URL of a fresh database and what removes it.
func database(ctx context.Context, server, dir string) (string, func(), error) {
	if server == "" {
		return dir + "/bench.db", func() {}, nil
	}
	kind, _, err := db.ParseURL(server)
	if err != nil {
		return "", nil, err
	}
	if kind != db.Postgres {
		return "", nil, errors.New("-database must be a postgres:// URL")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = crand.Read(b)
	name := "tsunagu_benchfeed_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, _ := url.Parse(server)
	u.Path = "/" + name
	return u.String(), func() {
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			fmt.Fprintln(os.Stderr, "benchfeed: drop database:", err)
		}
		admin.Close()
	}, nil
}
