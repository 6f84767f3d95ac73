package sealbox

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/conformance"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func putRaw(t *testing.T, s storage.Store, name string, value []byte) {
	t.Helper()
	err := s.Update(context.Background(), func(tx storage.Tx) error {
		return tx.PutBlob(&storage.Blob{Key: name, Value: value})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func getRaw(t *testing.T, s storage.Store, name string) *storage.Blob {
	t.Helper()
	var b *storage.Blob
	err := s.View(context.Background(), func(r storage.Reader) error {
		var err error
		b, err = r.GetBlob(name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The wrapped store still meets the whole storage contract.
func TestConformance(t *testing.T) {
	box := mustBox(t, testKey(9))
	conformance.Run(t, func(t *testing.T) storage.Store {
		return Wrap(openSQLite(t, filepath.Join(t.TempDir(), "idpool.db")), box)
	})
}

func TestWrapSealsAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idpool.db")
	raw := openSQLite(t, path)
	box := mustBox(t, testKey(1))
	s := Wrap(raw, box)
	secret := []byte("the-session-key-material-0123456789")
	putRaw(t, s, "sts/session-token-key", secret)

	if got := getRaw(t, s, "sts/session-token-key"); !bytes.Equal(got.Value, secret) || got.Version != 1 {
		t.Fatalf("wrapped read = %q v%d", got.Value, got.Version)
	}
	stored := getRaw(t, raw, "sts/session-token-key")
	if !IsSealed(stored.Value) || bytes.Contains(stored.Value, secret) {
		t.Fatalf("stored value is not sealed: %q", stored.Value)
	}
	// Versions pass through: a CAS write on the read version succeeds.
	err := s.Update(context.Background(), func(tx storage.Tx) error {
		b, err := tx.GetBlob("sts/session-token-key")
		if err != nil {
			return err
		}
		return tx.PutBlob(&storage.Blob{Key: b.Key, Value: []byte("rotated-secret-value"), Version: b.Version})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{secret, []byte("rotated-secret-value")} {
		if bytes.Contains(file, s) {
			t.Errorf("database file holds %q in the clear", s)
		}
	}
	// Another key can't read it.
	s2 := Wrap(openSQLite(t, path), mustBox(t, testKey(2)))
	err = s2.View(context.Background(), func(r storage.Reader) error {
		_, err := r.GetBlob("sts/session-token-key")
		return err
	})
	if !errors.Is(err, ErrOpen) {
		t.Errorf("read with another key: %v", err)
	}
}

func TestPrepare(t *testing.T) {
	ctx := context.Background()
	raw := openSQLite(t, filepath.Join(t.TempDir(), "idpool.db"))
	plain := []byte(`{"key":"cGxhaW50ZXh0LWtleQ=="}`)
	putRaw(t, raw, "a", plain)
	putRaw(t, raw, "b", []byte("bee"))

	// Without a key plaintext is fine.
	if did, err := Prepare(ctx, raw, nil, "a", "b", "absent"); err != nil || len(did) != 0 {
		t.Fatalf("Prepare(no key) = %v, %v", did, err)
	}
	box := mustBox(t, testKey(5))
	did, err := Prepare(ctx, raw, box, "a", "b", "absent")
	if err != nil || strings.Join(did, ",") != "a,b" {
		t.Fatalf("Prepare = %v, %v", did, err)
	}
	if b := getRaw(t, raw, "a"); !IsSealed(b.Value) || b.Version != 2 {
		t.Fatalf("a after Prepare: sealed=%v v%d", IsSealed(b.Value), b.Version)
	}
	if got := getRaw(t, Wrap(raw, box), "a"); !bytes.Equal(got.Value, plain) {
		t.Fatalf("a reads %q", got.Value)
	}
	// Second start: nothing more to seal.
	if did, err := Prepare(ctx, raw, box, "a", "b"); err != nil || len(did) != 0 {
		t.Fatalf("second Prepare = %v, %v", did, err)
	}
	// Sealed and no key, or the wrong key: clear startup errors.
	if _, err := Prepare(ctx, raw, nil, "a"); err == nil || !strings.Contains(err.Error(), "blob a is encrypted and no encryption key is configured") {
		t.Errorf("Prepare(no key) on sealed = %v", err)
	}
	if _, err := Prepare(ctx, raw, mustBox(t, testKey(6)), "a"); !errors.Is(err, ErrOpen) {
		t.Errorf("Prepare(wrong key) = %v", err)
	}
}

// Nodes starting together seal a plaintext blob once, and all see it sealed.
func TestPrepareConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "idpool.db")
	raw := openSQLite(t, path)
	putRaw(t, raw, "k", []byte("plaintext-secret"))
	box := mustBox(t, testKey(5))
	const nodes = 4
	results := make(chan []string, nodes)
	errs := make(chan error, nodes)
	for range nodes {
		// Each node has its own connection pool to the file.
		node := openSQLite(t, path)
		go func() {
			did, err := Prepare(ctx, node, box, "k")
			results <- did
			errs <- err
		}()
	}
	sealedBy := 0
	for range nodes {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		sealedBy += len(<-results)
	}
	if sealedBy != 1 {
		t.Errorf("%d nodes sealed the blob, want 1", sealedBy)
	}
	if b := getRaw(t, raw, "k"); b.Version != 2 || !IsSealed(b.Value) {
		t.Errorf("blob v%d sealed=%v", b.Version, IsSealed(b.Value))
	}
}
