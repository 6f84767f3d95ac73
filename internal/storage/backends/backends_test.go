package backends_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/backends"
)

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		spec, dataDir string
		kind          backends.Kind
		target        string
	}{
		{"", "/data", backends.SQLite, "/data/idpool.db"},
		{"sqlite:///var/lib/x.db", "/data", backends.SQLite, "/var/lib/x.db"},
		{"sqlite://rel.db", "", backends.SQLite, "rel.db"},
		{"/tmp/y.db", "", backends.SQLite, "/tmp/y.db"},
		{"postgres://u:p@h/db", "", backends.Postgres, "postgres://u:p@h/db"},
		{"postgresql://h/db?sslmode=disable", "", backends.Postgres, "postgresql://h/db?sslmode=disable"},
	} {
		kind, target, err := backends.Resolve(backends.Options{Spec: tc.spec, DataDir: tc.dataDir})
		if err != nil || kind != tc.kind || target != tc.target {
			t.Errorf("Resolve(%q, %q) = %q, %q, %v; want %q, %q", tc.spec, tc.dataDir, kind, target, err, tc.kind, tc.target)
		}
	}
	for _, spec := range []string{"mysql://u:secret@h/db", "sqlite://"} {
		_, _, err := backends.Resolve(backends.Options{Spec: spec})
		if err == nil {
			t.Errorf("Resolve(%q) succeeded", spec)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("Resolve(%q): error leaks the password: %v", spec, err)
		}
	}
}

func TestOpenDefaultCreatesPrivateDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := backends.Open(context.Background(), backends.Options{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.Update(context.Background(), func(tx storage.Tx) error {
		return tx.PutBlob(&storage.Blob{Key: "k", Value: []byte("v")})
	}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, backends.DefaultFile): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
}
