package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

// crashChildEnv makes the test binary act as the writer that gets killed.
const crashChildEnv = "IDPOOL_SQLITE_CRASH_CHILD"

const crashPool = "us-east-1:00000000-0000-4000-8000-000000000001"

// TestMain lets the crash test re-run this binary as its child.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(crashChild(path))
	}
	os.Exit(m.Run())
}

// crashChild creates identities from 8 goroutines and prints the id of each
// one whose Update returned nil (acknowledged), until it is killed.
func crashChild(path string) int {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = s.Update(ctx, func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: crashPool, AccountID: "000000000000", Region: "us-east-1", Name: "crash"})
	})
	if err != nil && !errors.Is(err, storage.ErrAlreadyExists) { // made by an earlier child
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("us-east-1:%08x-%04x-4000-8000-%012d", os.Getpid(), g, i)
				err := s.Update(ctx, func(tx storage.Tx) error {
					return tx.CreateIdentity(&storage.Identity{ID: id, PoolID: crashPool, Authenticated: true,
						Logins: []storage.Login{{Provider: "p", Subject: id}}, CreatedAt: time.Now()})
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(out, id)
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return 0
}

// TestCrashKeepsAcknowledgedWrites kills a writing process with SIGKILL and
// checks that every write it acknowledged is in the reopened database.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test in -short mode")
	}
	path := filepath.Join(t.TempDir(), "idpool.db")
	var acked []string // by every child so far: all must survive
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		before := len(acked)
		for len(acked)-before < 400 && sc.Scan() {
			acked = append(acked, sc.Text())
		}
		cmd.Process.Kill()
		// Acknowledgements printed after the kill decision count too.
		for sc.Scan() {
			acked = append(acked, sc.Text())
		}
		cmd.Wait()
		if len(acked)-before < 400 {
			t.Fatalf("round %d: child acknowledged only %d writes; stderr: %s", round, len(acked)-before, stderr.String())
		}

		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		db.Close()

		s := openAt(t, path)
		err = s.View(context.Background(), func(r storage.Reader) error {
			for _, id := range acked {
				if _, err := r.GetIdentity(id); err != nil {
					return fmt.Errorf("acknowledged identity %s: %w", id, err)
				}
				if owner, err := r.LoginOwner(crashPool, "p", id); err != nil || owner != id {
					return fmt.Errorf("login of acknowledged identity %s: %q, %v", id, owner, err)
				}
			}
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
