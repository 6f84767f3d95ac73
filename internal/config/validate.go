package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

var (
	accountID   = regexp.MustCompile(`^[0-9]{12}$`)
	accessKeyID = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)
	// region is what sigv4 accepts as a region name.
	region = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// A Check is a rule on the configuration that needs knowledge this package
// does not hold (the API model, the STS kinds): the composition passes its
// checks to Validate, so their problems are reported with the others.
type Check func(*Config) []error

// Bounds of sts.timeout.
const (
	MinSTSTimeout = 100 * time.Millisecond
	MaxSTSTimeout = 5 * time.Minute
)

// Validate checks the whole configuration, with the checks given, and
// reports every problem at once, each named by its path in the file.
func (c *Config) Validate(checks ...Check) error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	if c.Issuer != "" {
		check(!httpURL(c.Issuer), "issuer %q must be an absolute http(s) URL without query or fragment", c.Issuer)
	}
	for i, r := range c.Regions {
		check(!region.MatchString(r), "regions[%d] %q is not a region name (lower-case letters, digits and dashes)", i, r)
	}
	seenAcct, seenKey := map[string]bool{}, map[string]bool{}
	for i, a := range c.Accounts {
		check(!accountID.MatchString(a.ID), "accounts[%d].id %q must be 12 digits", i, a.ID)
		check(seenAcct[a.ID], "accounts[%d].id %q appears twice", i, a.ID)
		seenAcct[a.ID] = true
		check(len(a.Keys) == 0, "accounts[%d] has no keys", i)
		for j, k := range a.Keys {
			check(!accessKeyID.MatchString(k.AccessKeyID), "accounts[%d].keys[%d].accessKeyId must be 1-128 letters and digits", i, j)
			check(seenKey[k.AccessKeyID], "accounts[%d].keys[%d].accessKeyId %q is used twice", i, j, k.AccessKeyID)
			seenKey[k.AccessKeyID] = true
			check(k.SecretAccessKey == "", "accounts[%d].keys[%d].secretAccessKey is empty", i, j)
		}
	}
	l := c.Limits
	check(l.PoolsPerAccount < 0 || l.TagsPerPool < 0 || l.RoleMappingsPerPool < 0 || l.RulesPerRoleMapping < 0 ||
		l.LoginsPerIdentity < 0 || l.UserPoolProvidersPool < 0, "limits must not be negative")
	switch c.Storage.Type {
	case "", "sqlite", "postgres":
	default:
		check(true, "storage.type %q must be sqlite or postgres", c.Storage.Type)
	}
	check(c.Storage.Type == "postgres" && c.Storage.URL == "", "storage.type postgres needs storage.url")
	check(c.Server.MaxInFlight < 0, "server.maxInFlight must not be negative")
	check(c.Server.DrainTimeout < 0 || c.Server.ShutdownDelay < 0, "server durations must not be negative")
	errs = append(errs, c.RateLimits.problems()...)
	errs = append(errs, c.Lifetimes.problems()...)
	errs = append(errs, c.STS.problems()...)
	errs = append(errs, c.Keys.problems()...)
	errs = append(errs, c.Providers.problems()...)
	errs = append(errs, c.Traces.problems()...)
	errs = append(errs, c.faultProblems()...)
	for _, ch := range checks {
		errs = append(errs, ch(c)...)
	}
	// In the file's order of sections, whoever found them.
	slices.SortStableFunc(errs, func(a, b error) int { return sectionRank(a.Error()) - sectionRank(b.Error()) })
	return errors.Join(errs...)
}

// sections are the top-level keys in the order Config declares them.
var sections = func() []string {
	t := reflect.TypeFor[Config]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}()

// sectionRank is the place of the section a problem names first.
func sectionRank(problem string) int {
	end := strings.IndexAny(problem, "[.: ")
	if end < 0 {
		end = len(problem)
	}
	if i := slices.Index(sections, problem[:end]); i >= 0 {
		return i
	}
	return len(sections)
}

// httpURL reports whether s is an absolute http(s) URL without query or
// fragment.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == ""
}

func (r RateLimits) problems() []error {
	var errs []error
	rate := func(where string, v Rate) {
		if v.RPS < 0 || math.IsNaN(v.RPS) || math.IsInf(v.RPS, 0) || v.Burst < 0 {
			errs = append(errs, fmt.Errorf("rateLimits.%s: rps and burst must be finite and not negative", where))
		}
	}
	ops := func(where string, m map[string]Rate) {
		for _, name := range sortedKeys(m) {
			rate(where+"."+name, m[name])
		}
	}
	if r.Profile != "" && r.Profile != "aws" {
		errs = append(errs, fmt.Errorf("rateLimits.profile %q: want %q or nothing", r.Profile, "aws"))
	}
	rate("default", r.Default)
	ops("operations", r.Operations)
	for _, id := range sortedKeys(r.Accounts) {
		if !accountID.MatchString(id) {
			errs = append(errs, fmt.Errorf("rateLimits.accounts %q: want a 12-digit account id", id))
		}
		rate("accounts."+id+".default", r.Accounts[id].Default)
		ops("accounts."+id+".operations", r.Accounts[id].Operations)
	}
	return errs
}

// OperationNames returns every operation name the rate limits name, each
// with its path in the file, for a check against the API model.
func (r RateLimits) OperationNames() map[string]string {
	out := map[string]string{}
	for name := range r.Operations {
		out["rateLimits.operations."+name] = name
	}
	for id, a := range r.Accounts {
		for name := range a.Operations {
			out["rateLimits.accounts."+id+".operations."+name] = name
		}
	}
	return out
}

func (l Lifetimes) problems() []error {
	if (l.LifetimeSet != LifetimeSet{} || len(l.Pools) > 0) && !l.Enabled {
		return []error{errors.New("lifetimes: short lifetimes are for testing; set lifetimes.enabled: true to use them outside development mode")}
	}
	return nil
}

func (s STS) problems() []error {
	var errs []error
	if s.Endpoint == "" {
		for _, f := range []struct{ name, v string }{{"kind", s.Kind}, {"roleArnPattern", s.RoleARNPattern}, {"timeout", s.Timeout}} {
			if f.v != "" {
				errs = append(errs, fmt.Errorf("sts.%s is set but there is no external STS: set sts.endpoint (or --sts-endpoint)", f.name))
			}
		}
		return errs
	}
	if !httpURL(s.Endpoint) {
		errs = append(errs, fmt.Errorf("sts.endpoint %q: want an absolute http(s) URL", clip(s.Endpoint)))
	}
	if s.Timeout != "" {
		if d, err := time.ParseDuration(s.Timeout); err != nil || d < MinSTSTimeout || d > MaxSTSTimeout {
			errs = append(errs, fmt.Errorf("sts.timeout %q: want a duration from %s to %s", clip(s.Timeout), MinSTSTimeout, MaxSTSTimeout))
		}
	}
	return errs
}

// Over returns s with the fields set in flags replaced (the flags win).
func (s STS) Over(flags STS) STS {
	for _, f := range []struct{ dst, src *string }{
		{&s.Endpoint, &flags.Endpoint}, {&s.Region, &flags.Region}, {&s.Kind, &flags.Kind},
		{&s.RoleARNPattern, &flags.RoleARNPattern}, {&s.Timeout, &flags.Timeout},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	return s
}

// TimeoutDuration returns sts.timeout (0 when unset or bad: Validate says so).
func (s STS) TimeoutDuration() time.Duration { return duration(s.Timeout) }

func (k Keys) problems() []error {
	if k.Rotation != "" {
		if d, err := time.ParseDuration(k.Rotation); err != nil || d < time.Minute {
			return []error{fmt.Errorf("keys.rotation %q: want a duration of at least 1m", clip(k.Rotation))}
		}
	}
	return nil
}

// RotationPeriod returns keys.rotation (0: the default).
func (k Keys) RotationPeriod() time.Duration { return duration(k.Rotation) }

func (p Providers) problems() []error {
	var errs []error
	for _, f := range []struct{ name, v string }{{"fetchTimeout", p.FetchTimeout}, {"skew", p.Skew}} {
		if f.v == "" {
			continue
		}
		if d, err := time.ParseDuration(f.v); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("providers.%s: %q is not a positive duration", f.name, clip(f.v)))
		}
	}
	for name, u := range map[string]string{
		"userPools.checkEndpoint": p.UserPools.CheckEndpoint, "social.google.issuer": p.Social.Google.Issuer,
		"social.google.jwksUrl": p.Social.Google.JWKSURL, "social.apple.issuer": p.Social.Apple.Issuer,
		"social.apple.jwksUrl": p.Social.Apple.JWKSURL, "social.facebookGraphUrl": p.Social.FacebookGraphURL,
		"social.amazonApiUrl": p.Social.AmazonAPIURL, "social.twitterApiUrl": p.Social.TwitterAPIURL,
	} {
		if u != "" && !httpURL(u) {
			errs = append(errs, fmt.Errorf("providers.%s %q: want an absolute http(s) URL", name, clip(u)))
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

// FetchTimeoutDuration returns providers.fetchTimeout (0: the default).
func (p Providers) FetchTimeoutDuration() time.Duration { return duration(p.FetchTimeout) }

// SkewDuration returns providers.skew (0: the default).
func (p Providers) SkewDuration() time.Duration { return duration(p.Skew) }

func (t Traces) problems() []error {
	var errs []error
	if t.PerAccount < 0 || t.PerAccount > 1_000_000 {
		errs = append(errs, fmt.Errorf("traces.perAccount %d: want 1..1000000", t.PerAccount))
	}
	if t.SampleRate < 0 || t.SampleRate > 1 || math.IsNaN(t.SampleRate) {
		errs = append(errs, fmt.Errorf("traces.sampleRate %v: want a share in (0, 1]", t.SampleRate))
	}
	return errs
}

// On reports whether tracing is on, dev being the server's development mode.
func (t Traces) On(dev bool) bool {
	if t.Enabled != nil {
		return *t.Enabled
	}
	return dev
}

// FaultAccount returns the account rule i of the faults section touches:
// its own, or the file's one account when it names none.
func (c *Config) FaultAccount(i int) string {
	if a := c.Faults[i].Account; a != "" || len(c.Accounts) != 1 {
		return a
	}
	return c.Accounts[0].ID
}

func (c *Config) faultProblems() []error {
	var errs []error
	for i := range c.Faults {
		acct := c.FaultAccount(i)
		if !slices.ContainsFunc(c.Accounts, func(a Account) bool { return a.ID == acct }) {
			errs = append(errs, fmt.Errorf("faults[%d].account %q: want one of the configured accounts", i, clip(acct)))
		}
	}
	return errs
}

// duration parses a duration Validate has checked (0 when unset).
func duration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}

// clip bounds a value quoted back from the file.
func clip(s string) string {
	if len(s) > 128 {
		return s[:128] + "..."
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
