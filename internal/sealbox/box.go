package sealbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySize is the length of an encryption key in bytes.
const KeySize = 32

// EnvKey is the environment variable that may hold the encryption key
// (base64 of KeySize bytes).
const EnvKey = "IDPOOL_ENCRYPTION_KEY"

// header starts every sealed value: a marker no JSON document and (but for
// a 2^-64 chance) no random key begins with, then the format version.
var header = []byte{0xff, 'I', 'P', 'S', 'E', 'A', 'L', formatV1}

const formatV1 = 1

// hkdfInfo separates this key's use from the token package's direct use of
// the same configured key (it seals private keys inside its blob).
const hkdfInfo = "idpool sealbox v1"

// Errors of Open.
var (
	// ErrNoKey: a value is sealed and no encryption key is configured.
	ErrNoKey = errors.New("sealbox: value is sealed and no encryption key is configured")
	// ErrOpen: the value was sealed under another key or name, or is corrupt.
	ErrOpen = errors.New("sealbox: wrong encryption key or corrupt value")
)

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// ParseKey decodes a base64 (standard alphabet) key of KeySize bytes.
// Errors never quote the input: it is a secret.
func ParseKey(b64 string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != KeySize {
		return nil, fmt.Errorf("want %d bytes in base64", KeySize)
	}
	return b, nil
}

// New returns a Box for key (KeySize bytes).
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealbox: key must be %d bytes, not %d", KeySize, len(key))
	}
	sub, err := hkdf.Key(sha256.New, key, nil, hkdfInfo, KeySize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// IsSealed reports whether v is in the sealed format.
func IsSealed(v []byte) bool {
	return len(v) >= len(header) && bytes.Equal(v[:len(header)-1], header[:len(header)-1])
}

// Seal encrypts plain for the blob called name.
func (b *Box) Seal(name string, plain []byte) []byte {
	ns := b.aead.NonceSize()
	out := make([]byte, len(header)+ns, len(header)+ns+len(plain)+b.aead.Overhead())
	copy(out, header)
	// crypto/rand.Read never fails (Go 1.24+).
	rand.Read(out[len(header):])
	return b.aead.Seal(out, out[len(header):], plain, additional(name))
}

// Open decrypts a value sealed for name. A value not in the sealed format
// is ErrOpen: callers that accept plaintext check IsSealed first.
func (b *Box) Open(name string, sealed []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if !IsSealed(sealed) || len(sealed) < len(header)+ns+b.aead.Overhead() {
		return nil, ErrOpen
	}
	if sealed[len(header)-1] != formatV1 {
		return nil, fmt.Errorf("sealbox: unknown format version %d", sealed[len(header)-1])
	}
	plain, err := b.aead.Open(nil, sealed[len(header):len(header)+ns], sealed[len(header)+ns:], additional(name))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// additional binds the format version and the blob name.
func additional(name string) []byte {
	return append(append([]byte(nil), header...), name...)
}
