package postgres_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/internal/storage/postgres"
)

// TestConcurrentStartMigratesOnce starts several nodes on one empty
// database at once: all open, and each migration is applied exactly once.
func TestConcurrentStartMigratesOnce(t *testing.T) {
	url := pgtest.Shared(t).NewDatabase(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(ctx, url, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var rows, maxVersion int
	if err := c.QueryRow(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &maxVersion); err != nil {
		t.Fatal(err)
	}
	if rows != postgres.SchemaVersion() || maxVersion != postgres.SchemaVersion() {
		t.Fatalf("schema_migrations: %d rows, max %d; want %d of each", rows, maxVersion, postgres.SchemaVersion())
	}

	s, err := postgres.Open(ctx, url, postgres.Options{Logger: slog.New(slog.DiscardHandler), SkipMigrations: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cur, latest, err := s.Version(ctx)
	if err != nil || cur != latest || latest != postgres.SchemaVersion() {
		t.Fatalf("Version = %d, %d, %v", cur, latest, err)
	}
}

// TestBadURLDoesNotLeakPassword: a password in a URL never reaches an error.
func TestBadURLDoesNotLeakPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://u:s3cret@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the password: %v", err)
	}
	_, err = postgres.Open(context.Background(), "postgres://u:s3cret@[::1", postgres.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URL: %v", err)
	}
}
