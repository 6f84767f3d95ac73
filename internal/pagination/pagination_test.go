package pagination_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/sealbox"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Tokens round-trip within their scope only, and every node sharing the
// store (here: a second Signer) accepts them.
func TestScopeAndSharing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idpool.db")
	a, b := mustOpen(t, openStore(t, path)), mustOpen(t, openStore(t, path))
	tok := a.Encode("ListIdentities\x00pool-1", "cursor-9")
	if got, err := b.Decode("ListIdentities\x00pool-1", tok); err != nil || got != "cursor-9" {
		t.Fatalf("other node Decode = %q, %v", got, err)
	}
	for _, scope := range []string{"ListIdentities\x00pool-2", "ListIdentityPools\x00pool-1", ""} {
		if _, err := b.Decode(scope, tok); !errors.Is(err, pagination.ErrInvalid) {
			t.Errorf("scope %q: err = %v, want ErrInvalid", scope, err)
		}
	}
}

// Through a sealed store the HMAC key is kept sealed, and still shared.
func TestKeySealedAtRest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "idpool.db")
	raw := openStore(t, path)
	box, err := sealbox.New(bytes.Repeat([]byte{4}, sealbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, sealbox.Wrap(raw, box))
	tok := s.Encode("scope", "c")
	err = raw.View(ctx, func(r storage.Reader) error {
		b, err := r.GetBlob(pagination.BlobKey)
		if err == nil && !sealbox.IsSealed(b.Value) {
			t.Error("pagination key stored in the clear")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mustOpen(t, sealbox.Wrap(openStore(t, path), box)).Decode("scope", tok); err != nil || got != "c" {
		t.Fatalf("second node Decode = %q, %v", got, err)
	}
}

// mustOpen opens a Signer over st, as the server does at start-up.
func mustOpen(tb testing.TB, st storage.Store) *pagination.Signer {
	tb.Helper()
	s, err := pagination.Open(context.Background(), st)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
