package conformance

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

// racers is how many goroutines race in the concurrency tests.
const racers = 16

// race runs fn in racers goroutines at once and returns their errors.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	wg.Wait()
	return errs
}

// oneWinner fails unless exactly one error is nil and the rest are loser.
func oneWinner(t *testing.T, errs []error, loser error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("racers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loser):
			t.Fatalf("racer %d: got %v, want %v", i, err, loser)
		}
	}
	if winner < 0 {
		t.Fatal("no racer won")
	}
	return winner
}

func testConcurrentSameLogin(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	l := login("graph.facebook.com", "same-user")
	// What GetId does: look the login up, create an identity if it is free.
	errs := race(func(i int) error {
		return s.Update(ctx(), func(tx storage.Tx) error {
			if _, err := tx.LoginOwner(poolID(1), l.Provider, l.Subject); err == nil {
				return storage.ErrAlreadyExists
			} else if !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			return tx.CreateIdentity(identity(poolID(1), identityID(i), l))
		})
	})
	winner := oneWinner(t, errs, storage.ErrAlreadyExists)
	owner, err := loginOwner(t, s, poolID(1), l)
	if err != nil || owner != identityID(winner) {
		t.Fatalf("LoginOwner = %q, %v; want the winner %q", owner, err, identityID(winner))
	}
	var ids []*storage.Identity
	view(t, s, func(r storage.Reader) error {
		var err error
		ids, err = r.ListIdentities(poolID(1), "", 100, false)
		return err
	})
	if len(ids) != 1 {
		t.Fatalf("%d identities after the race, want 1", len(ids))
	}

	// Blind creates (no read first) must also leave one winner.
	l2 := login("graph.facebook.com", "blind")
	errs = race(func(i int) error {
		return s.Update(ctx(), func(tx storage.Tx) error {
			return tx.CreateIdentity(identity(poolID(1), identityID(100+i), l2))
		})
	})
	oneWinner(t, errs, storage.ErrAlreadyExists)
}

func testConcurrentBlobCAS(t *testing.T, s storage.Store) {
	update(t, s, func(tx storage.Tx) error { return tx.PutBlob(&storage.Blob{Key: "keys", Value: []byte("0")}) })
	errs := race(func(i int) error {
		return s.Update(ctx(), func(tx storage.Tx) error {
			return tx.PutBlob(&storage.Blob{Key: "keys", Value: []byte(strconv.Itoa(i)), Version: 1})
		})
	})
	winner := oneWinner(t, errs, storage.ErrConflict)
	var b *storage.Blob
	view(t, s, func(r storage.Reader) error {
		var err error
		b, err = r.GetBlob("keys")
		return err
	})
	same(t, b, &storage.Blob{Key: "keys", Value: []byte(strconv.Itoa(winner)), Version: 2}, "blob after the race")
}

// testConcurrentReadModifyWrite: Update is serializable, so a read and a
// CAS in one fn never conflict; a backend that retries must re-run fn.
func testConcurrentReadModifyWrite(t *testing.T, s storage.Store) {
	update(t, s, func(tx storage.Tx) error { return tx.PutBlob(&storage.Blob{Key: "n", Value: []byte("0")}) })
	errs := race(func(int) error {
		return s.Update(ctx(), func(tx storage.Tx) error {
			b, err := tx.GetBlob("n")
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(string(b.Value))
			if err != nil {
				return err
			}
			return tx.PutBlob(&storage.Blob{Key: "n", Value: []byte(strconv.Itoa(n + 1)), Version: b.Version})
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
	}
	var b *storage.Blob
	view(t, s, func(r storage.Reader) error {
		var err error
		b, err = r.GetBlob("n")
		return err
	})
	same(t, b, &storage.Blob{Key: "n", Value: []byte(strconv.Itoa(racers)), Version: racers + 1}, "counter")
}

// testConcurrentBatchIsolation: concurrent Updates that fail must not take
// down, or leak into, the ones that succeed alongside them (a backend may
// commit them together).
func testConcurrentBatchIsolation(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	errs := race(func(i int) error {
		return s.Update(ctx(), func(tx storage.Tx) error {
			if err := tx.CreateIdentity(identity(poolID(1), identityID(i), login("p", strconv.Itoa(i)))); err != nil {
				return err
			}
			if i%2 == 1 {
				return fmt.Errorf("racer %d: %w", i, errBoom)
			}
			return nil
		})
	})
	for i, err := range errs {
		if i%2 == 1 && !errors.Is(err, errBoom) {
			t.Fatalf("racer %d: got %v, want its own error", i, err)
		}
		if i%2 == 0 && err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
		_, gerr := getIdentity(t, s, identityID(i))
		if (i%2 == 0) != (gerr == nil) {
			t.Fatalf("racer %d: identity present = %v, want %v", i, gerr == nil, i%2 == 0)
		}
	}
}
