package postgres_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/conformance"
	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/internal/storage/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openURL(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := pgtest.Shared(t)
	urls := map[storage.Store]string{}
	conformance.Run(t, func(t *testing.T) storage.Store {
		url := srv.NewDatabase(t)
		s := openURL(t, url)
		urls[s] = url
		return s
	}, conformance.WithReopen(func(t *testing.T, s storage.Store) storage.Store {
		s.Close()
		return openURL(t, urls[s])
	}))
}
