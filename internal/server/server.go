package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Timeouts and limits of the HTTP server. Requests are small and quick; the
// bounds keep slow or hostile clients from holding connections.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// drainTimeout bounds how long shutdown waits for requests in flight.
	drainTimeout = 20 * time.Second
)

// Main runs "idpool serve" with args (after "serve") and returns the exit code.
func Main(args []string) int {
	o, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	log, err := newLogger(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idpool serve:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, o, log); err != nil {
		log.Error("idpool serve failed", "err", err)
		return 1
	}
	return 0
}

// run serves until ctx ends, then drains requests in flight and closes the store.
func run(ctx context.Context, o Options, log *slog.Logger) error {
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	s, err := resolve(o, ln.Addr().String())
	if err != nil {
		return err
	}
	if s.dev {
		log.Warn("DEVELOPMENT MODE: no --config given; account " + devAccount + " with access key \"test\" and secret \"test\" is enabled and POST /_idpool/reset deletes all data. Do not use this setup in production.")
	}
	a, err := build(ctx, s, log)
	if err != nil {
		return err
	}
	if o.PprofAddr != "" {
		stopPprof, err := startPprof(o.PprofAddr, log)
		if err != nil {
			a.store.Close()
			return err
		}
		defer stopPprof()
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Logged before Serve: the socket is bound already, and readiness probes
	// must not see an answer before this line.
	log.Info("listening", "addr", ln.Addr().String(), "issuer", s.issuer)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: draining requests in flight")
	case serveErr = <-served:
	}
	dctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	shutErr := srv.Shutdown(dctx)
	closeErr := a.store.Close()
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	if err := errors.Join(serveErr, shutErr, closeErr); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
