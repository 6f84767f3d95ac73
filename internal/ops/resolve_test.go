package ops

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// countingStore counts the transactions the operations open, and the
// identity reads in each.
type countingStore struct {
	storage.Store
	views, updates atomic.Int64
	// maxIdentityReads is the most GetIdentity calls one transaction made.
	maxIdentityReads atomic.Int64
}

func (c *countingStore) View(ctx context.Context, fn func(storage.Reader) error) error {
	c.views.Add(1)
	return c.Store.View(ctx, func(r storage.Reader) error {
		cr := &countingReader{Reader: r}
		defer c.noteReads(cr)
		return fn(cr)
	})
}

func (c *countingStore) Update(ctx context.Context, fn func(storage.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(ctx, func(tx storage.Tx) error {
		ct := &countingTx{Tx: tx}
		defer c.noteReads(&ct.reads)
		return fn(ct)
	})
}

func (c *countingStore) noteReads(r *countingReader) {
	for {
		m := c.maxIdentityReads.Load()
		if r.n <= m || c.maxIdentityReads.CompareAndSwap(m, r.n) {
			return
		}
	}
}

type countingReader struct {
	storage.Reader
	n int64
}

func (r *countingReader) GetIdentity(id string) (*storage.Identity, error) {
	r.n++
	return r.Reader.GetIdentity(id)
}

type countingTx struct {
	storage.Tx
	reads countingReader
}

func (t *countingTx) GetIdentity(id string) (*storage.Identity, error) {
	t.reads.n++
	return t.Tx.GetIdentity(id)
}

// The token calls read the identity they name once per transaction: the
// read that finds its pool is the one the link decides on.
func TestTokenCallsReadTheIdentityOnce(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("reads")
	if _, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"unauthenticated": "arn:aws:iam::000000000000:role/Guest"}}); err != nil {
		t.Fatal(err)
	}
	guest := f.mustGetID(p.IdentityPoolId, nil)
	alice := f.mustGetID(p.IdentityPoolId, fb("alice"))
	cs := &countingStore{Store: f.store}
	f.svc.store = cs
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"GetOpenIdToken, guest", func() error {
			_, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: guest})
			return err
		}},
		{"GetOpenIdToken, login", func() error {
			_, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: alice, Logins: fb("alice")})
			return err
		}},
		{"GetOpenIdToken, a login added (a write)", func() error {
			_, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: alice, Logins: map[string]string{
				"graph.facebook.com": "graph.facebook.com|alice", "accounts.google.com": "accounts.google.com|alice"}})
			return err
		}},
		{"GetCredentialsForIdentity, guest", func() error {
			_, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: guest})
			return err
		}},
	} {
		cs.maxIdentityReads.Store(0)
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n := cs.maxIdentityReads.Load(); n != 1 {
			t.Errorf("%s: %d identity reads in one transaction, want 1", c.name, n)
		}
	}
}

// GetId on a login already linked reads in one snapshot and writes nothing;
// a new login adds one write; a new guest is a write alone.
func TestGetIdSnapshots(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("snapshots")
	cs := &countingStore{Store: f.store}
	f.svc.store = cs
	count := func(name string, call func(), views, updates int64) {
		t.Helper()
		cs.views.Store(0)
		cs.updates.Store(0)
		call()
		if v, u := cs.views.Load(), cs.updates.Load(); v != views || u != updates {
			t.Errorf("%s: %d read snapshots and %d writes, want %d and %d", name, v, u, views, updates)
		}
	}
	var id string
	count("new login", func() { id = f.mustGetID(p.IdentityPoolId, fb("alice")) }, 1, 1)
	count("existing login", func() {
		if again := f.mustGetID(p.IdentityPoolId, fb("alice")); again != id {
			t.Errorf("GetId = %s, want %s", again, id)
		}
	}, 1, 0)
	count("guest", func() { f.mustGetID(p.IdentityPoolId, nil) }, 0, 1)
	count("refused token", func() {
		_, err := f.getID(p.IdentityPoolId, map[string]string{"graph.facebook.com": "forged|alice"})
		wantErr(t, err, apierr.NotAuthorized, "")
	}, 1, 0)
}

// configVerifier accepts a token only for a provider its pool supports, and
// calls during (once) while it verifies.
type configVerifier struct {
	tableVerifier
	during func()
	once   atomic.Bool
}

func (v *configVerifier) Verify(ctx context.Context, r identity.LoginRequest) (*identity.VerifiedLogin, error) {
	if v.once.CompareAndSwap(false, true) && v.during != nil {
		v.during()
	}
	if _, ok := r.Pool.SupportedLoginProviders[r.Provider]; !ok {
		return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
	}
	return v.tableVerifier.Verify(ctx, r)
}

// A pool whose providers change while a login is verified against the old
// ones is read again and the login verified again before anything is
// written: the write never rests on a stale verification.
func TestProviderRemovedDuringVerification(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("racy")
	v := &configVerifier{tableVerifier: tableVerifier{providers: []string{"graph.facebook.com"}}}
	v.during = func() {
		in := *p
		in.SupportedLoginProviders = map[string]string{"accounts.google.com": "client"}
		if _, err := f.svc.UpdateIdentityPool(f.ctx, f.caller, &in); err != nil {
			t.Error(err)
		}
	}
	f.svc.logins = v
	_, err := f.getID(p.IdentityPoolId, fb("mallory"))
	wantErr(t, err, apierr.NotAuthorized, msgUnsupportedIdP)
	err = f.store.View(f.ctx, func(r storage.Reader) error {
		if _, err := r.LoginOwner(p.IdentityPoolId, "graph.facebook.com", "mallory"); !isNotFound(err) {
			t.Errorf("the login was linked: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
