package tokens

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

const testIssuer = "http://127.0.0.1:9350"

// fakeClock is a settable clock shared by the services of a test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openStore opens a real SQLite store at path (a new file in a temp dir when empty).
func openStore(t testing.TB, path string) storage.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "idpool.db")
	}
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newService(t testing.TB, cfg Config) *Service {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = openStore(t, "")
	}
	if cfg.Issuer == "" {
		cfg.Issuer = testIssuer
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sampleRequest() identity.TokenRequest {
	return identity.TokenRequest{
		PoolID:     "us-east-1:11111111-2222-3333-4444-555555555555",
		PoolARN:    "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/us-east-1:11111111-2222-3333-4444-555555555555",
		IdentityID: "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		AMR: []string{"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
			"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:CognitoSignIn:1234"},
		TTL:           15 * time.Minute,
		PrincipalTags: map[string]string{"username": "1234", "client": "app\"client"},
	}
}

func issue(t testing.TB, s *Service, r identity.TokenRequest) string {
	t.Helper()
	tok, err := s.Issue(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
