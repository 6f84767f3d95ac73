package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/idpool/idpool/internal/tokens"
)

// InProcess is a development server composed exactly as serve composes one
// (build), without a listener: for callers that drive the handler in
// process, such as the fuzz targets of the front ends.
type InProcess struct {
	// Handler is what serve answers with on its port.
	Handler http.Handler
	// Tokens issues the server's OpenID tokens.
	Tokens *tokens.Service
	// Close releases the store.
	Close func() error
}

// InProcessOptions are what an in-process caller may set. Everything else
// is development mode's defaults, as with `idpool serve` and no --config.
type InProcessOptions struct {
	DataDir string // SQLite's directory
	Issuer  string
	// Now is the clock (time.Now when nil); a fixed one makes signed seeds
	// replayable.
	Now func() time.Time
	// LoginClient fetches identity providers' keys (the default client when
	// nil); the fuzz targets give one that reaches nothing.
	LoginClient *http.Client
	Logger      *slog.Logger
}

// NewInProcess composes a development server over SQLite in o.DataDir.
// SQLite runs with synchronous=NORMAL: nothing here must survive a crash.
func NewInProcess(ctx context.Context, o InProcessOptions) (*InProcess, error) {
	s, err := resolve(Options{DataDir: o.DataDir, Issuer: o.Issuer}, "127.0.0.1:9350")
	if err != nil {
		return nil, err
	}
	s.now, s.loginClient, s.synchronous = o.Now, o.LoginClient, "NORMAL"
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := build(ctx, s, log)
	if err != nil {
		return nil, err
	}
	return &InProcess{Handler: a.handler, Tokens: a.tokens, Close: a.store.Close}, nil
}
