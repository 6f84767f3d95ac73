package storecmd_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/internal/storage/storecmd"
)

func run(t *testing.T, cmd func([]string, io.Writer, io.Writer) int, args ...string) (int, string) {
	t.Helper()
	var out, errb strings.Builder
	code := cmd(args, &out, &errb)
	return code, out.String() + errb.String()
}

func migrate(args []string, o, e io.Writer) int {
	return storecmd.Migrate(args, o, e)
}

func backup(args []string, o, e io.Writer) int {
	return storecmd.Backup(args, o, e)
}

func TestMigrateStatusThenApply(t *testing.T) {
	dir := t.TempDir()
	code, out := run(t, migrate, "--data-dir", dir, "status")
	if code != 3 || !strings.Contains(out, "schema version 0") {
		t.Fatalf("status of an empty database: %d %q", code, out)
	}
	code, out = run(t, migrate, "--data-dir", dir, "apply")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("schema version %d", sqlite.SchemaVersion())) {
		t.Fatalf("apply: %d %q", code, out)
	}
	code, out = run(t, migrate, "--data-dir", dir, "status")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("status after apply: %d %q", code, out)
	}
	if code, _ := run(t, migrate, "--data-dir", dir, "sideways"); code != 2 {
		t.Fatalf("unknown action: exit %d, want 2", code)
	}
}

// TestBackupWhileWriting takes a backup while writers keep committing and
// checks that the copy opens and holds everything committed before it began.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "idpool.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const pool = "us-east-1:00000000-0000-4000-8000-000000000001"
	create := func(id string) error {
		return s.Update(ctx, func(tx storage.Tx) error {
			return tx.CreateIdentity(&storage.Identity{ID: id, PoolID: pool, Logins: []storage.Login{{Provider: "p", Subject: id}}})
		})
	}
	if err := s.Update(ctx, func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: pool, AccountID: "000000000000", Region: "us-east-1", Name: "b"})
	}); err != nil {
		t.Fatal(err)
	}
	var before []string
	for i := range 100 {
		id := fmt.Sprintf("us-east-1:00000000-0000-4000-8000-%012d", i)
		if err := create(id); err != nil {
			t.Fatal(err)
		}
		before = append(before, id)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1000; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := create(fmt.Sprintf("us-east-1:00000000-0000-4000-8000-%012d", i)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	out := filepath.Join(t.TempDir(), "backup.db")
	code, msg := run(t, backup, "--store", path, "--out", out)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: %d %q", code, msg)
	}
	if code, _ := run(t, backup, "--store", path, "--out", out); code == 0 {
		t.Fatal("backup over an existing file succeeded")
	}

	b, err := sqlite.Open(ctx, out, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer b.Close()
	err = b.View(ctx, func(r storage.Reader) error {
		for _, id := range before {
			if _, err := r.GetIdentity(id); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("backup lacks a committed identity: %v", err)
	}
}
