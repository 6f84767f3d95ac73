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

	"github.com/idpool/idpool/internal/config"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/ratelimit"
)

// Timeouts and limits of the HTTP server. Requests are small and quick; the
// bounds keep slow or hostile clients from holding connections.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// Main runs "idpool serve" with args (after "serve") and returns the exit code.
func Main(args []string) int {
	o, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(Usage())
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
	tuneGC(os.LookupEnv)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// After the first signal the default action returns, so a second
	// SIGTERM or Ctrl-C ends a drain that takes too long at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, o, log); err != nil {
		// A refused configuration is read by a person: one problem a line.
		var ce *configError
		if errors.As(err, &ce) {
			log.Error("idpool serve: the configuration is refused", "source", ce.source, "problems", len(ce.problems))
			fmt.Fprintln(os.Stderr, "idpool serve:", ce)
			return 1
		}
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
	if w := containerWarning(s.dev, ln.Addr().String(), os.LookupEnv, fileExists); w != "" {
		log.Warn(w)
	}
	a, err := build(ctx, s, log)
	if err != nil {
		return err
	}
	if o.Seed != "" {
		if err := seed(ctx, a, s, o.Seed, log); err != nil {
			a.store.Close()
			return err
		}
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
	if s.dev || s.cfg.Console.Enabled {
		log.Info("web console", "url", "http://"+probeAddr(ln.Addr().String())+"/console/")
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		serveErr = drain(srv, a, s.cfg.Server, served, log)
	case serveErr = <-served:
	}
	shutErr := shutdown(srv, s.cfg.Server.Drain(), log)
	closeErr := a.store.Close() // last: requests in flight may still use it
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	if err := errors.Join(serveErr, shutErr, closeErr); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// drain begins a graceful shutdown: /healthz answers 503 from now on, and
// for cfg.ShutdownDelay the server keeps accepting so load balancers see
// the 503 and move traffic away before the port closes.
func drain(srv *http.Server, a *app, cfg config.Server, served <-chan error, log *slog.Logger) error {
	a.draining.Store(true)
	delay := time.Duration(cfg.ShutdownDelay)
	log.Info("shutting down: draining requests in flight", "shutdown_delay", delay, "drain_timeout", cfg.Drain())
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case err := <-served:
		return err
	}
}

// shutdown closes the listener (new connections are refused) and waits up
// to timeout for requests in flight; those still running then are cut off.
func shutdown(srv *http.Server, timeout time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("drain timeout passed: closing connections with requests still in flight", "drain_timeout", timeout)
		_ = srv.Close()
	}
	return err
}

// overload builds the rate limiter and the metrics from the config file.
func overload(cfg *config.Config, operations []ops.Operation, now func() time.Time) (*ratelimit.Limiter, *metrics.Metrics, error) {
	limiter, err := ratelimit.New(cfg.RateLimits, accountIDs(cfg), now)
	if err != nil {
		return nil, nil, err
	}
	if !cfg.Server.MetricsEnabled() {
		return limiter, nil, nil
	}
	names := make([]string, 0, len(operations))
	for _, op := range operations {
		names = append(names, op.Name)
	}
	return limiter, metrics.New(names), nil
}
