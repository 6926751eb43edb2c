package photo_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/photo"
)

func newStore(t *testing.T) (*photo.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "uploads", "photos")
	s, err := photo.NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func TestNewStoreCreatesNothingUntilSave(t *testing.T) {
	s, dir := newStore(t)
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("NewStore made %s: %v", dir, err)
	}
	if _, err := s.Save(1, variants(t)); err != nil {
		t.Fatal(err)
	}
	if len(listFiles(t, dir)) != 2 {
		t.Fatal("Save did not create the directory and both variants")
	}
}

var sampleVariants []photo.Variant

func variants(t *testing.T) []photo.Variant {
	t.Helper()
	if sampleVariants == nil {
		sampleVariants = process(t, encodeJPEG(t, gradient(1000, 700)))
	}
	return sampleVariants
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// listFiles returns every file under dir, relative to it.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p == dir && errors.Is(err, fs.ErrNotExist) {
			return nil // nothing saved yet: the store makes its directory on the first Save
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var keyRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestStoreSaveOpen(t *testing.T) {
	s, dir := newStore(t)
	vs := variants(t)
	key, err := s.Save(42, vs)
	if err != nil {
		t.Fatal(err)
	}
	if !keyRE.MatchString(key) {
		t.Fatalf("key %q is not 24 lowercase hex characters", key)
	}
	for _, v := range vs {
		f, mod, err := s.Open(42, key, v.Name)
		if err != nil {
			t.Fatalf("Open %s: %v", v.Name, err)
		}
		if time.Since(mod) > time.Minute || mod.After(time.Now().Add(time.Second)) {
			t.Errorf("modtime %v", mod)
		}
		if got := readAll(t, f); !bytes.Equal(got, v.JPEG) {
			t.Errorf("%s: read %d bytes, saved %d", v.Name, len(got), len(v.JPEG))
		}
	}

	// Layout and modes: dir/<org>/<key>-<variant>.jpg, 0640 in 0750.
	want := []string{filepath.Join("42", key+"-large.jpg"), filepath.Join("42", key+"-small.jpg")}
	if got := listFiles(t, dir); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("files %v, want %v", got, want)
	}
	for _, f := range want {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o640 {
			t.Errorf("%s mode %o, want 640", f, m)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "42"))
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m&^0o750 != 0 {
		t.Errorf("org directory mode %o, want at most 750", m)
	}
}

func TestStoreKeysRandom(t *testing.T) {
	s, _ := newStore(t)
	seen := map[string]bool{}
	for range 20 {
		key, err := s.Save(1, variants(t))
		if err != nil {
			t.Fatal(err)
		}
		if seen[key] {
			t.Fatalf("key %s twice", key)
		}
		seen[key] = true
	}
}

func TestStoreOpenRejects(t *testing.T) {
	s, dir := newStore(t)
	key, err := s.Save(7, variants(t))
	if err != nil {
		t.Fatal(err)
	}
	// A file outside the store that traversal would reach.
	if err := os.WriteFile(filepath.Join(dir, "secret-large.jpg"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		org          int64
		key, variant string
	}{
		{"traversal", 7, "../../etc/passwd", "large"},
		{"traversal to sibling", 7, "../secret", "large"},
		{"traversal in variant", 7, key, "../../../etc/passwd"},
		{"empty key", 7, "", "large"},
		{"uppercase hex", 7, strings.ToUpper(key), "large"},
		{"too short", 7, key[:23], "large"},
		{"too long", 7, key + "0", "large"},
		{"non-hex", 7, "g" + key[1:], "large"},
		{"slash", 7, key[:11] + "/" + key[12:], "large"},
		{"nul", 7, key[:23] + "\x00", "large"},
		{"unknown variant", 7, key, "original"},
		{"empty variant", 7, key, ""},
		{"variant with extension", 7, key, "large.jpg"},
		{"another org", 8, key, "large"},
		{"org zero", 0, key, "large"},
		{"negative org", -7, key, "large"},
		{"random unknown key", 7, "0123456789abcdef01234567", "large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, err := s.Open(tt.org, tt.key, tt.variant)
			if f != nil {
				f.Close()
			}
			if err != photo.ErrNotFound {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestStoreOpenDirectoryIsNotFound(t *testing.T) {
	s, dir := newStore(t)
	key := "00112233445566778899aabb"
	if err := os.MkdirAll(filepath.Join(dir, "3", key+"-large.jpg"), 0o750); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(3, key, "large"); err != photo.ErrNotFound {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestStoreDelete(t *testing.T) {
	s, dir := newStore(t)
	keep, err := s.Save(5, variants(t))
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.Save(5, variants(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(5, key); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"large", "small"} {
		if _, _, err := s.Open(5, key, v); err != photo.ErrNotFound {
			t.Errorf("%s after Delete: err = %v", v, err)
		}
	}
	if got := len(listFiles(t, dir)); got != 2 {
		t.Errorf("%d files left, want the 2 of the other photo", got)
	}
	if _, _, err := s.Open(5, keep, "small"); err != nil {
		t.Errorf("other photo: %v", err)
	}
	// Deleting again is fine; a malformed key is not found.
	if err := s.Delete(5, key); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if err := s.Delete(5, "../../etc"); err != photo.ErrNotFound {
		t.Errorf("Delete traversal: err = %v, want ErrNotFound", err)
	}
}

func TestStoreSaveRejectsBadVariants(t *testing.T) {
	s, dir := newStore(t)
	vs := variants(t)
	for name, bad := range map[string][]photo.Variant{
		"none":      nil,
		"unknown":   {{Name: "../x", JPEG: vs[0].JPEG}},
		"duplicate": {vs[0], vs[0]},
		"empty":     {{Name: "large"}},
	} {
		if _, err := s.Save(1, bad); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	if _, err := s.Save(0, vs); err == nil {
		t.Error("org 0: saved")
	}
	if files := listFiles(t, dir); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestStoreSaveFailureLeavesNothing(t *testing.T) {
	vs := variants(t)

	t.Run("org directory is a file", func(t *testing.T) {
		s, dir := newStore(t)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "9"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(9, vs); err == nil {
			t.Fatal("saved")
		}
		if files := listFiles(t, dir); len(files) != 1 {
			t.Errorf("files: %v, want only the blocking file", files)
		}
	})

	t.Run("second rename fails", func(t *testing.T) {
		// The small variant's name is taken by a non-empty directory:
		// the large one, already renamed into place, must be removed,
		// and so must the temporary files.
		s, dir := newStore(t)
		const key = "aaaaaaaaaaaaaaaaaaaaaaaa"
		restore := photo.SetKeyFunc(func() string { return key })
		defer restore()
		blocker := filepath.Join(dir, "9", key+"-small.jpg")
		if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o750); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(9, vs); err == nil {
			t.Fatal("saved")
		}
		if files := listFiles(t, dir); len(files) != 0 {
			t.Errorf("files left: %v", files)
		}
	})

	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores directory permissions")
		}
		s, dir := newStore(t)
		org := filepath.Join(dir, "9")
		if err := os.Mkdir(org, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(org, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(org, 0o750)
		if _, err := s.Save(9, vs); err == nil {
			t.Fatal("saved")
		}
		if files := listFiles(t, dir); len(files) != 0 {
			t.Errorf("files left: %v", files)
		}
	})
}

func TestServe(t *testing.T) {
	s, _ := newStore(t)
	vs := variants(t)
	key, err := s.Save(3, vs)
	if err != nil {
		t.Fatal(err)
	}

	for _, v := range vs {
		rec := httptest.NewRecorder()
		s.Serve(rec, httptest.NewRequest("GET", "/photos/x", nil), 3, key, v.Name)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", v.Name, rec.Code)
		}
		for h, want := range map[string]string{
			"Content-Type":           "image/jpeg",
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "private, max-age=86400",
			"Content-Disposition":    "inline",
		} {
			if got := rec.Header().Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", v.Name, h, got, want)
			}
		}
		if rec.Header().Get("Last-Modified") == "" {
			t.Errorf("%s: no Last-Modified", v.Name)
		}
		if !bytes.Equal(rec.Body.Bytes(), v.JPEG) {
			t.Errorf("%s: body differs from the stored bytes", v.Name)
		}
	}

	// If-Modified-Since: 304 without a body.
	_, mod, err := s.Open(3, key, "large")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/photos/x", nil)
	req.Header.Set("If-Modified-Since", mod.UTC().Format(http.TimeFormat))
	rec := httptest.NewRecorder()
	s.Serve(rec, req, 3, key, "large")
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-Modified-Since: status %d, %d bytes", rec.Code, rec.Body.Len())
	}

	// If-None-Match with the ETag: 304.
	req = httptest.NewRequest("GET", "/photos/x", nil)
	req.Header.Set("If-None-Match", `"`+key+`-large"`)
	rec = httptest.NewRecorder()
	s.Serve(rec, req, 3, key, "large")
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d", rec.Code)
	}

	// Range.
	req = httptest.NewRequest("GET", "/photos/x", nil)
	req.Header.Set("Range", "bytes=0-9")
	rec = httptest.NewRecorder()
	s.Serve(rec, req, 3, key, "large")
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), vs[0].JPEG[:10]) {
		t.Errorf("Range: status %d, body % x", rec.Code, rec.Body.Bytes())
	}

	// HEAD: headers, no body.
	rec = httptest.NewRecorder()
	s.Serve(rec, httptest.NewRequest("HEAD", "/photos/x", nil), 3, key, "large")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "image/jpeg" {
		t.Errorf("HEAD: status %d, %d bytes, %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Type"))
	}

	// Not found: unknown key, malformed key, other org, unknown variant.
	for _, c := range []struct {
		org          int64
		key, variant string
	}{
		{3, "0123456789abcdef01234567", "large"},
		{3, "../../etc/passwd", "large"},
		{4, key, "large"},
		{3, key, "original"},
	} {
		rec := httptest.NewRecorder()
		s.Serve(rec, httptest.NewRequest("GET", "/photos/x", nil), c.org, c.key, c.variant)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%v: status %d, want 404", c, rec.Code)
		}
		if rec.Header().Get("Content-Type") == "image/jpeg" || rec.Header().Get("Cache-Control") != "" {
			t.Errorf("%v: photo headers on a 404: %v", c, rec.Header())
		}
	}
}

func TestStoreConcurrentSaves(t *testing.T) {
	s, dir := newStore(t)
	vs := variants(t)
	const n = 8
	keys := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			k, err := s.Save(2, vs)
			keys <- k
			errs <- err
		}()
	}
	seen := map[string]bool{}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		seen[<-keys] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct keys, want %d", len(seen), n)
	}
	if got := len(listFiles(t, dir)); got != 2*n {
		t.Errorf("%d files, want %d", got, 2*n)
	}
}
