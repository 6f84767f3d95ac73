package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
)

var (
	accountID   = regexp.MustCompile(`^[0-9]{12}$`)
	accessKeyID = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)
	// region is what sigv4 accepts as a region name.
	region = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// Validate checks the whole configuration and reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	if c.Issuer != "" {
		u, err := url.Parse(c.Issuer)
		check(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "",
			"issuer %q must be an absolute http(s) URL without query or fragment", c.Issuer)
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
	if err := c.RateLimits.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Lifetimes.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
