package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/internal/storage/postgres"
)

// BenchmarkCreateIdentity measures identity creations (login lookup, then
// identity + login) with 1 and 64 concurrent writers on the test server
// (which runs with fsync=off: compare nodes, not disks).
func BenchmarkCreateIdentity(b *testing.B) {
	const pool = "us-east-1:00000000-0000-4000-8000-000000000001"
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			ctx := context.Background()
			s, err := postgres.Open(ctx, pgtest.Shared(b).NewDatabase(b), postgres.Options{MaxConns: 32, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.Update(ctx, func(tx storage.Tx) error {
				return tx.CreatePool(&storage.Pool{ID: pool, AccountID: "000000000000", Region: "us-east-1", Name: "b"})
			}); err != nil {
				b.Fatal(err)
			}
			create := func() {
				id := "us-east-1:" + uuid.Must(uuid.NewV7()).String()
				subject := uuid.NewString() // users arrive in no order
				if err := s.Update(ctx, func(tx storage.Tx) error {
					if _, err := tx.LoginOwner(pool, "p", subject); err == nil {
						return storage.ErrAlreadyExists
					}
					return tx.CreateIdentity(&storage.Identity{ID: id, PoolID: pool, Logins: []storage.Login{{Provider: "p", Subject: subject}}})
				}); err != nil {
					b.Error(err)
				}
			}
			b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					create()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
		})
	}
}
