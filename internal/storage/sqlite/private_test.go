//go:build unix

package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

// TestFilesPrivateWhateverTheUmask: the store itself creates its directory
// 0700 and the database, WAL and SHM 0600 under a permissive umask, so a
// program embedding it without idpool's umask leaks nothing either.
func TestFilesPrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "new")
	path := filepath.Join(dir, "idpool.db")
	s := openAt(t, path)
	defer s.Close()
	err := s.Update(context.Background(), func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: "us-east-1:00000000-0000-0000-0000-000000000001", AccountID: "000000000000", Region: "us-east-1", Name: "p"})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for p, mode := range want {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: %04o, want %04o", filepath.Base(p), st.Mode().Perm(), mode)
		}
	}
}
