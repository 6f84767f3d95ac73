//go:build unix

package secrets

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

// TestFilesOwnerOnly: with a permissive umask (022) in the parent, the data
// directory idpool creates is 0700 and every file in it (database, WAL,
// SHM) and a backup are 0600 from the start; files left readable by an
// older version are tightened on the next start, with one log line.
func TestFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })

	dir := filepath.Join(t.TempDir(), "fresh", "data") // idpool creates it and its parent
	s := harness.Start(t, harness.Options{DataDir: dir})
	writeSome(t, s)
	// The server is running: the WAL and the shared-memory index exist now.
	for _, name := range []string{"idpool.db", "idpool.db-wal", "idpool.db-shm"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	checkPrivate(t, dir)

	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, errOut, code := harness.Run(t, nil, harness.Binary(t), "backup", "--data-dir", dir, "--out", backup); code != 0 {
		t.Fatalf("idpool backup: %d\n%s%s", code, out, errOut)
	}
	checkMode(t, backup, 0o600)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	// As an older idpool left them: readable by everyone.
	loose, _ := filepath.Glob(filepath.Join(dir, "idpool.db*"))
	if len(loose) == 0 {
		t.Fatal("no database files after stop")
	}
	for _, p := range loose {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s = harness.Start(t, harness.Options{DataDir: dir})
	writeSome(t, s)
	checkPrivate(t, dir)
	if n := strings.Count(s.Logs(), "made them owner-only"); n != 1 {
		t.Errorf("tightening logged %d times, want once:\n%s", n, s.Logs())
	}
}

func writeSome(t *testing.T, s *harness.Server) {
	t.Helper()
	ctx := context.Background()
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("modes"), AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := s.Anonymous("us-east-1").GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPrivate walks dir: the directory 0700, every file 0600.
func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	checkMode(t, dir, 0o700)
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		checkMode(t, p, want)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Errorf("%d entries in %s, want the database, its WAL and SHM at least", n, dir)
	}
}

func checkMode(t *testing.T, p string, want fs.FileMode) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s: mode %04o, want %04o", p, got, want)
	}
}
