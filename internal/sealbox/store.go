package sealbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/idpool/idpool/internal/storage"
)

// Wrap returns store with every blob sealed by box as it is written and
// opened as it is read. A blob still in the clear (written before the key
// was configured, or by a node without it) is read as it is and sealed by
// its next write; Prepare seals the known ones at startup.
func Wrap(store storage.Store, box *Box) storage.Store {
	return &sealedStore{Store: store, box: box}
}

type sealedStore struct {
	storage.Store
	box *Box
}

func (s *sealedStore) View(ctx context.Context, fn func(storage.Reader) error) error {
	return s.Store.View(ctx, func(r storage.Reader) error { return fn(sealedReader{r, s.box}) })
}

func (s *sealedStore) Update(ctx context.Context, fn func(storage.Tx) error) error {
	return s.Store.Update(ctx, func(tx storage.Tx) error { return fn(sealedTx{tx, s.box}) })
}

type sealedReader struct {
	storage.Reader
	box *Box
}

func (r sealedReader) GetBlob(key string) (*storage.Blob, error) {
	return openBlob(r.Reader, r.box, key)
}

type sealedTx struct {
	storage.Tx
	box *Box
}

func (t sealedTx) GetBlob(key string) (*storage.Blob, error) {
	return openBlob(t.Tx, t.box, key)
}

func (t sealedTx) PutBlob(b *storage.Blob) error {
	return t.Tx.PutBlob(&storage.Blob{Key: b.Key, Value: t.box.Seal(b.Key, b.Value), Version: b.Version})
}

func openBlob(r storage.Reader, box *Box, key string) (*storage.Blob, error) {
	b, err := r.GetBlob(key)
	if err != nil || !IsSealed(b.Value) {
		return b, err
	}
	plain, err := box.Open(key, b.Value)
	if err != nil {
		return nil, fmt.Errorf("sealbox: blob %s: %w", key, err)
	}
	return &storage.Blob{Key: b.Key, Value: plain, Version: b.Version}, nil
}

// Prepare readies the named secret blobs of store for box at startup.
// With a box it seals each blob stored in the clear (a compare-and-swap on
// the blob's version, so nodes starting together seal it once) and checks
// that each sealed one opens, so a wrong key fails now, not on first use.
// With a nil box it fails, naming the blob, when any of them is sealed.
// It returns the names of the blobs it sealed.
func Prepare(ctx context.Context, store storage.Store, box *Box, names ...string) ([]string, error) {
	var sealed []string
	for _, name := range names {
		did, err := prepare(ctx, store, box, name)
		// A conflict: another node changed (sealed) the blob first; check
		// what it wrote.
		for i := 0; i < 5 && errors.Is(err, storage.ErrConflict); i++ {
			did, err = prepare(ctx, store, box, name)
		}
		if err != nil {
			return nil, fmt.Errorf("sealbox: %w", err)
		}
		if did {
			sealed = append(sealed, name)
		}
	}
	return sealed, nil
}

// prepare readies one blob and reports whether it sealed it.
func prepare(ctx context.Context, store storage.Store, box *Box, name string) (bool, error) {
	var did bool
	err := store.Update(ctx, func(tx storage.Tx) error {
		did = false
		b, err := tx.GetBlob(name)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return nil
		case err != nil:
			return err
		case IsSealed(b.Value) && box == nil:
			return fmt.Errorf("blob %s is encrypted and no encryption key is configured (set keys.encryptionKey or %s)", name, EnvKey)
		case IsSealed(b.Value):
			if _, err := box.Open(name, b.Value); err != nil {
				return fmt.Errorf("blob %s: %w", name, err)
			}
			return nil
		case box == nil:
			return nil
		}
		did = true
		return tx.PutBlob(&storage.Blob{Key: name, Value: box.Seal(name, b.Value), Version: b.Version})
	})
	return did, err
}
