package server

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/config"
	"github.com/idpool/idpool/internal/faults"
	"github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/ratelimit"
	"github.com/idpool/idpool/internal/sealbox"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/tokens"
	"github.com/idpool/idpool/internal/traces"
)

// The config file's sections are plain data (internal/config); here they
// become the settings of the packages that act on them. checks are the
// rules that need those packages' knowledge, run by config.Validate with
// its own so every problem of the file is reported at once.

// checks are the server's rules on a configuration.
func checks() []config.Check {
	return []config.Check{checkRateLimitNames, checkLifetimes, checkSTS, checkKeys, checkProviders, checkFaults}
}

// checkRateLimitNames: rate limits name operations of the API model.
func checkRateLimitNames(c *config.Config) []error {
	names, err := ratelimit.OperationNames()
	if err != nil {
		return []error{err}
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	var errs []error
	named := c.RateLimits.OperationNames()
	for _, path := range slices.Sorted(maps.Keys(named)) {
		if !known[named[path]] {
			errs = append(errs, fmt.Errorf("%s: not a Cognito Identity operation", path))
		}
	}
	return errs
}

// checkLifetimes: each lifetime within its bounds (ops owns them, for
// SetLifetimes too).
func checkLifetimes(c *config.Config) []error {
	return unjoin(lifetimes(c.Lifetimes).Validate())
}

// checkSTS: the external STS's kind and role ARN pattern.
func checkSTS(c *config.Config) []error {
	if c.STS.Endpoint == "" {
		return nil
	}
	if _, err := sts.RoleARNs(sts.Kind(c.STS.Kind), c.STS.RoleARNPattern); err != nil {
		return []error{fmt.Errorf("sts: %v", err)}
	}
	return nil
}

// checkKeys: the encryption key is a key (never quoted).
func checkKeys(c *config.Config) []error {
	if k := c.Keys.EncryptionKey; k != "" {
		if _, err := sealbox.ParseKey(k); err != nil {
			return []error{fmt.Errorf("keys.encryptionKey: %v", err)}
		}
	}
	return nil
}

// checkProviders: the clock allowance within logins' bound.
func checkProviders(c *config.Config) []error {
	if d := c.Providers.SkewDuration(); d > logins.MaxSkew {
		return []error{fmt.Errorf("providers.skew: %q is more than %v", c.Providers.Skew, logins.MaxSkew)}
	}
	return nil
}

// checkFaults: each fault rule is one the injector takes.
func checkFaults(c *config.Config) []error { return faults.Check(faultRules(c)) }

// configError is a configuration refused by Validate: every problem, each
// on a line of its own when serve prints it.
type configError struct {
	source   string
	problems []error
}

func (e *configError) Error() string {
	lines := make([]string, 0, len(e.problems)+1)
	lines = append(lines, fmt.Sprintf("%s: %d problem(s):", e.source, len(e.problems)))
	for _, p := range e.problems {
		lines = append(lines, "  "+p.Error())
	}
	return strings.Join(lines, "\n")
}

// unjoin splits an errors.Join result back into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// authAccounts returns the accounts for an auth.Static keyring.
func authAccounts(c *config.Config) []auth.Account {
	out := make([]auth.Account, 0, len(c.Accounts))
	for _, a := range c.Accounts {
		keys := make(map[string]string, len(a.Keys))
		for _, k := range a.Keys {
			keys[k.AccessKeyID] = k.SecretAccessKey
		}
		out = append(out, auth.Account{ID: a.ID, Keys: keys})
	}
	return out
}

// accountIDs returns the configured account ids.
func accountIDs(c *config.Config) []string {
	out := make([]string, 0, len(c.Accounts))
	for _, a := range c.Accounts {
		out = append(out, a.ID)
	}
	return out
}

// lifetimes converts the lifetimes section.
func lifetimes(c config.Lifetimes) ops.LifetimesConfig {
	set := func(l config.LifetimeSet) ops.Lifetimes {
		return ops.Lifetimes{Credentials: ops.Duration(l.Credentials), OpenIdToken: ops.Duration(l.OpenIdToken),
			DeveloperToken: ops.Duration(l.DeveloperToken)}
	}
	out := ops.LifetimesConfig{Enabled: c.Enabled, Lifetimes: set(c.LifetimeSet)}
	if c.Pools != nil {
		out.Pools = make(map[string]ops.Lifetimes, len(c.Pools))
		for id, l := range c.Pools {
			out.Pools[id] = set(l)
		}
	}
	return out
}

// applyProviders copies the providers section into a login verifier's config.
func applyProviders(p config.Providers, cfg *logins.Config) {
	cfg.UserPools = logins.UserPoolConfig(p.UserPools)
	cfg.Social = p.Social
	cfg.SAMLRecipients = p.SAMLRecipients
	cfg.FetchTimeout = p.FetchTimeoutDuration()
	cfg.Skew = p.SkewDuration()
}

// faultRules converts the faults section, each rule with its account.
func faultRules(c *config.Config) []faults.ConfigRule {
	out := make([]faults.ConfigRule, 0, len(c.Faults))
	for i, r := range c.Faults {
		out = append(out, faults.ConfigRule{Account: c.FaultAccount(i), Rule: faults.Rule{
			Operation: r.Operation, IdentityPoolId: r.IdentityPoolId, IdentityId: r.IdentityId, Login: r.Login,
			Error: r.Error, Message: r.Message, Latency: faults.Duration(r.Latency), Times: r.Times, Percent: r.Percent,
			StartAfter: faults.Duration(r.StartAfter), ActiveFor: faults.Duration(r.ActiveFor)}})
	}
	return out
}

// traceConfig converts the traces section.
func traceConfig(t config.Traces) traces.Config {
	return traces.Config{PerAccount: t.PerAccount, SampleRate: t.SampleRate}
}

// externalSTS returns the external STS c configures (nil: the embedded one
// vends) and the role ARNs pools may name with it; c has been validated.
func externalSTS(c config.STS, log *slog.Logger) (*sts.External, *regexp.Regexp, error) {
	if c.Endpoint == "" {
		return nil, nil, nil
	}
	roles, err := sts.RoleARNs(sts.Kind(c.Kind), c.RoleARNPattern)
	if err != nil {
		return nil, nil, fmt.Errorf("config sts: %v", err)
	}
	ext, err := sts.NewExternal(sts.ExternalConfig{Endpoint: c.Endpoint, Region: c.Region, Timeout: c.TimeoutDuration(), Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return ext, roles, nil
}

// encryptionKey resolves the key that seals secrets at rest: the config
// file's keys.encryptionKey when set, else env (IDPOOL_ENCRYPTION_KEY). The
// file wins: it is this server's explicit setting (and may itself name the
// variable as ${IDPOOL_ENCRYPTION_KEY}); a variable inherited from a shell
// must not silently replace it. It returns nil when neither is set, and
// where the key came from for the log. Errors never quote the key.
func encryptionKey(k config.Keys, env string) ([]byte, string, error) {
	switch {
	case k.EncryptionKey != "":
		b, err := sealbox.ParseKey(k.EncryptionKey)
		if err != nil {
			return nil, "", fmt.Errorf("config keys.encryptionKey: %v", err)
		}
		return b, "config keys.encryptionKey", nil
	case env != "":
		b, err := sealbox.ParseKey(env)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %v", sealbox.EnvKey, err)
		}
		return b, sealbox.EnvKey, nil
	}
	return nil, "", nil
}

// secretBlobs are the storage blobs that hold secrets.
var secretBlobs = [...]string{tokens.KeyBlob, sts.SessionKeyBlob, pagination.BlobKey}

// sealSecrets returns store with its blobs sealed by key at rest (store
// itself when key is nil), after sealing secret blobs still in the clear
// and checking the sealed ones open (sealbox.Prepare).
func sealSecrets(ctx context.Context, store storage.Store, key []byte, source string, dev bool, log *slog.Logger) (storage.Store, error) {
	var box *sealbox.Box
	if key != nil {
		var err error
		if box, err = sealbox.New(key); err != nil {
			return nil, err
		}
	}
	sealed, err := sealbox.Prepare(ctx, store, box, secretBlobs[:]...)
	if err != nil {
		return nil, err
	}
	if len(sealed) > 0 {
		log.Info("sealed secrets that were stored unencrypted", "blobs", sealed)
	}
	if box == nil {
		if !dev {
			log.Warn("no encryption key (keys.encryptionKey or " + sealbox.EnvKey + "): signing keys and other secrets are stored unencrypted")
		}
		return store, nil
	}
	log.Info("secrets are encrypted at rest", "key", source)
	return sealbox.Wrap(store, box), nil
}
