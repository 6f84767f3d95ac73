package ops

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

// nullIssuer stands in for the token signer, whose cost (one RS512
// signature) internal/tokens measures on its own.
type nullIssuer struct{}

func (nullIssuer) Issue(context.Context, identity.TokenRequest) (string, error) { return "token", nil }

// benchService is the operations over a real SQLite file with durable
// commits (synchronous FULL, the server's default), a pool and a
// thousand identities, each with a login.
func benchService(b *testing.B) (*Service, string, []string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "idpool.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := New(Config{Store: st, Pages: openPages(b, st), Tokens: nullIssuer{}, STS: &recordingSTS{},
		Logins: tableVerifier{providers: []string{"graph.facebook.com"}}})
	caller := signed("000000000000", "us-east-1")
	p, err := svc.CreateIdentityPool(ctx, caller, &poolJSON{IdentityPoolName: "bench", AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "app"}})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 1000)
	for i := range ids {
		out, err := svc.GetId(ctx, anon(), &getIDInput{IdentityPoolId: p.IdentityPoolId, Logins: fb(fmt.Sprint("user-", i))})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = out.IdentityId
	}
	return svc, p.IdentityPoolId, ids
}

// BenchmarkOps runs the hot operations below the wire: GetId creating a
// guest (32 concurrent callers sharing group commits), GetId on an existing
// login and GetOpenIdToken for an authenticated identity (both reads only
// since they change nothing).
func BenchmarkOps(b *testing.B) {
	svc, pool, ids := benchService(b)
	ctx := context.Background()
	b.Run("GetId/new-guest-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16) // 32 goroutines on 2 cores, like the server under load
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := svc.GetId(ctx, anon(), &getIDInput{IdentityPoolId: pool}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("GetId/existing-login", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i = (i + 7919) % len(ids)
			out, err := svc.GetId(ctx, anon(), &getIDInput{IdentityPoolId: pool, Logins: fb(fmt.Sprint("user-", i))})
			if err != nil || out.IdentityId != ids[i] {
				b.Fatalf("%+v %v, want %s", out, err, ids[i])
			}
		}
	})
	b.Run("GetOpenIdToken/authenticated", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i = (i + 7919) % len(ids)
			out, err := svc.GetOpenIdToken(ctx, anon(), &getOpenIDTokenInput{IdentityId: ids[i], Logins: fb(fmt.Sprint("user-", i))})
			if err != nil || out.IdentityId != ids[i] {
				b.Fatalf("%+v %v", out, err)
			}
		}
	})
}
