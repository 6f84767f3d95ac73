// Package pagination issues and checks the opaque NextToken values of the
// list operations. A token carries a cursor (the last key returned) and an
// HMAC over the cursor and the request's scope (operation, account, pool),
// so a client can neither forge a cursor nor replay a token on another pool
// or account. The HMAC key lives in a storage Blob, so every node of a
// cluster that shares the database accepts every other node's tokens.
package pagination

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/idpool/idpool/internal/storage"
)

// BlobKey is the storage Blob holding the HMAC key.
const BlobKey = "pagination/hmac-key"

// ErrInvalid: the token is malformed, forged, or from another scope.
var ErrInvalid = errors.New("pagination: invalid token")

const version = "1"

// Signer signs and verifies NextTokens with a key every node shares.
type Signer struct {
	key []byte
}

// Open returns a Signer with the key kept in store, creating the key when
// no node has yet. It runs at start-up, so no request waits on storage.
func Open(ctx context.Context, store storage.Store) (*Signer, error) {
	key, err := loadKey(ctx, store)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

// Encode returns the token for cursor in scope.
func (s *Signer) Encode(scope, cursor string) string {
	payload := version + cursor
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac(s.key, scope, payload))
}

// Decode returns the cursor of token, or ErrInvalid when the token was not
// issued by Encode for this scope.
func (s *Signer) Decode(scope, token string) (string, error) {
	key := s.key
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrInvalid
	}
	// Strict: padding bits must be zero, so only the issued string decodes.
	enc := base64.RawURLEncoding.Strict()
	payload, err1 := enc.DecodeString(p64)
	sum, err2 := enc.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(sum, mac(key, scope, string(payload))) {
		return "", ErrInvalid
	}
	cursor, ok := strings.CutPrefix(string(payload), version)
	if !ok {
		return "", ErrInvalid
	}
	return cursor, nil
}

func mac(key []byte, scope, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// loadKey returns the shared key, creating it when absent. Two nodes
// racing to create it both end up with the one that was stored first.
func loadKey(ctx context.Context, store storage.Store) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	var key []byte
	err := store.Update(ctx, func(tx storage.Tx) error {
		b, err := tx.GetBlob(BlobKey)
		switch {
		case err == nil:
			key = b.Value
			return nil
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		key = fresh
		return tx.PutBlob(&storage.Blob{Key: BlobKey, Value: fresh})
	})
	if errors.Is(err, storage.ErrConflict) {
		// Another node stored its key between our read and write: use it.
		err = store.View(ctx, func(r storage.Reader) error {
			b, err := r.GetBlob(BlobKey)
			if err == nil {
				key = b.Value
			}
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	if len(key) < 16 {
		return nil, errors.New("pagination: stored key is too short")
	}
	return key, nil
}
