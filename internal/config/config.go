package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"

	"sigs.k8s.io/yaml"
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
	Limits Limits `json:"limits"`
	// Storage names the backend; --store overrides it.
	Storage Storage `json:"storage"`
	// Server bounds the HTTP server: requests in flight, shutdown.
	Server Server `json:"server"`
	// RateLimits throttles operations per account; nothing by default.
	RateLimits RateLimits `json:"rateLimits"`
	// Lifetimes shortens vended credentials and tokens for testing (off
	// unless enabled).
	Lifetimes Lifetimes `json:"lifetimes"`
	// TestIssuer makes idpool a test identity provider outside
	// development mode (idpool login mint; off unless enabled).
	TestIssuer TestIssuer `json:"testIssuer"`
	// Console serves the web console at /console/ outside development
	// mode (off unless enabled; always on in development mode).
	Console Console `json:"console"`
	// STS is where credentials come from (embedded unless an endpoint).
	STS STS `json:"sts"`
	// Providers are where login tokens are verified.
	Providers Providers `json:"providers"`
	// Keys are the signing keys' rotation and the key of secrets at rest.
	Keys Keys `json:"keys"`
	// Faults are fault rules in force from the start.
	Faults []FaultRule `json:"faults,omitempty"`
	// Traces keeps decision traces; on in development mode, off with a
	// config file unless enabled.
	Traces Traces `json:"traces"`
}

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
