package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

func ctx() context.Context { return context.Background() }

func testTimes(t *testing.T, s storage.Store) {
	// A non-UTC location, sub-millisecond digits, and the zero time.
	tz := time.FixedZone("UTC+5:30", 5*3600+1800)
	at := time.Date(2031, 2, 3, 4, 5, 6, 789_456_123, tz)
	p := bare(poolID(1))
	p.CreatedAt, p.UpdatedAt = at, time.Time{}
	createPools(t, s, p)
	got, err := getPool(t, s, p.ID)
	if err != nil {
		t.Fatalf("GetPool: %v", err)
	}
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("times not in UTC: %v, %v", got.CreatedAt, got.UpdatedAt)
	}
	if d := got.CreatedAt.Sub(at).Abs(); d >= time.Millisecond {
		t.Fatalf("CreatedAt = %v, want %v to the millisecond", got.CreatedAt, at)
	}
	if !got.UpdatedAt.IsZero() {
		t.Fatalf("zero UpdatedAt came back as %v", got.UpdatedAt)
	}
}

// errBoom is returned by a failing fn; Update must hand it back unchanged.
var errBoom = errors.New("boom")

func testUpdateRollsBack(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	createIdentities(t, s, identity(poolID(1), identityID(1), login("p", "a")))
	err := s.Update(ctx(), func(tx storage.Tx) error {
		steps := []func() error{
			func() error { return tx.CreatePool(bare(poolID(2))) },
			func() error { return tx.CreateIdentity(identity(poolID(1), identityID(2), login("p", "b"))) },
			func() error { return tx.UpdateIdentity(identity(poolID(1), identityID(1), login("p", "c"))) },
			func() error { return tx.DeleteIdentity(identityID(1)) },
			func() error { return tx.PutResource(resource(account, "role", "r", `{}`)) },
			func() error { return tx.PutBlob(&storage.Blob{Key: "k", Value: []byte("v")}) },
			func() error { return tx.DeletePool(poolID(1)) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return errBoom
	})
	if err != errBoom { //nolint:errorlint // the contract: returned unchanged
		t.Fatalf("Update returned %v, want fn's error unchanged", err)
	}
	if _, err := getPool(t, s, poolID(2)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("pool of a failed Update exists (err %v)", err)
	}
	if _, err := getPool(t, s, poolID(1)); err != nil {
		t.Fatalf("pool deleted by a failed Update: %v", err)
	}
	got, err := getIdentity(t, s, identityID(1))
	if err != nil {
		t.Fatalf("identity deleted by a failed Update: %v", err)
	}
	same(t, got, identity(poolID(1), identityID(1), login("p", "a")), "identity after a failed Update")
	if _, err := getIdentity(t, s, identityID(2)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("identity of a failed Update exists (err %v)", err)
	}
	view(t, s, func(r storage.Reader) error {
		if _, err := r.GetResource(account, "role", "r"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("resource of a failed Update exists (err %v)", err)
		}
		if _, err := r.GetBlob("k"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("blob of a failed Update exists (err %v)", err)
		}
		return nil
	})

	// A View's error comes back unchanged too.
	if err := s.View(ctx(), func(storage.Reader) error { return errBoom }); err != errBoom { //nolint:errorlint // contract
		t.Fatalf("View returned %v, want fn's error", err)
	}
}

func testUpdateCanceledContext(t *testing.T, s storage.Store) {
	c, cancel := context.WithCancel(ctx())
	cancel()
	err := s.Update(c, func(tx storage.Tx) error { return tx.CreatePool(bare(poolID(1))) })
	if err == nil {
		t.Fatal("Update with a canceled context succeeded")
	}
	if _, err := getPool(t, s, poolID(1)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Update with a canceled context wrote its pool (err %v)", err)
	}
	// The store still works.
	createPools(t, s, bare(poolID(2)))
}

func testDurable(t *testing.T, s storage.Store, reopen func(*testing.T, storage.Store) storage.Store) storage.Store {
	p := fullPool(poolID(1))
	id := identity(poolID(1), identityID(1), login("a", "1"), login("b", "2"))
	res := resource(account, "role", "r", `{"x":1}`)
	createPools(t, s, p)
	createIdentities(t, s, id)
	update(t, s, func(tx storage.Tx) error {
		if err := tx.PutResource(res); err != nil {
			return err
		}
		return tx.PutBlob(&storage.Blob{Key: "k", Value: []byte("v")})
	})
	s = reopen(t, s)
	got, err := getPool(t, s, p.ID)
	if err != nil {
		t.Fatalf("GetPool after reopen: %v", err)
	}
	same(t, got, p, "pool after reopen")
	gotID, err := getIdentity(t, s, id.ID)
	if err != nil {
		t.Fatalf("GetIdentity after reopen: %v", err)
	}
	same(t, gotID, id, "identity after reopen")
	view(t, s, func(r storage.Reader) error {
		gr, err := r.GetResource(account, "role", "r")
		if err != nil {
			return err
		}
		same(t, gr, res, "resource after reopen")
		b, err := r.GetBlob("k")
		if err != nil {
			return err
		}
		same(t, b, &storage.Blob{Key: "k", Value: []byte("v"), Version: 1}, "blob after reopen")
		return nil
	})
	// And it still takes writes.
	createIdentities(t, s, identity(poolID(1), identityID(2), login("a", "2")))
	return s
}

// testViewIsOneSnapshot: every read of one View sees the same snapshot,
// the one its first read saw: a commit that lands between two reads of a
// View shows only in the next View (a pool and its identities read in one
// View must agree; a backend that caches pools must not mix snapshots).
func testViewIsOneSnapshot(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	createIdentities(t, s, identity(poolID(1), identityID(1), login("p", "a")))
	view(t, s, func(r storage.Reader) error {
		before, err := r.GetPool(poolID(1))
		if err != nil {
			return err
		}
		// Another writer commits while this View is open.
		update(t, s, func(tx storage.Tx) error {
			p, err := tx.GetPool(poolID(1))
			if err != nil {
				return err
			}
			p.Name = "renamed"
			if err := tx.UpdatePool(p); err != nil {
				return err
			}
			if err := tx.CreatePool(bare(poolID(2))); err != nil {
				return err
			}
			return tx.CreateIdentity(identity(poolID(1), identityID(2), login("p", "b")))
		})
		after, err := r.GetPool(poolID(1))
		if err != nil {
			return err
		}
		same(t, after.Name, before.Name, "pool name read again in the same View")
		ids, err := r.ListIdentities(poolID(1), "", 0, false)
		if err != nil {
			return err
		}
		same(t, len(ids), 1, "identities listed after another writer's commit, same View")
		pools, err := r.ListPools(account, region, "", 10)
		if err != nil {
			return err
		}
		same(t, len(pools), 1, "pools listed after another writer's commit, same View")
		_, err = r.GetPool(poolID(2))
		wantErr(t, err, storage.ErrNotFound, "pool created after the View's first read")
		return nil
	})
	p, err := getPool(t, s, poolID(1))
	if err != nil {
		t.Fatal(err)
	}
	same(t, p.Name, "renamed", "pool name in the next View")
}

// testViewSurvivesPanics: a View whose fn panics (a bug in a handler,
// recovered by the server) gives its connection back, so many more such
// panics than a backend has connections leave later Views working, not
// waiting forever for a connection.
func testViewSurvivesPanics(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	// A leaked connection shows as a View that waits out this deadline.
	c, cancel := context.WithTimeout(ctx(), 10*time.Second)
	defer cancel()
	for i := range 50 {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("panic %d: fn's panic did not reach View's caller", i)
				}
			}()
			err := s.View(c, func(r storage.Reader) error {
				if _, err := r.GetPool(poolID(1)); err != nil {
					return err
				}
				panic("bug in fn")
			})
			t.Errorf("View %d returned %v instead of panicking", i, err)
		}()
	}
	if err := s.View(c, func(r storage.Reader) error {
		_, err := r.GetPool(poolID(1))
		return err
	}); err != nil {
		t.Fatalf("View after fn panicked 50 times: %v", err)
	}
}
