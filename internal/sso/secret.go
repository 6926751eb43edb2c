package sso

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Client secrets are sealed with AES-256-GCM under a key kept outside the
// database (a file in the data directory), so that a database dump or
// backup alone does not hand out the organization's IdP credentials. The
// organization id is bound in as additional data: a sealed secret copied to
// another organization's row does not open.

const sealedPrefix = "v1:"

// KeySize is the length of the secret key in bytes.
const KeySize = 32

func seal(key []byte, orgID int64, plain string) (string, error) {
	if plain == "" || key == nil {
		return plain, nil
	}
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := gcm.Seal(nonce, nonce, []byte(plain), orgAD(orgID))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

var errUnsealable = errors.New("client secret cannot be decrypted with this server's key")

func unseal(key []byte, orgID int64, stored string) (string, error) {
	if !strings.HasPrefix(stored, sealedPrefix) {
		return stored, nil // saved before a key existed, or empty
	}
	if key == nil {
		return "", errUnsealable
	}
	raw, err := base64.RawStdEncoding.DecodeString(stored[len(sealedPrefix):])
	if err != nil {
		return "", errUnsealable
	}
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", errUnsealable
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], orgAD(orgID))
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func orgAD(orgID int64) []byte {
	return binary.BigEndian.AppendUint64([]byte("tsunagu sso client secret, org "), uint64(orgID))
}

// LoadOrCreateKey reads the key file, creating it with a random key (mode
// 0600) the first time. Every server sharing the database must share the file.
func LoadOrCreateKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			f.Close()
			return nil, err
		}
		_, werr := f.Write([]byte(base64.StdEncoding.EncodeToString(key) + "\n"))
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, werr
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("%s: not a %d-byte base64 key", path, KeySize)
	}
	return key, nil
}
