package server

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/idpool/idpool/internal/storage"
)

// resettableStore lets the development reset endpoint replace the whole
// store: Reset waits for transactions in flight, closes the store, removes
// its files and opens a fresh one. Only development mode builds one.
type resettableStore struct {
	mu    sync.RWMutex
	inner storage.Store
	// wipe removes the closed store's data; open makes a new, empty store.
	wipe func() error
	open func(context.Context) (storage.Store, error)
}

var _ storage.Store = (*resettableStore)(nil)

func (s *resettableStore) View(ctx context.Context, fn func(storage.Reader) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.inner.View(ctx, fn)
}

func (s *resettableStore) Update(ctx context.Context, fn func(storage.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.inner.Update(ctx, fn)
}

func (s *resettableStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inner.Close()
}

// Reset clears all state.
func (s *resettableStore) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.inner.Close(); err != nil {
		return err
	}
	if err := s.wipe(); err != nil {
		return err
	}
	fresh, err := s.open(ctx)
	if err != nil {
		return err
	}
	s.inner = fresh
	return nil
}

// removeSQLite deletes a SQLite database and its WAL side files.
func removeSQLite(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
