// Package fuzzstack composes idpool's services as server.build does, in
// process, on a SQLite file, with identity providers unreachable, for the
// fuzz targets of the front ends (internal/wire, internal/awsquery): both
// must meet hostile input with the real stack behind them.
package fuzzstack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iamquery"
	"github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/model"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/stsquery"
	"github.com/idpool/idpool/internal/tokens"
	"github.com/idpool/idpool/internal/wire"
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
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL", Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	tok, err := tokens.New(ctx, tokens.Config{Store: store, Issuer: Issuer, Now: Now, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	lv := logins.New(logins.Config{Tokens: tok, HTTPClient: &http.Client{Transport: offline{}}, Now: Now, Logger: log})
	pages, err := pagination.Open(ctx, store)
	if err != nil {
		tb.Fatal(err)
	}
	stsSvc, err := sts.New(ctx, sts.Config{Store: store, Tokens: tok, Logins: lv, Issuer: Issuer, DevTrustUnknownRoles: true, Now: Now, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	iamSvc, err := iamquery.New(iamquery.Config{Store: store, Issuer: Issuer, Now: Now, Logger: log, Pages: pages})
	if err != nil {
		tb.Fatal(err)
	}
	keyring := auth.Chain{auth.NewStatic([]auth.Account{{ID: "000000000000", Keys: map[string]string{"test": "test"}}}), stsSvc.Keyring()}
	verifier := &sigv4.Verifier{Keyring: keyring, Now: Now}
	validator, err := model.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return &Stack{
		Handler: wire.New(wire.Config{
			Operations:    ops.New(ops.Config{Store: store, Pages: pages, Tokens: tok, Logins: lv, STS: stsSvc, Now: Now, Logger: log}).Operations(),
			Validator:     validator,
			Verifier:      verifier,
			QueryServices: []awsquery.Service{stsquery.New(stsSvc, store), iamSvc},
			Logger:        log,
			Now:           Now,
		}),
		Tokens: tok,
	}
}
