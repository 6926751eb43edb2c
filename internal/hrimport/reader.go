package hrimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// Encodings a file may be read in. "unknown" is what detection says when
// the bytes are neither; the user must then choose.
const (
	UTF8    = "utf-8"
	CP932   = "cp932"
	Unknown = "unknown"
)

// MaxRecordBytes bounds one CSV record (a row as Excel shows it). csv.Reader
// has no cell limit and would gather a 1 GB cell in memory; the input is
// wrapped so that a record this large fails as soon as it is seen.
const MaxRecordBytes = 10 << 20

// ErrRecordTooLarge is returned for a row over MaxRecordBytes.
var ErrRecordTooLarge = errors.New("row larger than 10 MB")

// ErrEncoding means the file is not in the encoding it is read in.
var ErrEncoding = errors.New("file is not in the chosen encoding")

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DetectEncoding reads r to the end (in constant memory) and says how it is
// encoded: a BOM or valid UTF-8 means UTF-8, bytes that decode cleanly as
// Windows-31J (CP932, Excel's "CSV" in Japan) mean CP932, otherwise Unknown.
func DetectEncoding(r io.ReadSeeker) (string, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	if bytes.Equal(head, utf8BOM) {
		return UTF8, nil
	}
	ok, err := validUTF8(br)
	if err != nil {
		return "", err
	}
	if ok {
		return UTF8, nil
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	if ok, err := validCP932(r); err != nil {
		return "", err
	} else if ok {
		return CP932, nil
	}
	return Unknown, nil
}

// validUTF8 checks a stream chunk by chunk, carrying an incomplete rune over
// the chunk boundary.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		// Hold back a rune that may continue in the next chunk.
		if err == nil {
			for i := 1; i <= 3 && i <= n; i++ {
				if utf8.RuneStart(buf[n-i]) {
					if !utf8.FullRune(buf[n-i : n]) {
						end = n - i
					}
					break
				}
			}
		}
		if !utf8.Valid(buf[:end]) {
			return false, nil
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			return carry == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// validCP932 decodes the stream and reports whether every byte sequence was
// valid: the decoder writes U+FFFD for bytes it cannot map, and no CP932
// text contains that rune.
func validCP932(r io.Reader) (bool, error) {
	tr := transform.NewReader(r, japanese.ShiftJIS.NewDecoder())
	br := bufio.NewReaderSize(tr, 64<<10)
	for {
		c, _, err := br.ReadRune()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, nil
		}
		if c == utf8.RuneError {
			return false, nil
		}
	}
}

// decoded returns r as UTF-8 text for enc, without a BOM.
func decoded(r io.Reader, enc string) (io.Reader, error) {
	switch enc {
	case UTF8:
		br := bufio.NewReaderSize(r, 64<<10)
		if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
			_, _ = br.Discard(3)
		}
		return &utf8Checker{r: br}, nil
	case CP932:
		return &utf8Checker{r: transform.NewReader(r, japanese.ShiftJIS.NewDecoder()), cp932: true}, nil
	}
	return nil, fmt.Errorf("%w: choose utf-8 or cp932", ErrEncoding)
}

// utf8Checker fails the read when the text is not what the encoding
// promised: invalid UTF-8, or U+FFFD from the CP932 decoder. Without it a
// wrongly chosen encoding would import mojibake.
type utf8Checker struct {
	r     io.Reader
	cp932 bool
	carry []byte
}

func (c *utf8Checker) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	chunk := p[:n]
	if c.cp932 {
		// Keep the last two bytes: the replacement rune may straddle two reads.
		seen := append(c.carry, chunk...)
		if bytes.Contains(seen, []byte("\uFFFD")) {
			return 0, ErrEncoding
		}
		c.carry = append(c.carry[:0], seen[max(0, len(seen)-2):]...)
		return n, err
	}
	// Validate whole runes only; an incomplete tail is checked with the next read.
	all := append(c.carry, chunk...)
	end := len(all)
	if err == nil {
		for i := 1; i <= 3 && i <= len(all); i++ {
			if utf8.RuneStart(all[len(all)-i]) {
				if !utf8.FullRune(all[len(all)-i:]) {
					end = len(all) - i
				}
				break
			}
		}
	}
	if !utf8.Valid(all[:end]) || (err == io.EOF && end != len(all)) {
		return 0, ErrEncoding
	}
	c.carry = append(c.carry[:0], all[end:]...)
	return n, err
}

// limitedRecords fails the read once more than MaxRecordBytes have been read
// since the start of the current record (as the CSV reader last reported
// it), so that one huge cell is refused without being held in memory.
type limitedRecords struct {
	r           io.Reader
	read        int64
	recordStart int64
	max         int64
}

func (l *limitedRecords) Read(p []byte) (int, error) {
	if l.read-l.recordStart > l.max {
		return 0, ErrRecordTooLarge
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// Reader reads the records of an HR file. Row numbers are as Excel shows
// them: the header is row 1.
type Reader struct {
	csv   *csv.Reader
	limit *limitedRecords
	row   int
}

// NewReader reads r (the raw file) in encoding enc (UTF8 or CP932).
func NewReader(r io.Reader, enc string) (*Reader, error) {
	return newReader(r, enc, MaxRecordBytes)
}

func newReader(r io.Reader, enc string, max int64) (*Reader, error) {
	text, err := decoded(r, enc)
	if err != nil {
		return nil, err
	}
	lim := &limitedRecords{r: text, max: max}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1 // Excel drops trailing empty cells on some rows
	cr.LazyQuotes = false
	cr.ReuseRecord = false
	return &Reader{csv: cr, limit: lim}, nil
}

// FileError is a problem with the file itself (not one row's values): it
// stops the reading.
type FileError struct {
	Row int    // as Excel shows it; 0 when not known
	Key string // i18n key
	Err error
}

func (e *FileError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("row %d: %v", e.Row, e.Err)
	}
	return e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// Read returns the next record with its row number, trailing empty cells
// removed. io.EOF at the end; a *FileError for a broken file.
func (r *Reader) Read() ([]string, int, error) {
	for {
		rec, err := r.csv.Read()
		start := r.limit.recordStart
		r.limit.recordStart = r.csv.InputOffset()
		if err == nil && r.limit.recordStart-start > r.limit.max {
			err = ErrRecordTooLarge // caught after the fact only when within one buffer of the limit
		}
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		r.row++
		if err != nil {
			return nil, r.row, classify(err, r.row)
		}
		for len(rec) > 0 && strings.TrimSpace(strings.ReplaceAll(rec[len(rec)-1], "\u3000", "")) == "" {
			rec = rec[:len(rec)-1]
		}
		if len(rec) == 0 {
			continue // a blank line (Excel leaves ",,,," rows below the data)
		}
		return rec, r.row, nil
	}
}

func classify(err error, row int) error {
	switch {
	case errors.Is(err, ErrRecordTooLarge):
		return &FileError{Row: row, Key: "hrimport.file.too_large_row", Err: err}
	case errors.Is(err, ErrEncoding):
		return &FileError{Row: row, Key: "hrimport.file.encoding", Err: err}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)) {
		return &FileError{Row: row, Key: "hrimport.file.quote", Err: err}
	}
	return &FileError{Row: row, Key: "hrimport.file.broken", Err: err}
}

// Inspection is what the upload step shows: how the file is read, its
// header and first rows, and how many rows it has.
type Inspection struct {
	Encoding string // as read (detected or chosen)
	Detected string
	Header   []string
	Preview  [][]string
	Rows     int // data rows, header excluded
}

// PreviewRows is how many data rows the mapping step shows.
const PreviewRows = 5

// Inspect reads the whole file once (streaming) in enc ("" or "auto":
// detect) and returns its header, first rows and row count.
func Inspect(f io.ReadSeeker, enc string) (Inspection, error) {
	detected, err := DetectEncoding(f)
	if err != nil {
		return Inspection{}, err
	}
	in := Inspection{Detected: detected, Encoding: enc}
	if enc == "" || enc == "auto" {
		in.Encoding = detected
	}
	if in.Encoding == Unknown {
		return in, &FileError{Key: "hrimport.file.unknown_encoding", Err: ErrEncoding}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return in, err
	}
	rd, err := NewReader(f, in.Encoding)
	if err != nil {
		return in, &FileError{Key: "hrimport.file.unknown_encoding", Err: err}
	}
	for {
		rec, _, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, err
		}
		if in.Header == nil {
			in.Header = rec
			continue
		}
		in.Rows++
		if len(in.Preview) < PreviewRows {
			in.Preview = append(in.Preview, rec)
		}
	}
	if in.Header == nil {
		return in, &FileError{Key: "hrimport.file.empty", Err: errors.New("the file is empty")}
	}
	return in, nil
}
