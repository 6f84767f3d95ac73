package conformance

import (
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

func testIdentityCRUD(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	// Logins given out of order come back ordered by (provider, subject).
	id := identity(poolID(1), identityID(1), login("graph.facebook.com", "fb1"), login("accounts.google.com", "g1"))
	createIdentities(t, s, id)
	got, err := getIdentity(t, s, id.ID)
	if err != nil {
		t.Fatalf("GetIdentity: %v", err)
	}
	want := identity(poolID(1), identityID(1), login("accounts.google.com", "g1"), login("graph.facebook.com", "fb1"))
	same(t, got, want, "GetIdentity")

	guest := identity(poolID(1), identityID(2))
	createIdentities(t, s, guest)
	got, err = getIdentity(t, s, guest.ID)
	if err != nil {
		t.Fatalf("GetIdentity: %v", err)
	}
	if got.Logins != nil {
		t.Fatalf("identity without logins: Logins = %#v, want nil", got.Logins)
	}
	same(t, got, guest, "GetIdentity of a guest")

	owner, err := loginOwner(t, s, poolID(1), login("graph.facebook.com", "fb1"))
	if err != nil || owner != id.ID {
		t.Fatalf("LoginOwner = %q, %v; want %q", owner, err, id.ID)
	}
	_, err = loginOwner(t, s, poolID(1), login("graph.facebook.com", "nobody"))
	wantErr(t, err, storage.ErrNotFound, "LoginOwner of a free login")
	_, err = getIdentity(t, s, identityID(9))
	wantErr(t, err, storage.ErrNotFound, "GetIdentity of a missing identity")

	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error {
		return tx.UpdateIdentity(identity(poolID(1), identityID(9)))
	}), storage.ErrNotFound, "UpdateIdentity of a missing identity")

	update(t, s, func(tx storage.Tx) error { return tx.DeleteIdentity(id.ID) })
	_, err = getIdentity(t, s, id.ID)
	wantErr(t, err, storage.ErrNotFound, "GetIdentity after DeleteIdentity")
	_, err = loginOwner(t, s, poolID(1), login("graph.facebook.com", "fb1"))
	wantErr(t, err, storage.ErrNotFound, "LoginOwner after DeleteIdentity")
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.DeleteIdentity(id.ID) }),
		storage.ErrNotFound, "DeleteIdentity of a missing identity")
	// The login is free again.
	createIdentities(t, s, identity(poolID(1), identityID(3), login("graph.facebook.com", "fb1")))
}

func testCreateIdentityConflicts(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)), bare(poolID(2)))
	createIdentities(t, s, identity(poolID(1), identityID(1), login("p", "a")))

	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error {
		return tx.CreateIdentity(identity(poolID(1), identityID(1)))
	}), storage.ErrAlreadyExists, "CreateIdentity with a taken id")

	// A taken login fails the whole call, even when the caller carries on:
	// nothing of the identity may be written.
	update(t, s, func(tx storage.Tx) error {
		err := tx.CreateIdentity(identity(poolID(1), identityID(2), login("p", "b"), login("p", "a")))
		wantErr(t, err, storage.ErrAlreadyExists, "CreateIdentity with a login held by another identity")
		return nil
	})
	_, err := getIdentity(t, s, identityID(2))
	wantErr(t, err, storage.ErrNotFound, "identity of a failed CreateIdentity")
	_, err = loginOwner(t, s, poolID(1), login("p", "b"))
	wantErr(t, err, storage.ErrNotFound, "login of a failed CreateIdentity")

	// The same login in another pool is another login.
	createIdentities(t, s, identity(poolID(2), identityID(3), login("p", "a")))

	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error {
		return tx.CreateIdentity(identity(poolID(9), identityID(4)))
	}), storage.ErrNotFound, "CreateIdentity in a missing pool")
}

func testUpdateIdentityLogins(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	createIdentities(t, s,
		identity(poolID(1), identityID(1), login("a", "1"), login("b", "1"), login("c", "1")),
		identity(poolID(1), identityID(2), login("x", "2")))

	// Replace the set: keep a/1, drop b/1 and c/1, add d/1 and b/9.
	next := identity(poolID(1), identityID(1), login("d", "1"), login("a", "1"), login("b", "9"))
	next.Disabled = true
	next.UpdatedAt = stamp.AddDate(0, 1, 0)
	update(t, s, func(tx storage.Tx) error { return tx.UpdateIdentity(next) })
	got, err := getIdentity(t, s, identityID(1))
	if err != nil {
		t.Fatalf("GetIdentity: %v", err)
	}
	want := identity(poolID(1), identityID(1), login("a", "1"), login("b", "9"), login("d", "1"))
	want.Disabled, want.UpdatedAt = true, next.UpdatedAt
	same(t, got, want, "identity after UpdateIdentity")
	for _, l := range []storage.Login{login("b", "1"), login("c", "1")} {
		_, err := loginOwner(t, s, poolID(1), l)
		wantErr(t, err, storage.ErrNotFound, "LoginOwner of a removed login")
	}

	// Taking another identity's login fails and changes nothing.
	update(t, s, func(tx storage.Tx) error {
		steal := identity(poolID(1), identityID(1), login("x", "2"), login("e", "1"))
		wantErr(t, tx.UpdateIdentity(steal), storage.ErrAlreadyExists, "UpdateIdentity taking another identity's login")
		return nil
	})
	got, _ = getIdentity(t, s, identityID(1))
	same(t, got, want, "identity after a failed UpdateIdentity")
	owner, _ := loginOwner(t, s, poolID(1), login("x", "2"))
	if owner != identityID(2) {
		t.Fatalf("LoginOwner(x/2) = %q after a failed steal", owner)
	}

	// Moving a login between identities in one transaction (a merge).
	update(t, s, func(tx storage.Tx) error {
		if err := tx.UpdateIdentity(identity(poolID(1), identityID(2))); err != nil {
			return err
		}
		return tx.UpdateIdentity(identity(poolID(1), identityID(1), login("x", "2")))
	})
	owner, _ = loginOwner(t, s, poolID(1), login("x", "2"))
	if owner != identityID(1) {
		t.Fatalf("LoginOwner(x/2) = %q after the move, want %q", owner, identityID(1))
	}
	got, _ = getIdentity(t, s, identityID(2))
	if got.Logins != nil {
		t.Fatalf("identity with every login removed: Logins = %#v, want nil", got.Logins)
	}
}

func testListIdentities(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)), bare(poolID(2)))
	var all []*storage.Identity
	for _, n := range []int{4, 2, 5, 1, 3} {
		id := identity(poolID(1), identityID(n), login("p", string(rune('a'+n))), login("o", "x"+string(rune('a'+n))))
		id.Disabled = n%2 == 0
		createIdentities(t, s, id)
	}
	for n := 1; n <= 5; n++ {
		id := identity(poolID(1), identityID(n), login("o", "x"+string(rune('a'+n))), login("p", string(rune('a'+n))))
		id.Disabled = n%2 == 0
		all = append(all, id)
	}
	createIdentities(t, s, identity(poolID(2), identityID(0)), identity(poolID(2), identityID(9)))

	var got, p1, p2, enabled, enabledAfter []*storage.Identity
	view(t, s, func(r storage.Reader) error {
		var err error
		if got, err = r.ListIdentities(poolID(1), "", 10, false); err != nil {
			return err
		}
		if p1, err = r.ListIdentities(poolID(1), "", 3, false); err != nil {
			return err
		}
		if p2, err = r.ListIdentities(poolID(1), p1[2].ID, 3, false); err != nil {
			return err
		}
		if enabled, err = r.ListIdentities(poolID(1), "", 10, true); err != nil {
			return err
		}
		enabledAfter, err = r.ListIdentities(poolID(1), identityID(1), 1, true)
		return err
	})
	same(t, got, all, "ListIdentities")
	same(t, p1, all[:3], "ListIdentities first page")
	same(t, p2, all[3:], "ListIdentities second page")
	same(t, enabled, []*storage.Identity{all[0], all[2], all[4]}, "ListIdentities hiding disabled")
	same(t, enabledAfter, []*storage.Identity{all[2]}, "ListIdentities hiding disabled, paged")
}

func testLoginSubjects(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)))
	createIdentities(t, s,
		identity(poolID(1), identityID(1), login("dev", "u3"), login("dev", "u1"), login("dev", "u2"), login("other", "u0")),
		identity(poolID(1), identityID(2), login("dev", "u9")))
	var all, after []string
	view(t, s, func(r storage.Reader) error {
		var err error
		if all, err = r.ListLoginSubjects(identityID(1), "dev", "", 10); err != nil {
			return err
		}
		after, err = r.ListLoginSubjects(identityID(1), "dev", "u1", 1)
		return err
	})
	same(t, all, []string{"u1", "u2", "u3"}, "ListLoginSubjects")
	same(t, after, []string{"u2"}, "ListLoginSubjects paged")
}

func testDeletePoolCascades(t *testing.T, s storage.Store) {
	createPools(t, s, bare(poolID(1)), bare(poolID(2)))
	createIdentities(t, s,
		identity(poolID(1), identityID(1), login("p", "a")),
		identity(poolID(1), identityID(2)),
		identity(poolID(2), identityID(3), login("p", "a")))
	update(t, s, func(tx storage.Tx) error { return tx.DeletePool(poolID(1)) })
	for _, id := range []string{identityID(1), identityID(2)} {
		_, err := getIdentity(t, s, id)
		wantErr(t, err, storage.ErrNotFound, "identity of a deleted pool")
	}
	_, err := loginOwner(t, s, poolID(1), login("p", "a"))
	wantErr(t, err, storage.ErrNotFound, "login of a deleted pool")
	if _, err := getIdentity(t, s, identityID(3)); err != nil {
		t.Fatalf("identity of another pool: %v", err)
	}
	// The pool id and its logins can be used again.
	createPools(t, s, bare(poolID(1)))
	createIdentities(t, s, identity(poolID(1), identityID(1), login("p", "a")))
}
