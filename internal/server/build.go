package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/config"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/model"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/backends"
	"github.com/idpool/idpool/internal/wire"
)

// Development account of a server started without --config.
const (
	devAccount   = "000000000000"
	devAccessKey = "test"
	devSecretKey = "test"
)

// app is a composed server: its handler and what must be closed after it.
type app struct {
	handler http.Handler
	store   storage.Store
}

// settings are the resolved inputs of build: flags over the config file.
type settings struct {
	cfg     *config.Config
	dev     bool
	spec    string
	dataDir string
	issuer  string
}

// resolve merges flags and the config file. No file means development mode.
func resolve(o Options, addr string) (settings, error) {
	s := settings{cfg: &config.Config{}, dataDir: o.DataDir}
	if o.ConfigFile == "" {
		s.dev = true
		s.cfg.Accounts = []config.Account{{ID: devAccount, Keys: []config.Key{{AccessKeyID: devAccessKey, SecretAccessKey: devSecretKey}}}}
	} else {
		c, err := config.Load(o.ConfigFile)
		if err != nil {
			return s, err
		}
		if err := c.Validate(); err != nil {
			return s, fmt.Errorf("config %s:\n%w", o.ConfigFile, err)
		}
		s.cfg = c
	}
	s.spec = s.cfg.Storage.Spec()
	if o.Store != "" {
		s.spec = o.Store
	}
	s.issuer = s.cfg.Issuer
	if o.Issuer != "" {
		s.issuer = o.Issuer
	}
	if s.issuer == "" {
		s.issuer = "http://" + addr
	}
	return s, nil
}

// build opens the store and composes the handler.
func build(ctx context.Context, s settings, log *slog.Logger) (*app, error) {
	bopts := backends.Options{Spec: s.spec, DataDir: s.dataDir, Logger: log}
	store, err := backends.Open(ctx, bopts)
	if err != nil {
		return nil, err
	}
	var reset func(context.Context) error
	if s.dev {
		if kind, path, err := backends.Resolve(bopts); err == nil && kind == backends.SQLite {
			rs := &resettableStore{inner: store, wipe: func() error { return removeSQLite(path) },
				open: func(ctx context.Context) (storage.Store, error) { return backends.Open(ctx, bopts) }}
			store, reset = rs, rs.Reset
		}
	}
	keyring := auth.Chain{auth.NewStatic(s.cfg.AuthAccounts())}
	// LEAD: the embedded STS's vended-credential keyring joins the chain here.
	verifier := &sigv4.Verifier{Keyring: keyring, Now: time.Now}

	operations := ops.New(ops.Config{
		Store:   store,
		Limits:  s.cfg.Limits,
		Now:     time.Now,
		Logger:  log,
		DevMode: s.dev,
		// LEAD: Tokens (issuer s.issuer), Logins and STS are not wired yet;
		// ops answers the calls that need them with AWS-shaped errors.
		Tokens: nil,
		Logins: nil,
		STS:    nil,
	}).Operations()

	iamSvc, err := iam.New(iam.Config{Store: store, Now: time.Now, Logger: log})
	if err != nil {
		store.Close()
		return nil, err
	}
	query := awsquery.NewHandler(awsquery.HandlerConfig{
		// LEAD: the embedded STS service joins IAM here.
		Services: []awsquery.Service{iamSvc},
		Verifier: verifier,
		Logger:   log,
	})

	validator, err := model.Load()
	if err != nil {
		store.Close()
		return nil, err
	}
	h := wire.New(wire.Config{
		Operations: operations,
		Validator:  validator,
		Verifier:   verifier,
		Query:      query,
		// LEAD: Extra gets the tokens package's /.well-known/jwks_uri and
		// /.well-known/openid-configuration handlers.
		Extra:  map[string]http.Handler{},
		Reset:  reset,
		Logger: log,
		Now:    time.Now,
	})
	return &app{handler: h, store: store}, nil
}
