package hrimport_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/hrimport"
)

// writeRows writes an HR file of n rows to a temp file, streaming.
func writeRows(b *testing.B, n int) string {
	p := filepath.Join(b.TempDir(), "staff.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("\ufeff" + header)
	for i := range n {
		left := ""
		if i%3 == 0 {
			left = fmt.Sprintf("20%02d/03/31", 10+i%14)
		}
		fmt.Fprintf(w, "E%06d,山田%d,花子,ヤマダ,ハナコ,user%d@example.jp,2005/04/01,%s,営業部,課長,可,\r\n", i, i%1000, i, left)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return p
}

// BenchmarkImport100k imports 100,000 rows (per-row mode) into a fresh
// organization on the test database, reporting rows/s and the peak heap
// sampled during the run. Run with -benchtime=1x: one iteration is a
// whole import.
func BenchmarkImport100k(b *testing.B) {
	rows := 100_000
	if n, err := strconv.Atoi(os.Getenv("HRIMPORT_BENCH_ROWS")); err == nil && n > 0 {
		rows = n // a quicker look while developing
	}
	e := apptest.New(b)
	path := writeRows(b, rows)
	ctx := context.Background()
	b.ReportAllocs()
	var peak atomic.Uint64
	for n := 0; b.Loop(); n++ {
		o := e.AddOrg(b, fmt.Sprintf("bench%d", n))
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		imp, err := e.App.Imports.Upload(ctx, o.ID, admin, "staff.csv", f, 1<<30)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			var ms runtime.MemStats
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		})
		start := time.Now()
		imp, err = e.App.Imports.RunNow(ctx, o.ID, imp.ID, hrimport.PhaseRun, hrimport.ModePerRow, admin)
		elapsed := time.Since(start)
		close(stop)
		wg.Wait()
		if err != nil || imp.Created != rows {
			b.Fatalf("%v: %+v", err, imp)
		}
		b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
