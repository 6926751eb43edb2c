package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color/palette"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/photo"
)

// fuzzLimits keep each input cheap: a fuzzed header may announce any size
// up to the limits, and the decoders allocate the announced pixels.
var fuzzLimits = photo.Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4096}

func addSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		if strings.HasSuffix(p, ".md") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	p := image.NewPaletted(image.Rect(0, 0, 64, 64), palette.WebSafe)
	f.Add(encodeGIF(f, &gif.GIF{Image: []*image.Paletted{p}, Delay: []int{0}}))
	f.Add(encodePNG(f, gradient(70, 64)))
	f.Add(insertAfterSOI(encodeJPEG(f, gradient(64, 80)), exifAPP1(binary.BigEndian, 6, "seed"), segment(0xFE, []byte("c"))))
	f.Add(pngHeader(100000, 100000))
	f.Add([]byte("<svg/>"))
}

func FuzzProcess(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := photo.Process(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %q matches %d sentinels, want 1", err, n)
			}
			if strings.Contains(err.Error(), "panicked") {
				t.Fatalf("decoder panic: %v", err)
			}
			if vs != nil {
				t.Fatal("variants and an error")
			}
			return
		}
		if len(vs) != 2 {
			t.Fatalf("%d variants", len(vs))
		}
		for _, v := range vs {
			m := decodeJPEG(t, v.JPEG)
			if b := m.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height || b.Dx() > photo.LargeSize || b.Dy() > photo.LargeSize || b.Empty() {
				t.Fatalf("%s: %v, says %dx%d", v.Name, b, v.Width, v.Height)
			}
			for _, m := range jpegMarkers(t, v.JPEG) {
				if m >= 0xE0 && m <= 0xEF || m == 0xFE {
					t.Fatalf("%s has marker %#x", v.Name, m)
				}
			}
		}
		if vs[1].Width != photo.SmallSize || vs[1].Height != photo.SmallSize {
			t.Fatalf("small is %dx%d", vs[1].Width, vs[1].Height)
		}
	})
}

func FuzzJPEGOrientation(f *testing.F) {
	addSeeds(f)
	for o := range 10 {
		f.Add(insertAfterSOI(encodeJPEG(f, gradient(8, 8)), exifAPP1(binary.LittleEndian, o, "x")))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := photo.JPEGOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
