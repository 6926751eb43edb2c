package photo

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ErrNotFound is returned for a photo that does not exist, and for any key,
// variant or organization that is not well formed.
var ErrNotFound = errors.New("photo: not found")

const (
	keyBytes = 12 // random bytes in a key
	// KeyLen is the length of a key: lowercase hex.
	KeyLen = 2 * keyBytes

	fileMode = 0o640
	dirMode  = 0o750
)

// Store keeps processed photos on local disk, as
// <dir>/<orgID>/<key>-<variant>.jpg. Keys are random; no path is ever built
// from anything a user sent but a validated key and variant name.
// A Store is safe for concurrent use.
type Store struct {
	dir string
}

// NewStore returns a Store rooted at dir (typically <data dir>/uploads/photos),
// creating it if needed.
func NewStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("photo: empty store directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("photo: store directory: %w", err)
	}
	// The directory is made by the first Save: a server that never stores a
	// photo (say, on PostgreSQL with a read-only data directory) needs none.
	return &Store{dir: abs}, nil
}

func validKey(key string) bool {
	if len(key) != KeyLen {
		return false
	}
	for i := range len(key) {
		c := key[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func validVariant(name string) bool {
	for _, v := range variantNames {
		if name == v {
			return true
		}
	}
	return false
}

func (s *Store) orgDir(orgID int64) string {
	return filepath.Join(s.dir, strconv.FormatInt(orgID, 10))
}

func (s *Store) path(orgID int64, key, variant string) string {
	return filepath.Join(s.orgDir(orgID), key+"-"+variant+".jpg")
}

// newKey returns a new random key. It is a variable for tests only.
var newKey = func() string {
	var b [keyBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b[:])
}

// Save writes the variants of one photo (as returned by Process) under a new
// random key, and returns the key. Each file is written to a temporary file in
// the same directory and renamed into place once all are written; on any
// failure every file of the photo is removed: all variants or none.
func (s *Store) Save(orgID int64, vs []Variant) (key string, err error) {
	if orgID <= 0 {
		return "", fmt.Errorf("photo: save: invalid organization %d", orgID)
	}
	if len(vs) == 0 {
		return "", errors.New("photo: save: no variants")
	}
	seen := make(map[string]bool, len(vs))
	for _, v := range vs {
		if !validVariant(v.Name) || seen[v.Name] || len(v.JPEG) == 0 {
			return "", fmt.Errorf("photo: save: invalid variant %q", v.Name)
		}
		seen[v.Name] = true
	}

	dir := s.orgDir(orgID)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return "", fmt.Errorf("photo: save: %w", err)
	}
	// 96 random bits do not collide in practice; checking costs one stat.
	for {
		key = newKey()
		if _, err := os.Lstat(s.path(orgID, key, vs[0].Name)); errors.Is(err, fs.ErrNotExist) {
			break
		} else if err != nil {
			return "", fmt.Errorf("photo: save: %w", err)
		}
	}

	var temps, finals []string
	defer func() {
		if err != nil {
			for _, p := range temps {
				os.Remove(p)
			}
			for _, p := range finals {
				os.Remove(p)
			}
		}
	}()
	for _, v := range vs {
		tmp, err := writeTemp(dir, v.JPEG)
		if tmp != "" {
			temps = append(temps, tmp)
		}
		if err != nil {
			return "", fmt.Errorf("photo: save: %w", err)
		}
	}
	for i, v := range vs {
		final := s.path(orgID, key, v.Name)
		if err := os.Rename(temps[i], final); err != nil {
			return "", fmt.Errorf("photo: save: %w", err)
		}
		finals = append(finals, final)
	}
	syncDir(dir)
	return key, nil
}

// writeTemp writes b to a new temporary file in dir, flushed to disk, with
// the final mode. It returns the file's name whenever the file was created,
// even on error, so that the caller can remove it.
func writeTemp(dir string, b []byte) (name string, err error) {
	f, err := os.CreateTemp(dir, ".upload-*.tmp")
	if err != nil {
		return "", err
	}
	name = f.Name()
	if _, err = f.Write(b); err == nil {
		if err = f.Chmod(fileMode); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return name, err
}

// syncDir flushes a directory's entries (the renames) to disk, where the
// system supports it; a failure there does not undo a completed save.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Open opens a stored variant and returns it with its modification time.
// A malformed key, an unknown variant, an invalid organization and a missing
// file all give ErrNotFound.
func (s *Store) Open(orgID int64, key, variant string) (io.ReadSeekCloser, time.Time, error) {
	if orgID <= 0 || !validKey(key) || !validVariant(variant) {
		return nil, time.Time{}, ErrNotFound
	}
	f, err := os.Open(s.path(orgID, key, variant))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, ErrNotFound
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("photo: open: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, time.Time{}, fmt.Errorf("photo: open: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, time.Time{}, ErrNotFound
	}
	return f, fi.ModTime(), nil
}

// Delete removes every variant of a photo. Deleting a photo that is already
// gone is not an error; a malformed key or invalid organization gives
// ErrNotFound.
func (s *Store) Delete(orgID int64, key string) error {
	if orgID <= 0 || !validKey(key) {
		return ErrNotFound
	}
	var errs []error
	for _, v := range variantNames {
		if err := os.Remove(s.path(orgID, key, v)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("photo: delete: %w", err)
	}
	return nil
}

// Serve writes a stored variant: Content-Type image/jpeg, nosniff, inline,
// cached only privately (photos are member data), with conditional and range
// requests handled by http.ServeContent. The caller has already checked that
// the requester may see the photo. A photo that is not there gives 404.
func (s *Store) Serve(w http.ResponseWriter, r *http.Request, orgID int64, key, variant string) {
	f, modtime, err := s.Open(orgID, key, variant)
	if errors.Is(err, ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Disposition", "inline")
	// A key's content never changes: the key and variant are its identity.
	h.Set("ETag", `"`+key+"-"+variant+`"`)
	http.ServeContent(w, r, "", modtime, f)
}
