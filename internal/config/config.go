package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"

	"sigs.k8s.io/yaml"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/ratelimit"
)

// Config is the whole configuration file.
type Config struct {
	// Issuer is the public URL tokens name as iss (default http://ADDR).
	Issuer string `json:"issuer,omitempty"`
	// Accounts are the AWS accounts and their long-term keys. Configuring
	// any turns the development account (test/test) off.
	Accounts []Account `json:"accounts,omitempty"`
	// Regions are the regions the server answers, as AWS's regional
	// endpoints each answer their own: a request signed for another gets
	// AWS's "Credential should be scoped to a valid region" error (IAM,
	// global, also takes us-east-1). Empty: every region, each its own
	// view of the pools.
	Regions []string `json:"regions,omitempty"`
	// Limits are the service quotas; zero keeps AWS's default.
	Limits ops.Limits `json:"limits"`
	// Storage names the backend; --store overrides it.
	Storage Storage `json:"storage"`
	// Server bounds the HTTP server: requests in flight, shutdown.
	Server Server `json:"server"`
	// RateLimits throttles operations per account; nothing by default.
	RateLimits ratelimit.Config `json:"rateLimits"`
	// Lifetimes shortens vended credentials and tokens for testing (off
	// unless enabled).
	Lifetimes ops.LifetimesConfig `json:"lifetimes"`
	// TestIssuer makes idpool a test identity provider outside
	// development mode (idpool login mint; off unless enabled).
	TestIssuer TestIssuer `json:"testIssuer"`
	// Console serves the web console at /console/ outside development
	// mode (off unless enabled; always on in development mode).
	Console Console `json:"console"`

	// Sections owned by later work, decoded by their packages.
	STS       json.RawMessage `json:"sts,omitempty"`
	Providers json.RawMessage `json:"providers,omitempty"`
	Keys      json.RawMessage `json:"keys,omitempty"`
	// Faults are fault rules in force from the start (internal/faults).
	Faults json.RawMessage `json:"faults,omitempty"`
	// Traces keeps decision traces (internal/traces): enabled, perAccount,
	// sampleRate; on in development mode, off with a config file unless enabled.
	Traces json.RawMessage `json:"traces,omitempty"`
}

// TestIssuer is the testIssuer section.
type TestIssuer struct {
	// Enabled turns the test issuer on in production mode (a config
	// file): logins minted by this server verify here.
	Enabled bool `json:"enabled,omitempty"`
}

// Console is the console section.
type Console struct {
	// Enabled serves the web console (static files; every datum it shows
	// comes from calls the browser signs with an account's keys).
	Enabled bool `json:"enabled,omitempty"`
}

// Account is one AWS account.
type Account struct {
	ID   string `json:"id"`
	Keys []Key  `json:"keys"`
}

// Key is a long-term access key.
type Key struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Storage selects the storage backend.
type Storage struct {
	// Type is "sqlite" (default) or "postgres".
	Type string `json:"type,omitempty"`
	// URL is a SQLite path or a postgres:// connection string.
	URL string `json:"url,omitempty"`
}

// Spec returns the storage spec backends.Open understands ("" = default).
func (s Storage) Spec() string { return s.URL }

// Load reads and decodes the file at path, expanding ${VAR} in string
// values from the environment. It does not validate.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(raw, os.LookupEnv)
}

// Parse decodes YAML (or JSON) text strictly; lookup resolves ${VAR}.
func Parse(text []byte, lookup func(string) (string, bool)) (*Config, error) {
	js, err := yaml.YAMLToJSON(text)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var tree any
	if err := json.Unmarshal(js, &tree); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var missing []string
	tree = expand(tree, lookup, &missing)
	if len(missing) > 0 {
		return nil, fmt.Errorf("config: environment variables not set: %v", missing)
	}
	if js, err = json.Marshal(tree); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := &Config{}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// envRef is ${NAME}; a bare $ is left alone, since secrets may contain one.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand replaces ${VAR} in every string of a decoded JSON tree.
func expand(v any, lookup func(string) (string, bool), missing *[]string) any {
	switch t := v.(type) {
	case string:
		return envRef.ReplaceAllStringFunc(t, func(ref string) string {
			name := ref[2 : len(ref)-1]
			val, ok := lookup(name)
			if !ok {
				*missing = append(*missing, name)
			}
			return val
		})
	case map[string]any:
		for k, e := range t {
			t[k] = expand(e, lookup, missing)
		}
	case []any:
		for i, e := range t {
			t[i] = expand(e, lookup, missing)
		}
	}
	return v
}

// AuthAccounts returns the accounts for an auth.Static keyring.
func (c *Config) AuthAccounts() []auth.Account {
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
