package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/config"
	"github.com/idpool/idpool/internal/console"
	"github.com/idpool/idpool/internal/faults"
	"github.com/idpool/idpool/internal/iamquery"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/model"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/sealbox"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/backends"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/stsquery"
	"github.com/idpool/idpool/internal/tokens"
	"github.com/idpool/idpool/internal/traces"
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
	tokens  *tokens.Service
	// draining turns /healthz to 503 once a graceful shutdown has begun.
	draining atomic.Bool
}

// settings are the resolved inputs of build: flags over the config file.
type settings struct {
	cfg     *config.Config
	dev     bool
	spec    string
	dataDir string
	issuer  string

	// In-process compositions (the fuzz targets, NewInProcess) set these;
	// serve leaves them zero.
	now         func() time.Time // the clock; time.Now when nil
	loginClient *http.Client     // the login verifier's client; the default when nil
	synchronous string           // SQLite's sync level; FULL when empty
}

// clock is the composition's clock.
func (s settings) clock() func() time.Time {
	if s.now != nil {
		return s.now
	}
	return time.Now
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
		s.cfg = c
	}
	// The flags win over the file; the result is checked as a whole.
	s.cfg.STS = s.cfg.STS.Over(config.STS{Endpoint: o.STSEndpoint, Kind: o.STSKind, RoleARNPattern: o.STSRoleARNPattern, Timeout: o.STSTimeout})
	if err := s.cfg.Validate(checks()...); err != nil {
		source := "the --sts-* flags"
		if o.ConfigFile != "" {
			source = "config " + o.ConfigFile
		}
		return s, &configError{source: source, problems: unjoin(err)}
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
		s.issuer = defaultIssuer(addr)
	}
	return s, nil
}

// build opens the store and composes the handler.
func build(ctx context.Context, s settings, log *slog.Logger) (*app, error) {
	now := s.clock()
	bopts := backends.Options{Spec: s.spec, DataDir: s.dataDir, Logger: log, Synchronous: s.synchronous}
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
	fail := func(err error) (*app, error) {
		store.Close()
		return nil, err
	}

	// Identity logic: the token issuer, the login verifier and the STS.
	encKey, keySource, err := encryptionKey(s.cfg.Keys, os.Getenv(sealbox.EnvKey))
	if err != nil {
		return fail(err)
	}
	sealed, err := sealSecrets(ctx, store, encKey, keySource, s.dev, log)
	if err != nil {
		return fail(err)
	}
	store = sealed
	health := newStoreHealth(store, log)
	store = health
	tok, err := tokens.New(ctx, tokens.Config{Store: store, Issuer: s.issuer, Rotation: s.cfg.Keys.RotationPeriod(), EncryptionKey: encKey, Now: now, Logger: log})
	if err != nil {
		return fail(err)
	}
	lcfg := logins.Config{Tokens: tok, HTTPClient: s.loginClient, Now: now, Logger: log}
	applyProviders(s.cfg.Providers, &lcfg)
	if s.dev || s.cfg.TestIssuer.Enabled {
		lcfg.TestIssuer = logins.NewTestIssuer(now)
		if !s.dev {
			log.Warn("the test issuer is on (testIssuer.enabled): logins minted by idpool login mint are accepted")
		}
	}
	loginVerifier := logins.New(lcfg)
	var minter identity.LoginMinter
	if lcfg.TestIssuer != nil {
		minter = loginVerifier
	}
	stsSvc, err := sts.New(ctx, sts.Config{Store: store, Tokens: tok, Logins: loginVerifier, Issuer: s.issuer,
		DevTrustUnknownRoles: s.dev, ShortDurations: s.dev || s.cfg.Lifetimes.Enabled, Now: now, Logger: log})
	if err != nil {
		return fail(err)
	}
	var vendor identity.CredentialVendor = stsSvc
	stsCfg := s.cfg.STS
	ext, roleARNs, err := externalSTS(stsCfg, log)
	if err != nil {
		return fail(err)
	}
	if ext != nil {
		vendor = ext
		log.Info("credentials come from an external STS", "endpoint", stsCfg.Endpoint, "kind", firstNonEmpty(stsCfg.Kind, string(sts.KindAWS)),
			"role_arn_pattern", stsCfg.RoleARNPattern)
	}

	// One verifier for both protocols: account keys, then vended credentials.
	keyring := auth.Chain{auth.NewStatic(authAccounts(s.cfg)), stsSvc.Keyring()}
	verifier := &sigv4.Verifier{Keyring: keyring, Now: now, Regions: answersRegion(s.cfg.Regions)}

	pages, err := pagination.Open(ctx, store)
	if err != nil {
		return fail(err)
	}
	validator, err := model.Load()
	if err != nil {
		return fail(err)
	}
	opsSvc := ops.New(ops.Config{
		Store:    store,
		Pages:    pages,
		Tokens:   tok,
		Logins:   loginVerifier,
		STS:      vendor,
		RoleARNs: roleARNs,
		Limits:   ops.Limits(s.cfg.Limits),
		Now:      now,
		Logger:   log,
		DevMode:  s.dev,
		Validate: validator.Validate,
		// Short lifetimes: development mode, or enabled in the config.
		ShortLifetimes: s.dev || s.cfg.Lifetimes.Enabled,
		Lifetimes:      lifetimes(s.cfg.Lifetimes),
		Minter:         minter,
	})
	operations := opsSvc.Operations()

	iamSvc, err := iamquery.New(iamquery.Config{Store: store, Issuer: s.issuer, Now: now, Logger: log, Pages: pages})
	if err != nil {
		return fail(err)
	}
	extra := map[string]http.Handler{}
	wellKnown := tok.Handler()
	for _, p := range tok.Paths() {
		extra[p] = wellKnown
	}
	if lcfg.TestIssuer != nil {
		for _, a := range s.cfg.Accounts {
			for p, h := range lcfg.TestIssuer.Handlers(s.issuer, a.ID) {
				extra[p] = h
			}
		}
	}

	mountConsole(extra, s.dev || s.cfg.Console.Enabled)

	a := &app{store: store, tokens: tok}
	limiter, met, err := overload(s.cfg, operations, now)
	if err != nil {
		return fail(err)
	}
	health.met.Store(met)
	if met != nil {
		met.TrackStorage(health.writable)
		if ext != nil {
			ext.Observe(met)
		}
		loginVerifier.Observe(met)
	}
	injector, err := faultInjector(s.cfg, store, met, log, now)
	if err != nil {
		return fail(err)
	}
	keeper := traces.New(traceConfig(s.cfg.Traces), now)
	hooks := []wire.Hook{injector}
	if s.cfg.Traces.On(s.dev) {
		// First, so a call answered by an injected fault is traced too.
		hooks = []wire.Hook{keeper, injector}
	}
	a.handler = wire.New(wire.Config{
		Operations:    operations,
		Extensions:    append(append(opsSvc.Extensions(), injector.Extensions()...), keeper.Extensions()...),
		Validator:     validator,
		Verifier:      verifier,
		QueryServices: []awsquery.Service{stsquery.New(stsSvc, store), iamSvc},
		Extra:         extra,
		Reset:         reset,
		Logger:        log,
		Now:           now,
		RateLimits:    limiter,
		MaxInFlight:   s.cfg.Server.InFlightLimit(),
		Metrics:       met,
		Draining:      a.draining.Load,
		Degraded:      health.Condition,
		Hooks:         hooks,
	})
	return a, nil
}

// mountConsole adds the web console's paths to extra: its files when on,
// 404s when off (so /console/ is not answered as an API call either).
func mountConsole(extra map[string]http.Handler, on bool) {
	c := console.New()
	var h http.Handler = c
	if !on {
		h = http.HandlerFunc(console.Disabled)
	}
	for _, p := range c.Paths() {
		extra[p] = h
	}
}

// faultInjector builds the fault rules' hook with the config file's rules.
// Unsigned calls belong to their pool's account, found with one read.
func faultInjector(cfg *config.Config, store storage.Store, met *metrics.Metrics, log *slog.Logger, now func() time.Time) (*faults.Injector, error) {
	lookup := func(ctx context.Context, poolID, identityID string) (string, string, bool) {
		var account, pool string
		err := store.View(ctx, func(r storage.Reader) error {
			if poolID == "" {
				id, err := r.GetIdentity(identityID)
				if err != nil {
					return err
				}
				poolID = id.PoolID
			}
			p, err := r.GetPool(poolID)
			if err != nil {
				return err
			}
			account, pool = p.AccountID, p.ID
			return nil
		})
		return account, pool, err == nil
	}
	in := faults.New(faults.Config{Lookup: lookup, Metrics: met, Logger: log, Now: now})
	if err := in.Load(faultRules(cfg)); err != nil {
		return nil, fmt.Errorf("config %w", err)
	}
	return in, nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// answersRegion is the verifier's region rule for the configured regions:
// nil (every region) when none are; else those, and for IAM, whose
// global endpoint AWS signs for us-east-1, us-east-1 as well. [inf] SDKs
// pointed at a custom endpoint sign IAM with the client's region, so IAM
// takes the configured regions too rather than us-east-1 alone.
func answersRegion(regions []string) func(service, region string) bool {
	if len(regions) == 0 {
		return nil
	}
	return func(service, region string) bool {
		return slices.Contains(regions, region) || (service == "iam" && region == "us-east-1")
	}
}
