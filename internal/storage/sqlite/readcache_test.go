package sqlite_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"testing"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

const (
	childDBEnv    = "IDPOOL_TEST_SQLITE_CHILD_DB"
	otherPool     = "us-east-1:00000000-0000-4000-8000-0000000000bb"
	renamedByPeer = "renamed-by-another-process"
	account       = "000000000000"
)

// TestChildProcessWriter is the other process of
// TestCachedPoolsSeeAnotherProcess: it renames the pool and adds one, in
// the database named by the environment, and exits.
func TestChildProcessWriter(t *testing.T) {
	path := os.Getenv(childDBEnv)
	if path == "" {
		t.Skip("runs only as TestCachedPoolsSeeAnotherProcess's child")
	}
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(context.Background(), func(tx storage.Tx) error {
		p, err := tx.GetPool(readerPool)
		if err != nil {
			return err
		}
		p.Name = renamedByPeer
		if err := tx.UpdatePool(p); err != nil {
			return err
		}
		if err := tx.CreatePool(&storage.Pool{ID: otherPool, AccountID: account, Region: "us-east-1", Name: "b"}); err != nil {
			return err
		}
		// The role's document changes and the provider every reader found
		// missing appears.
		if err := tx.PutResource(&storage.Resource{AccountID: account, Kind: "role", Name: "r", Doc: []byte(`{"v":2}`)}); err != nil {
			return err
		}
		if err := tx.CreateResource(&storage.Resource{AccountID: account, Kind: "oidc", Name: "p", Doc: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		// The identity every reader read without logins gets the login
		// every reader found unheld.
		ident, err := tx.GetIdentity(identityID(1))
		if err != nil {
			return err
		}
		ident.Logins = []storage.Login{{Provider: "idp", Subject: "alice"}}
		return tx.UpdateIdentity(ident)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCachedPoolsSeeAnotherProcess: read connections keep the pools and
// resources they read (and the resources they found missing) while the
// database is unchanged. A commit by another process on
// the same file (not this store's writer, whose commits the store could
// track itself) must reach every connection's next View, and so must this
// store's own writes; and a caller editing a pool or document it was handed
// must not edit what the next View reads.
func TestCachedPoolsSeeAnotherProcess(t *testing.T) {
	const conns = 3
	s := openReaders(t, conns)
	ctx := context.Background()
	if err := s.Update(ctx, func(tx storage.Tx) error {
		return tx.PutResource(&storage.Resource{AccountID: account, Kind: "role", Name: "r", Doc: []byte(`{"v":1}`)})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx storage.Tx) error {
		return tx.CreateIdentity(&storage.Identity{ID: identityID(1), PoolID: readerPool})
	}); err != nil {
		t.Fatal(err)
	}
	var role, provider string // the documents the last read saw ("" when missing)
	var logins int            // the identity's logins
	var holder string         // the identity holding idp/alice ("" when none)
	read := func() (name string, pools int) {
		t.Helper()
		if err := s.View(ctx, func(r storage.Reader) error {
			role, provider, holder = "", "", ""
			ident, err := r.GetIdentity(identityID(1))
			if err != nil {
				return err
			}
			if ident.PoolID != readerPool {
				t.Fatalf("identity read back with pool %q: a caller's edit reached the cache", ident.PoolID)
			}
			logins = len(ident.Logins)
			ident.PoolID = "edited" // the caller's own copy
			switch h, err := r.LoginIdentity(readerPool, "idp", "alice"); {
			case err == nil:
				holder = h.ID
				h.Logins[0].Subject = "edited"
			case !errors.Is(err, storage.ErrNotFound):
				return err
			}
			for _, res := range []struct {
				kind string
				doc  *string
			}{{"role", &role}, {"oidc", &provider}} {
				got, err := r.GetResource(account, res.kind, map[string]string{"role": "r", "oidc": "p"}[res.kind])
				if errors.Is(err, storage.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				*res.doc = string(got.Doc)
				got.Doc[0] = 'X' // the caller's own copy
			}
			p, err := r.GetPool(readerPool)
			if err != nil {
				return err
			}
			ps, err := r.ListPools("000000000000", "us-east-1", "", 60)
			if err != nil {
				return err
			}
			if ps[0].Name != p.Name {
				t.Errorf("ListPools says %q where GetPool says %q", ps[0].Name, p.Name)
			}
			name, pools = p.Name, len(ps)
			// The caller's own copy: editing it changes nothing stored.
			p.Name, ps[0].Name = "edited", "edited"
			p.Tags = map[string]string{"k": "v"}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return name, pools
	}
	for range 3 * conns { // every connection has the pool, the role and the missing provider cached
		if name, n := read(); name != "r" || n != 1 || role != `{"v":1}` || provider != "" || logins != 0 || holder != "" {
			t.Fatalf("before: pool %q, %d pools, role %q, provider %q, %d logins, login held by %q", name, n, role, provider, logins, holder)
		}
	}

	child := exec.Command(os.Args[0], "-test.run=^TestChildProcessWriter$", "-test.count=1")
	child.Env = append(os.Environ(), childDBEnv+"="+s.Path())
	if out, err := child.CombinedOutput(); err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	for range 3 * conns {
		if name, n := read(); name != renamedByPeer || n != 2 || role != `{"v":2}` || provider != `{"v":1}` || logins != 1 || holder != identityID(1) {
			t.Fatalf("after another process's commit a View saw pool %q, %d pools, role %q, provider %q, %d logins, login held by %q",
				name, n, role, provider, logins, holder)
		}
		// The login's identity read back whole, untouched by the edits above.
		if err := s.View(ctx, func(r storage.Reader) error {
			h, err := r.LoginIdentity(readerPool, "idp", "alice")
			if err == nil && (len(h.Logins) != 1 || h.Logins[0].Subject != "alice") {
				t.Fatalf("LoginIdentity = %+v", h)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}

	if err := s.Update(ctx, func(tx storage.Tx) error {
		if err := tx.DeleteResource(account, "oidc", "p"); err != nil {
			return err
		}
		return tx.DeletePool(otherPool)
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 * conns {
		if _, n := read(); n != 1 || provider != "" {
			t.Fatalf("after this store's delete a View saw %d pools and provider %q", n, provider)
		}
	}
	if err := s.View(ctx, func(r storage.Reader) error {
		_, err := r.GetPool(otherPool)
		return err
	}); err != storage.ErrNotFound {
		t.Fatalf("deleted pool: %v, want ErrNotFound", err)
	}
}
