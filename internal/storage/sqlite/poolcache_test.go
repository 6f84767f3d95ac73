package sqlite_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

const (
	childDBEnv    = "IDPOOL_TEST_SQLITE_CHILD_DB"
	otherPool     = "us-east-1:00000000-0000-4000-8000-0000000000bb"
	renamedByPeer = "renamed-by-another-process"
)

// TestChildProcessWriter is the other process of
// TestCachedPoolsSeeAnotherProcess: it renames the pool and adds one, in
// the database named by the environment, and exits.
func TestChildProcessWriter(t *testing.T) {
	path := os.Getenv(childDBEnv)
	if path == "" {
		t.Skip("runs only as TestCachedPoolsSeeAnotherProcess's child")
	}
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(context.Background(), func(tx storage.Tx) error {
		p, err := tx.GetPool(readerPool)
		if err != nil {
			return err
		}
		p.Name = renamedByPeer
		if err := tx.UpdatePool(p); err != nil {
			return err
		}
		return tx.CreatePool(&storage.Pool{ID: otherPool, AccountID: "000000000000", Region: "us-east-1", Name: "b"})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCachedPoolsSeeAnotherProcess: read connections keep the pools they
// decoded while the database is unchanged. A commit by another process on
// the same file (not this store's writer, whose commits the store could
// track itself) must reach every connection's next View, and so must this
// store's own writes; and a caller editing a pool it was handed must not
// edit what the next View reads.
func TestCachedPoolsSeeAnotherProcess(t *testing.T) {
	const conns = 3
	s := openReaders(t, conns)
	ctx := context.Background()
	read := func() (name string, pools int) {
		t.Helper()
		if err := s.View(ctx, func(r storage.Reader) error {
			p, err := r.GetPool(readerPool)
			if err != nil {
				return err
			}
			ps, err := r.ListPools("000000000000", "us-east-1", "", 60)
			if err != nil {
				return err
			}
			if ps[0].Name != p.Name {
				t.Errorf("ListPools says %q where GetPool says %q", ps[0].Name, p.Name)
			}
			name, pools = p.Name, len(ps)
			// The caller's own copy: editing it changes nothing stored.
			p.Name, ps[0].Name = "edited", "edited"
			p.Tags = map[string]string{"k": "v"}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return name, pools
	}
	for range 3 * conns { // every connection has the pool cached
		if name, n := read(); name != "r" || n != 1 {
			t.Fatalf("before: pool %q, %d pools", name, n)
		}
	}

	child := exec.Command(os.Args[0], "-test.run=^TestChildProcessWriter$", "-test.count=1")
	child.Env = append(os.Environ(), childDBEnv+"="+s.Path())
	if out, err := child.CombinedOutput(); err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	for range 3 * conns {
		if name, n := read(); name != renamedByPeer || n != 2 {
			t.Fatalf("after another process's commit a View saw pool %q and %d pools", name, n)
		}
	}

	if err := s.Update(ctx, func(tx storage.Tx) error { return tx.DeletePool(otherPool) }); err != nil {
		t.Fatal(err)
	}
	for range 3 * conns {
		if _, n := read(); n != 1 {
			t.Fatalf("after this store's delete a View saw %d pools", n)
		}
	}
	if err := s.View(ctx, func(r storage.Reader) error {
		_, err := r.GetPool(otherPool)
		return err
	}); err != storage.ErrNotFound {
		t.Fatalf("deleted pool: %v, want ErrNotFound", err)
	}
}
