// Package photo turns uploaded member photos into safe, metadata-free JPEG
// variants and keeps them on local disk.
//
// Process never trusts a file name (it is not even given one): the type is
// taken from the bytes, the dimensions are checked from the header before any
// pixel is decoded (decompression bombs), the pixels are decoded, turned
// upright following the EXIF orientation, flattened on white, resized and
// re-encoded, so that nothing of the upload but its pixels survives: no EXIF,
// no GPS position, no comment, no ICC profile, no trailing data.
//
// Store writes the variants atomically under random keys and serves them with
// headers fit for member data.
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Errors callers map to localized messages. Process wraps them (use
// errors.Is); each error it returns matches exactly one of them.
var (
	// ErrTooLarge: the upload has more bytes than Limits.MaxBytes.
	ErrTooLarge = errors.New("photo: file too large")
	// ErrUnsupported: the content is not JPEG, PNG, GIF or WebP.
	ErrUnsupported = errors.New("photo: unsupported image type")
	// ErrCorrupt: the content claims a supported type but does not decode.
	ErrCorrupt = errors.New("photo: corrupt image")
	// ErrTooManyPixels: the header announces dimensions beyond the limits
	// (a decompression bomb); no pixel was decoded.
	ErrTooManyPixels = errors.New("photo: image dimensions too large")
	// ErrTooSmall: a side is shorter than MinSide pixels.
	ErrTooSmall = errors.New("photo: image too small")
)

// Defaults for the zero fields of Limits.
const (
	DefaultMaxBytes  = 10 << 20   // 10 MiB
	DefaultMaxPixels = 40_000_000 // 40 megapixels
	DefaultMaxSide   = 12000
)

// MinSide is the shortest side, in pixels, that Process accepts.
const MinSide = 64

// Variant names and sizes.
const (
	// VariantLarge fits in LargeSize x LargeSize, keeping the aspect ratio;
	// smaller photos are not enlarged.
	VariantLarge = "large"
	// VariantSmall is exactly SmallSize x SmallSize, a center crop.
	VariantSmall = "small"

	LargeSize = 800
	SmallSize = 160
)

// variantNames lists the variants Process makes, in order; Store accepts only
// these names.
var variantNames = [...]string{VariantLarge, VariantSmall}

// jpegQuality is the quality of the re-encoded variants.
const jpegQuality = 85

// Limits bound what Process accepts. A zero (or negative) field takes its
// default.
type Limits struct {
	MaxBytes  int64 // default DefaultMaxBytes
	MaxPixels int   // width*height, default DefaultMaxPixels
	MaxSide   int   // longest side, default DefaultMaxSide
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	return l
}

// Variant is one re-encoded size of a photo.
type Variant struct {
	Name          string // VariantLarge or VariantSmall
	Width, Height int
	JPEG          []byte
}

type format struct {
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
}

// formats maps the sniffed content type to its decoder. Only these four are
// accepted; the decoders are called directly rather than through the image
// package's registry, so that a format registered elsewhere in the program
// (BMP, TIFF...) cannot slip in.
var formats = map[string]format{
	"image/jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"image/png":  {png.DecodeConfig, png.Decode},
	"image/gif":  {gif.DecodeConfig, gif.Decode}, // gif.Decode: the first frame only
	"image/webp": {webp.DecodeConfig, webp.Decode},
}

// Process reads an upload and returns its variants (VariantLarge then
// VariantSmall), re-encoded as JPEG without any metadata.
//
// At most l.MaxBytes+1 bytes are read from r. The type is detected from the
// content (http.DetectContentType, then the format's own header parser); the
// dimensions are checked from the header before the pixels are decoded.
// JPEGs are turned upright following their EXIF Orientation; the first frame
// of an animated GIF is used; transparency is flattened on white.
//
// Errors wrap exactly one of ErrTooLarge, ErrUnsupported, ErrCorrupt,
// ErrTooManyPixels and ErrTooSmall, except a read error from r, which is
// returned wrapped as is.
func Process(r io.Reader, l Limits) ([]Variant, error) {
	l = l.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("photo: reading upload: %w", err)
	}
	if int64(len(data)) > l.MaxBytes {
		return nil, fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, l.MaxBytes)
	}
	return processBytes(data, l)
}

func processBytes(data []byte, l Limits) (vs []Variant, err error) {
	ct := http.DetectContentType(data)
	// The decoders are not expected to panic, but a panic here must become
	// a clear error for the user, never a 500.
	defer func() {
		if p := recover(); p != nil {
			vs, err = nil, fmt.Errorf("%w: %s decoder panicked: %v", ErrCorrupt, ct, p)
		}
	}()
	f, ok := formats[ct]
	if !ok {
		return nil, fmt.Errorf("%w (%s)", ErrUnsupported, ct)
	}

	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s header: %v", ErrCorrupt, ct, err)
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: %s header: %dx%d", ErrCorrupt, ct, w, h)
	}
	if w > l.MaxSide || h > l.MaxSide || int64(w)*int64(h) > int64(l.MaxPixels) {
		return nil, fmt.Errorf("%w (%dx%d)", ErrTooManyPixels, w, h)
	}
	if w < MinSide || h < MinSide {
		return nil, fmt.Errorf("%w (%dx%d, at least %dx%d)", ErrTooSmall, w, h, MinSide, MinSide)
	}

	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, ct, err)
	}
	full := image.Rect(0, 0, w, h)
	if b := img.Bounds(); b != full {
		// A GIF frame may cover only part of the logical screen: it is
		// drawn on a screen-sized canvas. Other decoders always return
		// the header's size.
		if ct != "image/gif" || !b.In(full) || b.Empty() {
			return nil, fmt.Errorf("%w: %s: decoded %v, header says %dx%d", ErrCorrupt, ct, b, w, h)
		}
		canvas := newWhite(w, h)
		draw.Draw(canvas, b, img, b.Min, draw.Over)
		img = canvas
	}

	orientation := 1
	if ct == "image/jpeg" {
		orientation = jpegOrientation(data)
	}

	// Both variants are scaled from the source in its stored orientation,
	// then turned upright: the transform is cheap on the small result, and
	// a center crop is the same before and after it.
	lw, lh := fit(w, h, LargeSize)
	large := scale(img, full, lw, lh)
	s := min(w, h)
	crop := image.Rect((w-s)/2, (h-s)/2, (w-s)/2+s, (h-s)/2+s)
	small := scale(img, crop, SmallSize, SmallSize)

	vs = make([]Variant, 0, len(variantNames))
	for i, m := range [...]*image.RGBA{large, small} {
		m = orient(m, orientation)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: jpegQuality}); err != nil {
			// Encoding an in-memory RGBA into a buffer does not fail.
			return nil, fmt.Errorf("photo: encoding %s: %w", variantNames[i], err)
		}
		vs = append(vs, Variant{
			Name:   variantNames[i],
			Width:  m.Rect.Dx(),
			Height: m.Rect.Dy(),
			JPEG:   buf.Bytes(),
		})
	}
	return vs, nil
}

// fit returns the size of a w x h image scaled down to fit in side x side,
// keeping the aspect ratio; images already small enough keep their size.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, (h*side+w/2)/w)
	}
	return max(1, (w*side+h/2)/h), side
}

func newWhite(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	return m
}

// scale draws the sr part of src, resized to w x h, over a white canvas, which
// flattens any transparency.
func scale(src image.Image, sr image.Rectangle, w, h int) *image.RGBA {
	dst := newWhite(w, h)
	if sr.Dx() == w && sr.Dy() == h {
		draw.Draw(dst, dst.Rect, src, sr.Min, draw.Over)
	} else {
		draw.CatmullRom.Scale(dst, dst.Rect, src, sr, draw.Over, nil)
	}
	return dst
}

// orient returns m transformed for display according to an EXIF Orientation
// value (1 to 8; anything else leaves m as it is).
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2: // mirrored horizontally
				sx, sy = w-1-x, y
			case 3: // rotated 180°
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored vertically
				sx, sy = x, h-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // stored rotated 90° counter-clockwise: turn clockwise
				sx, sy = y, h-1-x
			case 7: // transversed
				sx, sy = w-1-y, h-1-x
			case 8: // stored rotated 90° clockwise: turn counter-clockwise
				sx, sy = w-1-y, x
			}
			si := m.PixOffset(sx+m.Rect.Min.X, sy+m.Rect.Min.Y)
			di := dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], m.Pix[si:si+4])
		}
	}
	return dst
}
