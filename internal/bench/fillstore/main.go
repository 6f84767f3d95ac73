// Command fillstore fills an existing identity pool of a stopped idpool's
// store with guest identities through the storage interface, many to a
// transaction: a store of ten million identities in minutes, where
// "idpool bench --fill" (the API, one identity a request) takes an hour.
// It is for measuring at scale (docs/performance.md), not for users:
//
//	go run ./internal/bench/fillstore --data-dir DIR --pool POOL --identities 10000000
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/backends"
)

func main() {
	o := backends.Options{}
	flag.StringVar(&o.Spec, "store", "", "storage spec, as idpool serve's --store")
	flag.StringVar(&o.DataDir, "data-dir", "./data", "directory of the default SQLite database")
	pool := flag.String("pool", "", "identity pool id (it must exist)")
	n := flag.Int("identities", 1000000, "guest identities to add")
	batch := flag.Int("batch", 5000, "identities per transaction")
	flag.Parse()
	if err := run(o, *pool, *n, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "fillstore:", err)
		os.Exit(1)
	}
}

func run(o backends.Options, pool string, n, batch int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := backends.Open(ctx, o)
	if err != nil {
		return err
	}
	defer s.Close()
	region, _, ok := strings.Cut(pool, ":")
	if !ok {
		return fmt.Errorf("%q is not a pool id", pool)
	}
	if err := s.View(ctx, func(r storage.Reader) error {
		_, err := r.GetPool(pool)
		return err
	}); err != nil {
		return fmt.Errorf("pool %s: %w", pool, err)
	}
	start := time.Now()
	for done := 0; done < n; {
		k := min(batch, n-done)
		now := time.Now().UTC()
		if err := s.Update(ctx, func(tx storage.Tx) error {
			for range k {
				u, err := uuid.NewV7()
				if err != nil {
					return err
				}
				if err := tx.CreateIdentity(&storage.Identity{
					ID: region + ":" + u.String(), PoolID: pool, CreatedAt: now, UpdatedAt: now,
				}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		done += k
		if done%(batch*100) == 0 || done == n {
			el := time.Since(start)
			fmt.Printf("%d identities in %s (%.0f/s)\n", done, el.Round(time.Second), float64(done)/el.Seconds())
		}
	}
	return nil
}
