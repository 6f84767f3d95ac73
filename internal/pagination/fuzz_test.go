package pagination_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

// FuzzDecode: a NextToken the signer did not issue is refused with
// ErrInvalid (which ListIdentities and friends answer as
// InvalidParameterException), never accepted and never a panic. The only
// token that decodes is the one issued for this scope, to its own cursor.
func FuzzDecode(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	s := mustOpen(f, st)
	const scope, cursor = "ListIdentities\x00000000000000\x00us-east-1:11111111-2222-3333-4444-555555555555", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	valid, other := s.Encode(scope, cursor), s.Encode(scope+"x", cursor)
	f.Add(valid)
	f.Add(other)
	f.Add("")
	f.Add(".")
	f.Add("MQ.")
	f.Add(valid + "A")
	f.Add(valid[:len(valid)-1])
	f.Add(flipLastBit(valid)) // same MAC bytes when the padding bits are ignored
	f.Fuzz(func(t *testing.T, token string) {
		got, err := s.Decode(scope, token)
		if err != nil {
			if !errors.Is(err, pagination.ErrInvalid) {
				t.Fatalf("Decode(%q): %v, want ErrInvalid", token, err)
			}
			return
		}
		if token != valid || got != cursor {
			t.Fatalf("Decode accepted %q (cursor %q); only %q was issued", token, got, valid)
		}
	})
}

// flipLastBit flips the lowest bit of the last base64url character: a
// padding bit for a 32-byte MAC, so a lax decoder reads the same bytes.
func flipLastBit(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[len(tok)-1])
	return tok[:len(tok)-1] + string(alphabet[i^1])
}
