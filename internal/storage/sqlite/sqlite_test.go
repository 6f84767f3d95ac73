package sqlite_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/conformance"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

func openAt(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) storage.Store {
		return openAt(t, filepath.Join(t.TempDir(), "idpool.db"))
	}, conformance.WithReopen(func(t *testing.T, s storage.Store) storage.Store {
		path := s.(*sqlite.Store).Path()
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		return openAt(t, path)
	}))
}

// TestConformanceOneReader runs the suite with a single read connection,
// so every View after the first reuses one connection and its pool cache
// (with the default four, handed out in turn, few Views would hit it).
func TestConformanceOneReader(t *testing.T) {
	conformance.Run(t, func(t *testing.T) storage.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"),
			sqlite.Options{ReadConns: 1, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
