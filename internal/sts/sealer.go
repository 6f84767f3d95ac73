package sts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/idpool/idpool/internal/storage"
)

// SessionKeyBlob is the storage Blob that holds the session-token key; the
// server lists it among the secret blobs it seals at rest.
const SessionKeyBlob = "sts/session-token-key"

// tokenMagic starts every sealed session token (after base64), so a token
// of another format is told apart from a tampered one.
var tokenMagic = []byte{'I', 'P', 1}

type keyDoc struct {
	Key []byte `json:"key"` // 32 bytes, AES-256-GCM
}

// sealer seals and opens session records with the key every node shares.
type sealer struct {
	aead cipher.AEAD
}

// loadSealer loads the shared key, creating it when no node has yet. It
// runs once, at start-up: no request waits on storage for it.
func loadSealer(ctx context.Context, store storage.Store) (*sealer, error) {
	key, err := loadOrCreate(ctx, store)
	for i := 0; i < 3 && errors.Is(err, storage.ErrConflict); i++ {
		// Another node created the key first: read theirs.
		key, err = loadOrCreate(ctx, store)
	}
	if err != nil {
		return nil, fmt.Errorf("sts: session key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// loadOrCreate returns the shared key, creating it when no node has yet.
func loadOrCreate(ctx context.Context, store storage.Store) ([]byte, error) {
	var key []byte
	err := store.Update(ctx, func(tx storage.Tx) error {
		b, err := tx.GetBlob(SessionKeyBlob)
		if err == nil {
			var d keyDoc
			if err := json.Unmarshal(b.Value, &d); err != nil || len(d.Key) != 32 {
				return fmt.Errorf("sts: session key blob is corrupt")
			}
			key = d.Key
			return nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		d := keyDoc{Key: make([]byte, 32)}
		rand.Read(d.Key)
		v, err := json.Marshal(d)
		if err != nil {
			return err
		}
		// Version 0: the blob must not exist yet, so only one node's key is
		// ever written.
		if err := tx.PutBlob(&storage.Blob{Key: SessionKeyBlob, Value: v}); err != nil {
			return err
		}
		key = d.Key
		return nil
	})
	return key, err
}

// seal encrypts rec, binding it to the access key id (additional data).
func (s *sealer) seal(accessKeyID string, rec *sessionRecord) (string, error) {
	aead := s.aead
	plain, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	out := make([]byte, len(tokenMagic), len(tokenMagic)+aead.NonceSize()+len(plain)+aead.Overhead())
	copy(out, tokenMagic)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	out = aead.Seal(out, nonce, plain, []byte(accessKeyID))
	return base64.StdEncoding.EncodeToString(out), nil
}

var errNotOurs = errors.New("sts: not an idpool session token")

// open decrypts a session token sealed for accessKeyID.
func (s *sealer) open(accessKeyID, token string) (*sessionRecord, error) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(raw) < len(tokenMagic) || string(raw[:len(tokenMagic)]) != string(tokenMagic) {
		return nil, errNotOurs
	}
	aead := s.aead
	raw = raw[len(tokenMagic):]
	if len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, errNotOurs
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(accessKeyID))
	if err != nil {
		return nil, errNotOurs
	}
	var rec sessionRecord
	if err := json.Unmarshal(plain, &rec); err != nil {
		return nil, errNotOurs
	}
	return &rec, nil
}

// sessionRecord is what a session token carries.
type sessionRecord struct {
	Secret      string            `json:"s"`
	Account     string            `json:"a"`
	RoleARN     string            `json:"r"`
	RoleName    string            `json:"rn"`
	RoleID      string            `json:"ri"`
	SessionName string            `json:"n"`
	Expires     int64             `json:"e"` // unix seconds
	Tags        map[string]string `json:"t,omitempty"`
	Subject     string            `json:"sub,omitempty"`
	Issuer      string            `json:"iss,omitempty"`
	Audience    string            `json:"aud,omitempty"`
}
