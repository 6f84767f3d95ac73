package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
)

// Short lifetimes let a test see its app refresh credentials and tokens
// within seconds. They are off unless the server is in development mode or
// the config file's lifetimes section says enabled: true; the defaults
// stay AWS's.

// Names of the lifetime extensions (X-Amz-Target IdpoolService.<Name>).
const (
	SetLifetimesName = "SetLifetimes"
	GetLifetimesName = "GetLifetimes"
)

// Upper bounds of the lifetimes: AWS's own (a shorter lifetime is the
// point) and, for the developer token default, TokenDuration's maximum.
const (
	maxCredentialsLifetime = credentialsDuration
	maxOpenIDTokenLifetime = openIDTokenTTL
	maxDeveloperLifetime   = 24 * time.Hour
)

// Duration is a time.Duration written as Go writes one ("30s", "1m30s").
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`want a duration such as "30s"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New(`want a duration such as "30s"`)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Lifetimes are the lifetimes of what a pool vends; zero fields inherit
// (from the account, then the server, then AWS's defaults).
type Lifetimes struct {
	// Credentials of GetCredentialsForIdentity (AWS: 1 hour).
	Credentials Duration `json:"Credentials,omitempty"`
	// OpenIdToken of GetOpenIdToken (AWS: 10 minutes).
	OpenIdToken Duration `json:"OpenIdToken,omitempty"`
	// DeveloperToken is GetOpenIdTokenForDeveloperIdentity's TokenDuration
	// when the call gives none (AWS: 15 minutes).
	DeveloperToken Duration `json:"DeveloperToken,omitempty"`
}

// LifetimesConfig is the config file's lifetimes section.
type LifetimesConfig struct {
	// Enabled allows short lifetimes outside development mode (a config
	// file means production mode): the settings below and SetLifetimes.
	Enabled bool `json:"enabled,omitempty"`
	// The server-wide lifetimes.
	Lifetimes
	// Pools override per pool id.
	Pools map[string]Lifetimes `json:"pools,omitempty"`
}

// Validate reports every lifetime out of its bounds (config.Validate
// checks the rest of the section).
func (c LifetimesConfig) Validate() error {
	var errs []error
	if err := c.Lifetimes.check(); err != nil {
		errs = append(errs, fmt.Errorf("lifetimes: %s", err.Message))
	}
	for _, id := range slices.Sorted(maps.Keys(c.Pools)) {
		if err := c.Pools[id].check(); err != nil {
			errs = append(errs, fmt.Errorf("lifetimes.pools[%q]: %s", id, err.Message))
		}
	}
	return errors.Join(errs...)
}

// check bounds each lifetime: at least a second, at most AWS's.
func (l Lifetimes) check() *apierr.Error {
	for _, f := range []struct {
		name string
		v    Duration
		max  time.Duration
	}{{"credentials", l.Credentials, maxCredentialsLifetime}, {"openIdToken", l.OpenIdToken, maxOpenIDTokenLifetime}, {"developerToken", l.DeveloperToken, maxDeveloperLifetime}} {
		if f.v != 0 && (time.Duration(f.v) < time.Second || time.Duration(f.v) > f.max) {
			return apierr.New(apierr.Validation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be between 1s and %s",
				time.Duration(f.v), f.name, f.max)
		}
	}
	return nil
}

// over returns l with its zero fields taken from base.
func (l Lifetimes) over(base Lifetimes) Lifetimes {
	if l.Credentials == 0 {
		l.Credentials = base.Credentials
	}
	if l.OpenIdToken == 0 {
		l.OpenIdToken = base.OpenIdToken
	}
	if l.DeveloperToken == 0 {
		l.DeveloperToken = base.DeveloperToken
	}
	return l
}

// lifetimeTable holds the configured and run-time lifetimes.
type lifetimeTable struct {
	enabled bool
	config  LifetimesConfig
	mu      sync.Mutex
	// accounts and pools are set at run time (SetLifetimes).
	accounts map[string]Lifetimes
	pools    map[string]Lifetimes
}

// awsLifetimes are AWS's defaults.
var awsLifetimes = Lifetimes{Credentials: Duration(credentialsDuration), OpenIdToken: Duration(openIDTokenTTL), DeveloperToken: Duration(developerTokenTTL)}

// lifetimes returns the lifetimes in force for a pool of account.
func (s *Service) lifetimes(account, pool string) Lifetimes {
	t := s.life
	if t == nil || !t.enabled {
		return awsLifetimes
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pools[pool].over(t.config.Pools[pool]).over(t.accounts[account]).over(t.config.Lifetimes).over(awsLifetimes)
}

type setLifetimesInput struct {
	// IdentityPoolId sets one pool's lifetimes; absent: the caller's
	// account's (all its pools without their own).
	IdentityPoolId string `json:"IdentityPoolId,omitempty"`
	Lifetimes
}

type lifetimesOutput struct {
	IdentityPoolId string `json:"IdentityPoolId,omitempty"`
	// Lifetimes are those in force after the call (for a pool: its own,
	// then its account's, the server's and AWS's).
	Lifetimes Lifetimes `json:"Lifetimes"`
}

// errLifetimesOff refuses the lifetime extensions outside development mode
// when the config file does not enable them.
var errLifetimesOff = apierr.InvalidParameterf("Short lifetimes are off: they are for testing, in development mode or with lifetimes.enabled: true in the config file.")

// SetLifetimes replaces the run-time lifetimes of one of the caller's
// pools, or of the caller's account; zero fields inherit. It is
// account-scoped: another account's pool is not found.
func (s *Service) SetLifetimes(ctx context.Context, c *auth.Caller, in *setLifetimesInput) (*lifetimesOutput, error) {
	if s.life == nil || !s.life.enabled {
		return nil, errLifetimesOff
	}
	if err := in.Lifetimes.check(); err != nil {
		return nil, err
	}
	if in.IdentityPoolId != "" {
		if _, err := s.readPool(ctx, c, in.IdentityPoolId); err != nil {
			return nil, err
		}
	}
	t := s.life
	t.mu.Lock()
	m, key := t.accounts, c.Account()
	if in.IdentityPoolId != "" {
		m, key = t.pools, in.IdentityPoolId
	}
	if in.Lifetimes == (Lifetimes{}) {
		delete(m, key)
	} else {
		m[key] = in.Lifetimes
	}
	t.mu.Unlock()
	s.log.WarnContext(ctx, "short lifetimes set", "account", c.Account(), "pool", in.IdentityPoolId,
		"credentials", time.Duration(in.Credentials), "open_id_token", time.Duration(in.OpenIdToken), "developer_token", time.Duration(in.DeveloperToken))
	return &lifetimesOutput{IdentityPoolId: in.IdentityPoolId, Lifetimes: s.lifetimes(c.Account(), in.IdentityPoolId)}, nil
}

type getLifetimesInput struct {
	IdentityPoolId string `json:"IdentityPoolId,omitempty"`
}

// GetLifetimes returns the lifetimes in force for one of the caller's
// pools, or for the caller's pools without their own.
func (s *Service) GetLifetimes(ctx context.Context, c *auth.Caller, in *getLifetimesInput) (*lifetimesOutput, error) {
	if in.IdentityPoolId != "" {
		if _, err := s.readPool(ctx, c, in.IdentityPoolId); err != nil {
			return nil, err
		}
	}
	return &lifetimesOutput{IdentityPoolId: in.IdentityPoolId, Lifetimes: s.lifetimes(c.Account(), in.IdentityPoolId)}, nil
}
