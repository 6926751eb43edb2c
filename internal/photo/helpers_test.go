package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var (
	red    = color.NRGBA{255, 0, 0, 255}
	blue   = color.NRGBA{0, 0, 255, 255}
	green  = color.NRGBA{0, 160, 0, 255}
	yellow = color.NRGBA{255, 255, 0, 255}
	white  = color.NRGBA{255, 255, 255, 255}
)

// fill returns a w x h image where each pixel has the colour f gives.
func fill(w, h int, f func(x, y int) color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, f(x, y))
		}
	}
	return m
}

// quadrants: red top left, blue top right, green bottom left, yellow bottom
// right.
func quadrants(w, h int) *image.NRGBA {
	return fill(w, h, func(x, y int) color.NRGBA {
		switch {
		case x < w/2 && y < h/2:
			return red
		case y < h/2:
			return blue
		case x < w/2:
			return green
		}
		return yellow
	})
}

// gradient is a smooth image, closer to a photo than flat colours.
func gradient(w, h int) *image.NRGBA {
	return fill(w, h, func(x, y int) color.NRGBA {
		return color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), 128, 255}
	})
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, g *gif.GIF) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// segment returns a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// insertAfterSOI inserts marker segments right after a JPEG's SOI, where
// cameras put APP1 (EXIF) and APP2 (ICC).
func insertAfterSOI(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    []byte // inline if up to 4 bytes, else stored after the IFDs
}

// exifAPP1 builds an APP1 "Exif" segment: IFD0 with Orientation (if o > 0),
// ImageDescription (desc) and a pointer to a GPS IFD holding a latitude.
func exifAPP1(bo binary.ByteOrder, o int, desc string) []byte {
	u16 := func(v uint16) []byte { b := make([]byte, 2); bo.PutUint16(b, v); return b }
	u32 := func(v uint32) []byte { b := make([]byte, 4); bo.PutUint32(b, v); return b }
	var ifd0 []ifdEntry
	ifd0 = append(ifd0, ifdEntry{0x010E, 2, uint32(len(desc) + 1), append([]byte(desc), 0)})
	if o > 0 {
		ifd0 = append(ifd0, ifdEntry{0x0112, 3, 1, append(u16(uint16(o)), 0, 0)})
	}
	const gpsPointer = 0x8825
	ifd0 = append(ifd0, ifdEntry{gpsPointer, 4, 1, nil}) // value filled below
	rational := func(n, d uint32) []byte { return append(u32(n), u32(d)...) }
	lat := append(append(rational(35, 1), rational(40, 1)...), rational(5245, 100)...)
	gps := []ifdEntry{
		{0x0001, 2, 2, []byte{'N', 0, 0, 0}},
		{0x0002, 5, 3, lat},
	}

	// Layout: header (8), IFD0, GPS IFD, then the out-of-line values.
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	ifd0Off := 8
	gpsOff := ifd0Off + ifdSize(len(ifd0))
	dataOff := gpsOff + ifdSize(len(gps))
	var data []byte
	write := func(es []ifdEntry, next uint32) []byte {
		b := u16(uint16(len(es)))
		for _, e := range es {
			b = append(b, u16(e.tag)...)
			b = append(b, u16(e.typ)...)
			b = append(b, u32(e.count)...)
			switch {
			case e.tag == gpsPointer:
				b = append(b, u32(uint32(gpsOff))...)
			case len(e.value) <= 4:
				v := append(append([]byte{}, e.value...), 0, 0, 0, 0)
				b = append(b, v[:4]...)
			default:
				b = append(b, u32(uint32(dataOff+len(data)))...)
				data = append(data, e.value...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		return append(b, u32(next)...)
	}
	tiff := []byte("II")
	if bo == binary.BigEndian {
		tiff = []byte("MM")
	}
	tiff = append(tiff, u16(42)...)
	tiff = append(tiff, u32(uint32(ifd0Off))...)
	tiff = append(tiff, write(ifd0, 0)...)
	tiff = append(tiff, write(gps, 0)...)
	tiff = append(tiff, data...)
	return segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

// jpegMarkers lists the markers of a JPEG up to and including SOS.
func jpegMarkers(t testing.TB, j []byte) []byte {
	t.Helper()
	if len(j) < 2 || j[0] != 0xFF || j[1] != 0xD8 {
		t.Fatalf("not a JPEG: % x", j[:min(len(j), 4)])
	}
	var ms []byte
	for i := 2; i+4 <= len(j); {
		if j[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := j[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(j[i+2:]))
	}
	t.Fatal("no SOS")
	return nil
}

// pngChunk returns a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngHeader returns a PNG signature and IHDR for an 8-bit RGB image of the
// given size.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// near reports whether c is within tol of want on each channel (JPEG is
// lossy).
func near(c color.Color, want color.NRGBA, tol int) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	d := func(a, b uint8) bool { return abs(int(a)-int(b)) <= tol }
	return d(n.R, want.R) && d(n.G, want.G) && d(n.B, want.B)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func decodeJPEG(t testing.TB, b []byte) image.Image {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output does not decode as JPEG: %v", err)
	}
	return m
}
