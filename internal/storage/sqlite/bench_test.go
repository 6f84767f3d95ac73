package sqlite_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

const benchPool = "us-east-1:00000000-0000-4000-8000-000000000001"

func benchStore(b *testing.B, sync string) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "idpool.db"),
		sqlite.Options{Synchronous: sync, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	err = s.Update(context.Background(), func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: benchPool, AccountID: "000000000000", Region: "us-east-1", Name: "bench"})
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// createOne is what GetId does for a new login: look it up, then create the
// identity (a time-ordered v7 id, as ops makes them) with its login.
func createOne(s storage.Store) error {
	u, err := uuid.NewV7()
	if err != nil {
		return err
	}
	id := "us-east-1:" + u.String()
	return s.Update(context.Background(), func(tx storage.Tx) error {
		if _, err := tx.LoginOwner(benchPool, "graph.facebook.com", id); err == nil {
			return storage.ErrAlreadyExists
		}
		return tx.CreateIdentity(&storage.Identity{ID: id, PoolID: benchPool, Authenticated: true,
			Logins: []storage.Login{{Provider: "graph.facebook.com", Subject: id}}})
	})
}

// BenchmarkCreateIdentity measures durable identity creations with 1 and 64
// concurrent writers (64 share commits), at FULL and NORMAL sync.
func BenchmarkCreateIdentity(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, writers := range []int{1, 64} {
			b.Run(fmt.Sprintf("sync=%s/writers=%d", sync, writers), func(b *testing.B) {
				s := benchStore(b, sync)
				// RunParallel starts parallelism*GOMAXPROCS goroutines.
				b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
				b.ResetTimer()
				if writers == 1 {
					for b.Loop() {
						if err := createOne(s); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := createOne(s); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
			})
		}
	}
}

// seeded returns a store with n identities and their ids.
func seeded(b *testing.B, n int) (*sqlite.Store, []string) {
	s := benchStore(b, "NORMAL")
	ids := make([]string, 0, n)
	for start := 0; start < n; start += 1000 {
		err := s.Update(context.Background(), func(tx storage.Tx) error {
			for i := start; i < min(n, start+1000); i++ {
				id := fmt.Sprintf("us-east-1:%08d-0000-7000-8000-000000000000", i)
				ids = append(ids, id)
				if err := tx.CreateIdentity(&storage.Identity{ID: id, PoolID: benchPool, Authenticated: true,
					Logins: []storage.Login{{Provider: "graph.facebook.com", Subject: id}}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s, ids
}

// BenchmarkLookup measures point reads: an identity by id, an owner by login.
func BenchmarkLookup(b *testing.B) {
	s, ids := seeded(b, 20000)
	b.Run("GetIdentity", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i = (i + 7919) % len(ids)
			if err := s.View(context.Background(), func(r storage.Reader) error {
				_, err := r.GetIdentity(ids[i])
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LoginOwner", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i = (i + 7919) % len(ids)
			if err := s.View(context.Background(), func(r storage.Reader) error {
				_, err := r.LoginOwner(benchPool, "graph.facebook.com", ids[i])
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListIdentities pages through a pool 60 identities at a time
// (ListIdentities' MaxResults is at most 60).
func BenchmarkListIdentities(b *testing.B) {
	s, _ := seeded(b, 20000)
	after := ""
	for b.Loop() {
		var page []*storage.Identity
		if err := s.View(context.Background(), func(r storage.Reader) error {
			var err error
			page, err = r.ListIdentities(benchPool, after, 60, true)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if len(page) < 60 {
			after = ""
		} else {
			after = page[len(page)-1].ID
		}
	}
}

// BenchmarkRequestView is one read the way a request makes it: a View with
// the request's cancelable context, reading the pool and one identity (what
// GetOpenIdToken reads before signing).
func BenchmarkRequestView(b *testing.B) {
	s, ids := seeded(b, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	i := 0
	for b.Loop() {
		i = (i + 7919) % len(ids)
		if err := s.View(ctx, func(r storage.Reader) error {
			if _, err := r.GetPool(benchPool); err != nil {
				return err
			}
			_, err := r.GetIdentity(ids[i])
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetPool measures a View reading one pool, with the database
// unchanged between Views (the pool cache serves it) and with a commit
// before each View (every View misses: what a write-heavy load pays).
func BenchmarkGetPool(b *testing.B) {
	for _, changed := range []bool{false, true} {
		b.Run(fmt.Sprintf("commitBetween=%v", changed), func(b *testing.B) {
			s := benchStore(b, "NORMAL")
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				if changed {
					b.StopTimer()
					if err := s.Update(ctx, func(tx storage.Tx) error {
						return tx.PutBlob(&storage.Blob{Key: "bench", Value: []byte{byte(i)}, Version: int64(i)})
					}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if err := s.View(ctx, func(r storage.Reader) error {
					_, err := r.GetPool(benchPool)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
