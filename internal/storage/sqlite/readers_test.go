package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

const readerPool = "us-east-1:00000000-0000-4000-8000-0000000000aa"

func openReaders(t *testing.T, conns int) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"),
		sqlite.Options{ReadConns: conns, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Update(context.Background(), func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: readerPool, AccountID: "000000000000", Region: "us-east-1", Name: "r"})
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func identityID(i int) string { return fmt.Sprintf("us-east-1:%08d-0000-7000-8000-000000000000", i) }

func countIdentities(t *testing.T, s *sqlite.Store) int {
	t.Helper()
	n := 0
	if err := s.View(context.Background(), func(r storage.Reader) error {
		ids, err := r.ListIdentities(readerPool, "", 0, false)
		n = len(ids)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPooledReadersSeeEveryCommit: read connections are reused across
// Views, so each View must end its transaction; a connection that kept one
// open would keep answering from an old snapshot. After every write, as
// many Views as there are connections (and a View that failed in between)
// must all see it.
func TestPooledReadersSeeEveryCommit(t *testing.T) {
	const conns = 3
	s := openReaders(t, conns)
	failed := errors.New("fn failed")
	for i := 1; i <= 4; i++ {
		if err := s.Update(context.Background(), func(tx storage.Tx) error {
			return tx.CreateIdentity(&storage.Identity{ID: identityID(i), PoolID: readerPool})
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.View(context.Background(), func(r storage.Reader) error {
			_, _ = r.GetPool(readerPool)
			return failed
		}); !errors.Is(err, failed) {
			t.Fatalf("View returned %v, want fn's error", err)
		}
		for range conns + 1 {
			if n := countIdentities(t, s); n != i {
				t.Fatalf("after %d commits a View saw %d identities", i, n)
			}
		}
	}
}

// TestPooledReadersConcurrencyAndClose: more concurrent Views than
// connections wait their turn; a canceled context and a closed store are
// refused rather than waited on.
func TestPooledReadersConcurrencyAndClose(t *testing.T) {
	s := openReaders(t, 2)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.View(context.Background(), func(r storage.Reader) error {
				_, err := r.GetPool(readerPool)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := s.View(ctx, func(storage.Reader) error { ran = true; return nil }); err == nil || ran {
		t.Fatalf("canceled View: err %v, ran %v", err, ran)
	}
	if _, _, err := s.Version(context.Background()); err != nil {
		t.Fatalf("Version beside the pool: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.View(context.Background(), func(storage.Reader) error { return nil }); err == nil {
		t.Fatal("View on a closed store succeeded")
	}
}
