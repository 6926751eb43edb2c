package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"github.com/tsunagu/tsunagu/internal/photo"
)

var sentinels = []error{photo.ErrTooLarge, photo.ErrUnsupported, photo.ErrCorrupt, photo.ErrTooManyPixels, photo.ErrTooSmall}

func process(t testing.TB, b []byte) []photo.Variant {
	t.Helper()
	vs, err := photo.Process(bytes.NewReader(b), photo.Limits{})
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return vs
}

// checkVariants checks the names and sizes of Process's output, and that
// each variant decodes as a JPEG of its stated size. It returns the decoded
// large and small images.
func checkVariants(t testing.TB, vs []photo.Variant, largeW, largeH int) (large, small image.Image) {
	t.Helper()
	if len(vs) != 2 || vs[0].Name != photo.VariantLarge || vs[1].Name != photo.VariantSmall {
		t.Fatalf("variants %v, want large and small", names(vs))
	}
	if vs[0].Width != largeW || vs[0].Height != largeH {
		t.Errorf("large is %dx%d, want %dx%d", vs[0].Width, vs[0].Height, largeW, largeH)
	}
	if vs[1].Width != photo.SmallSize || vs[1].Height != photo.SmallSize {
		t.Errorf("small is %dx%d, want %dx%d", vs[1].Width, vs[1].Height, photo.SmallSize, photo.SmallSize)
	}
	var ms []image.Image
	for _, v := range vs {
		m := decodeJPEG(t, v.JPEG)
		if b := m.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height {
			t.Errorf("%s decodes as %v, says %dx%d", v.Name, b, v.Width, v.Height)
		}
		ms = append(ms, m)
	}
	return ms[0], ms[1]
}

func names(vs []photo.Variant) []string {
	var s []string
	for _, v := range vs {
		s = append(s, v.Name)
	}
	return s
}

func TestProcessFormats(t *testing.T) {
	bigGIF := image.NewPaletted(image.Rect(0, 0, 1200, 300), palette.Plan9)
	for i := range bigGIF.Pix {
		bigGIF.Pix[i] = uint8(i % 200)
	}
	tests := []struct {
		name           string
		data           []byte
		largeW, largeH int
	}{
		{"generated JPEG landscape", encodeJPEG(t, gradient(1600, 1200)), 800, 600},
		{"generated JPEG portrait", encodeJPEG(t, gradient(900, 1800)), 400, 800},
		{"generated PNG", encodePNG(t, gradient(1000, 500)), 800, 400},
		{"generated PNG not enlarged", encodePNG(t, gradient(300, 200)), 300, 200},
		{"generated PNG minimum size", encodePNG(t, gradient(64, 64)), 64, 64},
		{"generated PNG tall and thin", encodePNG(t, gradient(64, 4000)), 13, 800},
		{"generated GIF", encodeGIF(t, &gif.GIF{Image: []*image.Paletted{bigGIF}, Delay: []int{0}}), 800, 200},
		{"fixture progressive JPEG with EXIF", readFixture(t, "phone-orient6-gps.jpg"), 120, 160},
		{"fixture PNG with alpha", readFixture(t, "alpha.png"), 100, 80},
		{"fixture animated GIF", readFixture(t, "anim.gif"), 96, 96},
		{"fixture WebP lossy", readFixture(t, "quad-lossy.webp"), 128, 96},
		{"fixture WebP lossy with alpha", readFixture(t, "alpha-lossy.webp"), 100, 80},
		{"fixture WebP lossless with alpha", readFixture(t, "alpha-lossless.webp"), 100, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkVariants(t, process(t, tt.data), tt.largeW, tt.largeH)
		})
	}
}

func TestWebPColours(t *testing.T) {
	large, small := checkVariants(t, process(t, readFixture(t, "quad-lossy.webp")), 128, 96)
	for _, c := range []struct {
		x, y int
		want color.NRGBA
	}{{16, 16, red}, {112, 16, blue}, {16, 80, green}, {112, 80, yellow}} {
		if got := large.At(c.x, c.y); !near(got, c.want, 40) {
			t.Errorf("large (%d,%d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	// The small variant is the center 96x96 square: the quadrants stay.
	if got := small.At(10, 10); !near(got, red, 40) {
		t.Errorf("small top left = %v, want red", got)
	}
	if got := small.At(150, 150); !near(got, yellow, 40) {
		t.Errorf("small bottom right = %v, want yellow", got)
	}
}

func TestSmallIsCenterCrop(t *testing.T) {
	// 300x100: red | green | blue in thirds. The center square is green.
	m := fill(300, 100, func(x, _ int) color.NRGBA {
		switch {
		case x < 100:
			return red
		case x < 200:
			return green
		}
		return blue
	})
	_, small := checkVariants(t, process(t, encodePNG(t, m)), 300, 100)
	for _, p := range []image.Point{{2, 2}, {80, 80}, {157, 157}} {
		if got := small.At(p.X, p.Y); !near(got, green, 30) {
			t.Errorf("small %v = %v, want green", p, got)
		}
	}
}

func TestTypeFromContentNotName(t *testing.T) {
	// A PNG saved as x.jpg is a fine PNG: the name is never looked at (the
	// API does not even take one).
	p := filepath.Join(t.TempDir(), "x.jpg")
	if err := os.WriteFile(p, encodePNG(t, gradient(100, 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vs, err := photo.Process(f, photo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	checkVariants(t, vs, 100, 100)
}

func TestUnsupported(t *testing.T) {
	var bmpData bytes.Buffer
	if err := bmp.Encode(&bmpData, gradient(100, 100)); err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":           nil,
		"text":            []byte("just some text, not a photo\n"),
		"html script":     []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
		"html no doctype": []byte("<script>fetch('/admin')</script>"),
		"svg": []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` +
			`<script>alert(1)</script><rect width="100" height="100"/></svg>`),
		"svg without xml declaration": []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`),
		"pdf":                         []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
		"zip":                         []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"),
		"bmp (a real image)":          bmpData.Bytes(),
		"icon":                        []byte("\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00"),
		"javascript":                  []byte("alert(1)"),
		"riff but not webp":           []byte("RIFF\x24\x00\x00\x00WAVEfmt "),
		"jpeg magic in text":          []byte("hello \xFF\xD8\xFF"),
		"png magic too short":         []byte("\x89PN"),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := photo.Process(bytes.NewReader(data), photo.Limits{})
			if !errors.Is(err, photo.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
		})
	}
}

func TestCorrupt(t *testing.T) {
	goodJPEG := encodeJPEG(t, gradient(200, 200))
	goodPNG := encodePNG(t, gradient(200, 200))
	webpData := readFixture(t, "quad-lossy.webp")
	garbage := bytes.Repeat([]byte("garbage!"), 64)
	tests := map[string][]byte{
		"png signature then garbage": append([]byte("\x89PNG\r\n\x1a\n"), garbage...),
		"png header then garbage":    append(pngHeader(100, 100), pngChunk("IDAT", garbage)...),
		"png truncated":              goodPNG[:len(goodPNG)/2],
		"png bad crc":                append(append([]byte{}, goodPNG[:len(goodPNG)-5]...), 0, 0, 0, 0, 0),
		"jpeg truncated":             goodJPEG[:len(goodJPEG)/2],
		"jpeg header only":           goodJPEG[:200],
		"jpeg magic then garbage":    append([]byte("\xFF\xD8\xFF\xE0"), garbage...),
		"gif header then garbage":    append([]byte("GIF89a\x80\x00\x80\x00\x00\x00\x00"), garbage...),
		"webp truncated":             webpData[:len(webpData)-40],
		"webp header then garbage":   append([]byte("RIFF\x00\x01\x00\x00WEBPVP8 "), garbage...),
		"gif without frames":         []byte("GIF89a\x80\x00\x80\x00\x00\x00\x00\x3B"),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := photo.Process(bytes.NewReader(data), photo.Limits{})
			if !errors.Is(err, photo.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

// processAlloc runs Process and returns the bytes it allocated, the time it
// took and its error.
func processAlloc(t *testing.T, data []byte) (uint64, time.Duration, error) {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := photo.Process(bytes.NewReader(data), photo.Limits{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, elapsed, err
}

// patchSOF sets the dimensions in the first SOFn segment of a JPEG.
func patchSOF(t *testing.T, j []byte, w, h uint16) []byte {
	t.Helper()
	j = append([]byte{}, j...)
	for i := 2; i+9 <= len(j); {
		m := j[i+1]
		if m >= 0xC0 && m <= 0xC2 {
			binary.BigEndian.PutUint16(j[i+5:], h)
			binary.BigEndian.PutUint16(j[i+7:], w)
			return j
		}
		i += 2 + int(binary.BigEndian.Uint16(j[i+2:]))
	}
	t.Fatal("no SOF")
	return nil
}

func TestBombs(t *testing.T) {
	garbage := bytes.Repeat([]byte{0x78, 0x9c, 0xed}, 100)
	pngBomb := func(w, h uint32) []byte {
		b := pngHeader(w, h)
		b = append(b, pngChunk("IDAT", garbage)...)
		return append(b, pngChunk("IEND", nil)...)
	}
	vp8x := func(w, h uint32) []byte {
		c := []byte("VP8X\x0a\x00\x00\x00\x00\x00\x00\x00")
		c = append(c, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
		c = append(c, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
		c = append(c, []byte("VP8 \x20\x00\x00\x00")...)
		c = append(c, make([]byte, 32)...)
		b := []byte("RIFF\x00\x00\x00\x00WEBP")
		binary.LittleEndian.PutUint32(b[4:], uint32(4+len(c)))
		return append(b, c...)
	}
	gifBomb := append([]byte("GIF89a\xff\xff\xff\xff\x00\x00\x00"), garbage...)
	tests := map[string][]byte{
		"png 100000x100000":           pngBomb(100000, 100000),
		"png 7000x7000 (49 MP)":       pngBomb(7000, 7000),
		"png 20000x100 (side)":        pngBomb(20000, 100),
		"png 100x12001 (side)":        pngBomb(100, 12001),
		"jpeg baseline 65000x65000":   patchSOF(t, encodeJPEG(t, gradient(64, 64)), 65000, 65000),
		"jpeg progressive 60000x900":  patchSOF(t, readFixture(t, "phone-orient6-gps.jpg"), 60000, 900),
		"jpeg 10000x10000 (100 MP)":   patchSOF(t, encodeJPEG(t, gradient(64, 64)), 10000, 10000),
		"gif 65535x65535":             gifBomb,
		"webp vp8x 16384x16384":       vp8x(16384, 16384),
		"webp vp8x 16000x3000 (side)": vp8x(16000, 3000),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			alloc, elapsed, err := processAlloc(t, data)
			if !errors.Is(err, photo.ErrTooManyPixels) {
				t.Fatalf("err = %v, want ErrTooManyPixels", err)
			}
			if alloc > 50<<20 {
				t.Errorf("allocated %d MB: the pixels were decoded", alloc>>20)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
			t.Logf("%v in %v, %d KB allocated", err, elapsed, alloc>>10)
		})
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	data := encodePNG(t, gradient(300, 200))
	if _, err := photo.Process(bytes.NewReader(data), photo.Limits{MaxPixels: 300*200 - 1}); !errors.Is(err, photo.ErrTooManyPixels) {
		t.Errorf("MaxPixels: err = %v, want ErrTooManyPixels", err)
	}
	if _, err := photo.Process(bytes.NewReader(data), photo.Limits{MaxSide: 299}); !errors.Is(err, photo.ErrTooManyPixels) {
		t.Errorf("MaxSide: err = %v, want ErrTooManyPixels", err)
	}
	if _, err := photo.Process(bytes.NewReader(data), photo.Limits{MaxPixels: 300 * 200, MaxSide: 300}); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	// An endless body that starts like a PNG: Process must stop reading
	// right after the limit.
	cr := &countingReader{r: io.MultiReader(bytes.NewReader(pngHeader(100, 100)), zeros{})}
	_, err := photo.Process(cr, photo.Limits{})
	if !errors.Is(err, photo.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if want := int64(photo.DefaultMaxBytes + 1); cr.n != want {
		t.Errorf("read %d bytes, want exactly %d (MaxBytes+1)", cr.n, want)
	}

	// Exactly 10 MiB + 1.
	big := make([]byte, 10<<20+1)
	copy(big, encodePNG(t, gradient(100, 100)))
	if _, err := photo.Process(bytes.NewReader(big), photo.Limits{}); !errors.Is(err, photo.ErrTooLarge) {
		t.Errorf("10 MiB + 1: err = %v, want ErrTooLarge", err)
	}

	// The limit is inclusive.
	data := encodePNG(t, gradient(100, 100))
	n := int64(len(data))
	if _, err := photo.Process(bytes.NewReader(data), photo.Limits{MaxBytes: n}); err != nil {
		t.Errorf("MaxBytes = size: %v", err)
	}
	cr = &countingReader{r: bytes.NewReader(data)}
	if _, err := photo.Process(cr, photo.Limits{MaxBytes: n - 1}); !errors.Is(err, photo.ErrTooLarge) {
		t.Errorf("MaxBytes = size-1: err = %v, want ErrTooLarge", err)
	}
	if cr.n != n {
		t.Errorf("read %d bytes, want %d", cr.n, n)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadError(t *testing.T) {
	_, err := photo.Process(failingReader{}, photo.Limits{})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v, want the read error", err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			t.Errorf("a read error is reported as %v", s)
		}
	}
}

func TestTooSmall(t *testing.T) {
	for _, size := range []image.Point{{10, 10}, {63, 500}, {500, 63}, {1, 1}} {
		_, err := photo.Process(bytes.NewReader(encodePNG(t, gradient(size.X, size.Y))), photo.Limits{})
		if !errors.Is(err, photo.ErrTooSmall) {
			t.Errorf("%v: err = %v, want ErrTooSmall", size, err)
		}
	}
	_, err := photo.Process(bytes.NewReader(encodeJPEG(t, gradient(10, 10))), photo.Limits{})
	if !errors.Is(err, photo.ErrTooSmall) {
		t.Errorf("JPEG 10x10: err = %v, want ErrTooSmall", err)
	}
}

func TestErrorsAreDistinct(t *testing.T) {
	all := append(append([]error{}, sentinels...), photo.ErrNotFound)
	for i, a := range all {
		for j, b := range all {
			if i != j && (a == b || errors.Is(a, b) || a.Error() == b.Error()) {
				t.Errorf("%v and %v are not distinct", a, b)
			}
		}
	}
}

const (
	secretDesc    = "SECRET-GPS-35.6812N-139.7671E-home"
	secretComment = "SECRET-COMMENT-written-by-camera"
	secretICC     = "SECRET-ICC-PROFILE-sRGB-ish"
	secretXMP     = "SECRET-XMP-packet"
	secretTrailer = "SECRET-TRAILER-after-EOI"
)

// checkNoMetadata checks that a variant has no APPn or COM segment and none
// of the strings.
func checkNoMetadata(t *testing.T, v photo.Variant, secrets ...string) {
	t.Helper()
	for _, m := range jpegMarkers(t, v.JPEG) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("%s has marker %#x", v.Name, m)
		}
	}
	for _, s := range secrets {
		if bytes.Contains(v.JPEG, []byte(s)) {
			t.Errorf("%s still contains %q", v.Name, s)
		}
	}
	if bytes.Contains(v.JPEG, []byte("Exif")) || bytes.Contains(v.JPEG, []byte("ICC_PROFILE")) {
		t.Errorf("%s still has an EXIF or ICC header", v.Name)
	}
}

func TestMetadataStrippedJPEG(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			data := insertAfterSOI(encodeJPEG(t, gradient(300, 200)),
				exifAPP1(bo, 1, secretDesc),
				segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+secretXMP+"</x:xmpmeta>")),
				segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01"+secretICC)),
				segment(0xFE, []byte(secretComment)),
			)
			data = append(data, secretTrailer...)
			// The input really carries them.
			in := string(data)
			for _, s := range []string{secretDesc, secretComment, secretICC, secretXMP, secretTrailer, "Exif"} {
				if !strings.Contains(in, s) {
					t.Fatalf("test input lacks %q", s)
				}
			}
			vs := process(t, data)
			checkVariants(t, vs, 300, 200)
			for _, v := range vs {
				checkNoMetadata(t, v, secretDesc, secretComment, secretICC, secretXMP, secretTrailer)
			}
		})
	}
}

func TestMetadataStrippedFixture(t *testing.T) {
	// Written by exiftool: EXIF with GPS position, maker, model, artist,
	// description, a JPEG comment and XMP.
	data := readFixture(t, "phone-orient6-gps.jpg")
	secrets := []string{"SECRET-", "TsunaguPhoneMaker", "ExifTool", "Exif", "xmpmeta"}
	for _, s := range secrets {
		if !bytes.Contains(data, []byte(s)) {
			t.Fatalf("fixture lacks %q", s)
		}
	}
	for _, v := range process(t, data) {
		checkNoMetadata(t, v, secrets...)
	}
}

func TestMetadataStrippedPNG(t *testing.T) {
	p := encodePNG(t, gradient(100, 100))
	// Insert a tEXt chunk right after IHDR (8 + 25 bytes).
	text := pngChunk("tEXt", []byte("Comment\x00"+secretComment))
	data := append(append(append([]byte{}, p[:33]...), text...), p[33:]...)
	for _, v := range process(t, data) {
		checkNoMetadata(t, v, secretComment)
	}
}

// wantCorners gives the colours expected at the corners of the upright image,
// for the quadrants image stored with each EXIF orientation.
var wantCorners = map[int][4]color.NRGBA{ // top left, top right, bottom left, bottom right
	1: {red, blue, green, yellow},
	2: {blue, red, yellow, green}, // mirrored
	3: {yellow, green, blue, red}, // rotated 180°
	4: {green, yellow, red, blue}, // flipped
	5: {red, green, blue, yellow}, // transposed
	6: {green, red, yellow, blue}, // turned clockwise
	7: {yellow, blue, green, red}, // transversed
	8: {blue, yellow, red, green}, // turned counter-clockwise
	0: {red, blue, green, yellow}, // no orientation tag
	9: {red, blue, green, yellow}, // invalid: ignored
}

func checkCorners(t *testing.T, m image.Image, want [4]color.NRGBA) {
	t.Helper()
	b := m.Bounds()
	dx, dy := b.Dx()/8, b.Dy()/8
	pts := []image.Point{{dx, dy}, {b.Dx() - 1 - dx, dy}, {dx, b.Dy() - 1 - dy}, {b.Dx() - 1 - dx, b.Dy() - 1 - dy}}
	for i, p := range pts {
		if got := m.At(p.X, p.Y); !near(got, want[i], 50) {
			t.Errorf("%v: got %v, want %v", p, got, want[i])
		}
	}
}

func TestOrientationSixLeftRedRightBlue(t *testing.T) {
	// A phone held upright stores a 200x100 landscape frame, tagged
	// Orientation 6: the upright photo is 100x200, red on top.
	m := fill(200, 100, func(x, _ int) color.NRGBA {
		if x < 100 {
			return red
		}
		return blue
	})
	data := insertAfterSOI(encodeJPEG(t, m), exifAPP1(binary.LittleEndian, 6, "phone"))
	large, small := checkVariants(t, process(t, data), 100, 200)
	for _, c := range []struct {
		m    image.Image
		x, y int
		want color.NRGBA
	}{
		{large, 50, 20, red}, {large, 50, 180, blue}, {large, 5, 95, red}, {large, 95, 105, blue},
		{small, 80, 10, red}, {small, 80, 150, blue},
	} {
		if got := c.m.At(c.x, c.y); !near(got, c.want, 40) {
			t.Errorf("(%d,%d) of %v = %v, want %v", c.x, c.y, c.m.Bounds(), got, c.want)
		}
	}
	if o := photo.JPEGOrientation(data); o != 6 {
		t.Errorf("orientation read as %d", o)
	}
}

func TestOrientationAll(t *testing.T) {
	src := encodeJPEG(t, quadrants(240, 120))
	for o, want := range wantCorners {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(bo.String()+"/"+string(rune('0'+o)), func(t *testing.T) {
				data := insertAfterSOI(src, exifAPP1(bo, o, "x"))
				w, h := 240, 120
				if o >= 5 && o <= 8 {
					w, h = h, w
				}
				large, small := checkVariants(t, process(t, data), w, h)
				checkCorners(t, large, want)
				checkCorners(t, small, want)
			})
		}
	}
}

func TestOrientationFixture(t *testing.T) {
	// exiftool -Orientation#=6 on a 160x120 quadrants JPEG (big-endian EXIF,
	// progressive).
	large, small := checkVariants(t, process(t, readFixture(t, "phone-orient6-gps.jpg")), 120, 160)
	checkCorners(t, large, wantCorners[6])
	checkCorners(t, small, wantCorners[6])
}

func TestOrientationOnlyForJPEG(t *testing.T) {
	// An EXIF-like blob in a PNG text chunk must not rotate anything.
	p := encodePNG(t, quadrants(160, 120))
	text := pngChunk("tEXt", append([]byte("Raw\x00"), exifAPP1(binary.LittleEndian, 6, "x")...))
	data := append(append(append([]byte{}, p[:33]...), text...), p[33:]...)
	large, _ := checkVariants(t, process(t, data), 160, 120)
	checkCorners(t, large, wantCorners[1])
}

func TestAnimatedGIFFirstFrame(t *testing.T) {
	large, small := checkVariants(t, process(t, readFixture(t, "anim.gif")), 96, 96)
	for _, m := range []image.Image{large, small} {
		if got := m.At(m.Bounds().Dx()/2, m.Bounds().Dy()/2); !near(got, red, 40) {
			t.Errorf("center = %v, want red (first frame)", got)
		}
	}
}

func TestGIFFirstFrameSmallerThanScreen(t *testing.T) {
	// A 100x100 screen whose first frame is a 50x50 red square in the
	// middle: the rest is transparent, hence white.
	p := image.NewPaletted(image.Rect(25, 25, 75, 75), color.Palette{color.Transparent, red})
	for i := range p.Pix {
		p.Pix[i] = 1
	}
	data := encodeGIF(t, &gif.GIF{
		Image:  []*image.Paletted{p},
		Delay:  []int{0},
		Config: image.Config{Width: 100, Height: 100, ColorModel: p.Palette},
	})
	large, _ := checkVariants(t, process(t, data), 100, 100)
	if got := large.At(50, 50); !near(got, red, 40) {
		t.Errorf("center = %v, want red", got)
	}
	if got := large.At(5, 5); !near(got, white, 20) {
		t.Errorf("corner = %v, want white", got)
	}
}

func TestAlphaFlattenedOnWhite(t *testing.T) {
	// Left half transparent, right half opaque green.
	for _, name := range []string{"alpha.png", "alpha-lossy.webp", "alpha-lossless.webp"} {
		t.Run(name, func(t *testing.T) {
			large, _ := checkVariants(t, process(t, readFixture(t, name)), 100, 80)
			if got := large.At(10, 40); !near(got, white, 20) {
				t.Errorf("transparent side = %v, want white", got)
			}
			if got := large.At(90, 40); !near(got, green, 40) {
				t.Errorf("opaque side = %v, want green", got)
			}
		})
	}
	// Half-transparent red on white is pink.
	m := fill(100, 100, func(int, int) color.NRGBA { return color.NRGBA{255, 0, 0, 128} })
	large, _ := checkVariants(t, process(t, encodePNG(t, m)), 100, 100)
	if got := large.At(50, 50); !near(got, color.NRGBA{255, 127, 127, 255}, 20) {
		t.Errorf("half-transparent red = %v, want pink", got)
	}
}
