package hrimport_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/hrimport"
)

// FuzzImport feeds arbitrary bytes through detection, reading, mapping
// and row validation: nothing may panic, a file problem must be a
// *FileError, and a row that validates has a key and a family name in
// valid UTF-8.
func FuzzImport(f *testing.F) {
	f.Add([]byte(threeRows))
	f.Add([]byte("\ufeff" + mixedRows))
	f.Add([]byte("社員番号,氏名,メールアドレス,入社日,退職日\nE1,山田 花子,a@example.jp,令和6年4月1日,R7.3.31\n"))
	f.Add([]byte("a,\"b\nc\",d\n\"\"\"\",x"))
	f.Add([]byte("\x82\xa0\x82\xa2,\x83A\n1,2\n"))
	f.Add([]byte("社員番号,姓\n\"E1,山田\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		enc, err := hrimport.DetectEncoding(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		in, err := hrimport.Inspect(bytes.NewReader(data), "auto")
		var fe *hrimport.FileError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("inspect: %v", err)
		}
		if in.Detected != enc {
			t.Fatalf("detected %s then %s", enc, in.Detected)
		}
		if err != nil || enc == hrimport.Unknown {
			return
		}
		m := hrimport.Suggest(in.Header)
		m[hrimport.FieldEmployeeNumber] = 0
		if len(in.Header) > 1 {
			m[hrimport.FieldFullName] = 1
		}
		rd, err := hrimport.NewReader(bytes.NewReader(data), enc)
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for {
			rec, row, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.As(err, &fe) {
					t.Fatalf("read: %v", err)
				}
				break
			}
			if row <= last {
				t.Fatalf("row %d after %d", row, last)
			}
			last = row
			p, errs := hrimport.Parse(rec, row, m, in.Header)
			for _, e := range errs {
				if e.Row != row || e.Key == "" || !strings.HasPrefix(e.Key, "hrimport.err.") {
					t.Fatalf("bad error %+v", e)
				}
			}
			if len(errs) == 0 {
				if p.Name.Family == "" || (p.EmployeeNumber == "" && p.Email == "") {
					t.Fatalf("valid row without key or name: %+v", p)
				}
				for _, s := range []string{p.Name.Family, p.Name.Given, p.EmployeeNumber, p.Email, p.Notes} {
					if !utf8.ValidString(s) {
						t.Fatalf("invalid UTF-8 %q", s)
					}
				}
				if p.HiredOn != "" && p.LeftOn != "" && p.LeftOn < p.HiredOn {
					t.Fatalf("left before hired passed: %+v", p)
				}
			}
		}
	})
}
