// Package backends opens the storage backend a deployment names: the server,
// the migrate and backup commands all go through Open, so they agree on what
// a --store spec means.
package backends

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

// Options say which backend to open.
type Options struct {
	// Spec names the store: "" for SQLite at DataDir/idpool.db;
	// "sqlite:///abs/path.db", "sqlite://rel/path.db" or a plain path for
	// SQLite; "postgres://..." or "postgresql://..." for PostgreSQL.
	Spec string
	// DataDir holds the default SQLite database; created 0700 when needed.
	DataDir string
	// Synchronous is SQLite's sync level: "FULL" (default) or "NORMAL".
	Synchronous string
	// Logger receives the backend's operational messages.
	Logger *slog.Logger
	// SkipMigrations opens the store without updating its schema.
	SkipMigrations bool
}

// DefaultFile is the SQLite file name inside the data directory.
const DefaultFile = "idpool.db"

// Kind is the backend a spec names.
type Kind string

// The backends.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// Resolve parses the spec: which backend, and its SQLite path or
// PostgreSQL connection string.
func Resolve(o Options) (Kind, string, error) {
	spec := strings.TrimSpace(o.Spec)
	switch {
	case spec == "":
		if o.DataDir == "" {
			return "", "", errors.New("storage: no --store and no --data-dir")
		}
		return SQLite, filepath.Join(o.DataDir, DefaultFile), nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return Postgres, spec, nil
	case strings.HasPrefix(spec, "sqlite://"):
		path := strings.TrimPrefix(spec, "sqlite://")
		if path == "" {
			return "", "", fmt.Errorf("storage: %q names no file", spec)
		}
		return SQLite, path, nil
	case strings.Contains(spec, "://"):
		return "", "", fmt.Errorf("storage: unknown store %q: use a file path, sqlite:///path or postgres://", redact(spec))
	default:
		return SQLite, spec, nil
	}
}

// Open opens the store o names.
func Open(ctx context.Context, o Options) (storage.Store, error) {
	kind, target, err := Resolve(o)
	if err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	switch kind {
	case Postgres:
		return openPostgres(ctx, target, o)
	default:
		if o.Spec == "" {
			if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("storage: data dir: %w", err)
			}
		}
		return sqlite.Open(ctx, target, sqlite.Options{Synchronous: o.Synchronous, Logger: o.Logger, SkipMigrations: o.SkipMigrations})
	}
}

// redact drops a password from a URL-shaped spec before it reaches a message.
func redact(spec string) string {
	if at := strings.LastIndex(spec, "@"); at >= 0 {
		if i := strings.Index(spec, "://"); i >= 0 && i < at {
			return spec[:i+3] + "…" + spec[at:]
		}
	}
	return spec
}
