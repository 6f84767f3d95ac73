package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

// errLostRace: another process wrote the key blob first.
var errLostRace = errors.New("tokens: key blob changed concurrently")

// maxSyncAttempts bounds the read-decide-write loop; each lost race means
// another process did the work, so the next read normally finds nothing to do.
const maxSyncAttempts = 5

// sync reads the key blob, creates the first keys or rotates when due
// (compare-and-swap, so only one process does each), and installs the
// resulting key set.
func (s *Service) sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range maxSyncAttempts {
		now := s.cfg.Now()
		blob, err := s.readBlob(ctx)
		if err != nil {
			return err
		}
		var next *keyBlob
		var kb *keyBlob
		switch {
		case blob == nil:
			if next, err = s.firstKeys(now); err != nil {
				return err
			}
			blob = &storage.Blob{Key: blobKey}
		default:
			if kb, err = decodeBlob(blob.Value); err != nil {
				return err
			}
			if !now.Before(time.Unix(kb.NextRotation, 0)) {
				if next, err = s.rotated(kb, now); err != nil {
					return err
				}
			}
		}
		if next != nil {
			err = s.writeBlob(ctx, blob.Version, next)
			if errors.Is(err, errLostRace) || errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrAlreadyExists) {
				continue
			}
			if err != nil {
				return err
			}
			s.logRotation(kb, next, blob.Version == 0)
			kb, blob = next, &storage.Blob{Key: blobKey, Version: blob.Version + 1}
		}
		return s.install(kb, blob.Version, now)
	}
	return fmt.Errorf("tokens: key blob kept changing after %d attempts", maxSyncAttempts)
}

// install builds and publishes the key set unless the current one already
// reflects this blob version (then only its read time moves on).
func (s *Service) install(kb *keyBlob, version int64, now time.Time) error {
	if cur := s.state.Load(); cur != nil && cur.version == version &&
		(cur.firstExpiry.IsZero() || now.Before(cur.firstExpiry)) {
		c := *cur
		c.checked = now
		s.state.Store(&c)
		return nil
	}
	ks, err := buildKeySet(kb, version, now, s.aead)
	if err != nil {
		return err
	}
	s.state.Store(ks)
	return nil
}

func (s *Service) readBlob(ctx context.Context) (*storage.Blob, error) {
	var b *storage.Blob
	err := s.cfg.Store.View(ctx, func(r storage.Reader) error {
		var err error
		b, err = r.GetBlob(blobKey)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: read keys: %w", err)
	}
	return b, nil
}

// writeBlob stores kb if the blob is still at version (0: absent).
func (s *Service) writeBlob(ctx context.Context, version int64, kb *keyBlob) error {
	val, err := json.Marshal(kb)
	if err != nil {
		return err
	}
	return s.cfg.Store.Update(ctx, func(tx storage.Tx) error {
		cur, err := tx.GetBlob(blobKey)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			if version != 0 {
				return errLostRace
			}
		case err != nil:
			return err
		case cur.Version != version:
			return errLostRace
		}
		return tx.PutBlob(&storage.Blob{Key: blobKey, Value: val, Version: version})
	})
}

// firstKeys generates the active and next keys of a new store.
func (s *Service) firstKeys(now time.Time) (*keyBlob, error) {
	active, err := newStoredKey(now, s.cfg.Issuer, s.aead)
	if err != nil {
		return nil, err
	}
	next, err := newStoredKey(now, s.cfg.Issuer, s.aead)
	if err != nil {
		return nil, err
	}
	return &keyBlob{Active: active, Next: next, NextRotation: now.Add(s.cfg.Rotation).Unix()}, nil
}

// rotated returns kb after one rotation at now: Next signs, a new Next is
// published, the old Active stays published (without its private key) until
// every token it can have signed has expired, and expired keys are dropped.
func (s *Service) rotated(kb *keyBlob, now time.Time) (*keyBlob, error) {
	fresh, err := newStoredKey(now, s.cfg.Issuer, s.aead)
	if err != nil {
		return nil, err
	}
	retired := slices.DeleteFunc(slices.Clone(kb.Retired), func(k storedKey) bool {
		return k.Expires <= now.Unix()
	})
	retired = append(retired, kb.Active.retired(now.Add(MaxTTL+retireMargin)))
	nextRot := time.Unix(kb.NextRotation, 0).Add(s.cfg.Rotation)
	if !nextRot.After(now) {
		// Down for longer than a rotation period: the next key has been
		// published all that time, so one rotation catches up.
		nextRot = now.Add(s.cfg.Rotation)
	}
	return &keyBlob{Active: kb.Next, Next: fresh, Retired: retired, NextRotation: nextRot.Unix()}, nil
}

func (s *Service) logRotation(prev, next *keyBlob, first bool) {
	if first {
		s.cfg.Logger.Info("token signing keys created", "active_kid", next.Active.KID, "next_kid", next.Next.KID,
			"next_rotation", time.Unix(next.NextRotation, 0).UTC())
		return
	}
	s.cfg.Logger.Info("token signing key rotated", "active_kid", next.Active.KID, "retired_kid", prev.Active.KID,
		"next_kid", next.Next.KID, "next_rotation", time.Unix(next.NextRotation, 0).UTC())
}
