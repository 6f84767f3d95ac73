// Package fuzzstack gives the fuzz targets of the front ends
// (internal/wire, internal/awsquery) the server that serve composes
// (server.NewInProcess: one composition), in process, on a SQLite file,
// with identity providers unreachable: both must meet hostile input with
// the real stack behind them.
package fuzzstack

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/server"
	"github.com/idpool/idpool/internal/tokens"
)

// Issuer is the stack's token issuer.
const Issuer = "http://127.0.0.1:9350"

// Now is the stack's fixed clock, which seeds sign their requests with.
func Now() time.Time { return time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC) }

// Stack is the composed server.
type Stack struct {
	// Handler is the whole front end (JSON 1.1 and Query), as idpool serve
	// answers on its port, with the development account test/test.
	Handler http.Handler
	// Tokens issues the stack's OpenID tokens.
	Tokens *tokens.Service
}

// offline is the login verifier's transport: no identity provider answers,
// as on a machine without network.
type offline struct{}

func (offline) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("fuzzstack: no network")
}

// New builds a stack over a SQLite file in tb's temporary directory.
func New(tb testing.TB) *Stack {
	tb.Helper()
	st, err := server.NewInProcess(context.Background(), server.InProcessOptions{
		DataDir: tb.TempDir(), Issuer: Issuer, Now: Now,
		LoginClient: &http.Client{Transport: offline{}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return &Stack{Handler: st.Handler, Tokens: st.Tokens}
}
