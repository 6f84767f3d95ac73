package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/backends"
)

// TestFillsThePool: fillstore adds exactly n guest identities to an
// existing pool of a real SQLite store, in batches, and refuses a pool
// that does not exist.
func TestFillsThePool(t *testing.T) {
	o := backends.Options{DataDir: t.TempDir()}
	const pool = "us-east-1:00000000-0000-4000-8000-000000000001"
	s, err := backends.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := s.Update(context.Background(), func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: pool, AccountID: "000000000000", Region: "us-east-1",
			Name: "fill", AllowUnauthenticated: true, CreatedAt: now, UpdatedAt: now})
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if err := run(o, pool, 2500, 1000); err != nil {
		t.Fatal(err)
	}
	if err := run(o, "us-east-1:00000000-0000-4000-8000-000000000002", 10, 10); err == nil ||
		!strings.Contains(err.Error(), "not found") {
		t.Errorf("a missing pool: %v", err)
	}

	s, err = backends.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, after := 0, ""
	for {
		var page []*storage.Identity
		if err := s.View(context.Background(), func(r storage.Reader) (err error) {
			page, err = r.ListIdentities(pool, after, 1000, false)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, id := range page {
			if !strings.HasPrefix(id.ID, "us-east-1:") || id.Authenticated || len(id.Logins) != 0 {
				t.Fatalf("not a guest identity of the region: %+v", id)
			}
		}
		n += len(page)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if n != 2500 {
		t.Errorf("%d identities in the pool, want 2500", n)
	}
}
