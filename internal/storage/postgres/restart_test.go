package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/pgtest"
)

const restartPool = "us-east-1:00000000-0000-4000-8000-000000000001"

// TestRestartMidLoad crashes PostgreSQL under a write load and starts it
// again: no acknowledged write is lost, calls made while it is down fail with
// storage.ErrUnavailable, and the store recovers without being reopened.
func TestRestartMidLoad(t *testing.T) {
	srv := pgtest.Start(t)
	s := openURL(t, srv.NewDatabase(t))
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx storage.Tx) error {
		return tx.CreatePool(&storage.Pool{ID: restartPool, AccountID: "000000000000", Region: "us-east-1", Name: "r"})
	}); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var acked []string
	ackCh := make(chan struct{}, 1<<16)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("us-east-1:%08d-0000-4000-8000-%012d", g, i)
				err := s.Update(ctx, func(tx storage.Tx) error {
					return tx.CreateIdentity(&storage.Identity{ID: id, PoolID: restartPool,
						Logins: []storage.Login{{Provider: "p", Subject: id}}})
				})
				if err == nil {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
					ackCh <- struct{}{}
				}
			}
		})
	}
	waitAcks := func(n int) {
		for range n {
			<-ackCh
		}
	}

	waitAcks(200)
	srv.Stop("immediate")
	err := s.Update(ctx, func(tx storage.Tx) error {
		return tx.PutResource(&storage.Resource{AccountID: "a", Kind: "k", Name: "n"})
	})
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Update while PostgreSQL is down: %v, want ErrUnavailable", err)
	}
	err = s.View(ctx, func(r storage.Reader) error { _, err := r.GetPool(restartPool); return err })
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("View while PostgreSQL is down: %v, want ErrUnavailable", err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// Drain what was acknowledged before the crash, then see new ones.
	for len(ackCh) > 0 {
		<-ackCh
	}
	waitAcks(200)
	close(stop)
	wg.Wait()

	err = s.View(ctx, func(r storage.Reader) error {
		for _, id := range acked {
			if owner, err := r.LoginOwner(restartPool, "p", id); err != nil || owner != id {
				return fmt.Errorf("acknowledged identity %s: owner %q, %v", id, owner, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
