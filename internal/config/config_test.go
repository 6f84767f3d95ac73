package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/config"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseExpandsSecrets(t *testing.T) {
	c, err := config.Parse([]byte(`
issuer: https://id.example.com
accounts:
  - id: "123456789012"
    keys:
      - accessKeyId: AKIAEXAMPLE
        secretAccessKey: ${IDPOOL_SECRET}
limits:
  poolsPerAccount: 5
storage:
  type: postgres
  url: postgres://idpool:${PGPASS}@db/idpool
sts:
  endpoint: http://minio.internal:9000
  kind: minio
`), env(map[string]string{"IDPOOL_SECRET": "s3cr$t: x", "PGPASS": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.Accounts[0].Keys[0].SecretAccessKey; got != "s3cr$t: x" {
		t.Errorf("secret = %q", got)
	}
	if c.Storage.Spec() != "postgres://idpool:pw@db/idpool" || c.Limits.PoolsPerAccount != 5 || c.STS.Kind != "minio" {
		t.Errorf("config = %+v", c)
	}
}

func TestParseRefuses(t *testing.T) {
	cases := map[string]string{
		"an unknown key":           "acounts: []",
		"an unknown sts key":       "sts: {mode: embedded}",
		"an unknown providers key": "providers: {userPool: {}}",
		"an unknown traces key":    "traces: {enable: true}",
		"an unknown fault key":     "faults: [{operation: GetId, eror: X}]",
		"a bad fault latency":      "faults: [{operation: GetId, latency: soon}]",
		"an unset variable":        "issuer: ${NOPE}",
		"a type mismatch":          "accounts: yes",
		"YAML that is broken":      "accounts: [",
	}
	for name, text := range cases {
		t.Run("with "+name, func(t *testing.T) {
			if _, err := config.Parse([]byte(text), env(nil)); err == nil {
				t.Fatal("parsed")
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c, err := config.Parse([]byte(`
issuer: "ftp://x"
accounts:
  - id: "12"
    keys: [{accessKeyId: "a b", secretAccessKey: ""}]
  - id: "12"
    keys: []
limits: {tagsPerPool: -1}
storage: {type: mysql}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("valid")
	}
	for _, want := range []string{"issuer", "must be 12 digits", "appears twice", "has no keys", "accessKeyId must be", "secretAccessKey is empty", "negative", "storage.type"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// Every section's problems come out of one Validate, with the problems of
// the checks handed to it.
func TestValidateReportsEverySection(t *testing.T) {
	c, err := config.Parse([]byte(`
issuer: https://id.example.com?x=1
accounts: [{id: "111122223333", keys: [{accessKeyId: AKIA1, secretAccessKey: s}]}]
regions: [US_EAST]
limits: {poolsPerAccount: -1}
server: {maxInFlight: -2}
rateLimits:
  profile: gcp
  default: {rps: -1}
  operations: {GetId: {rps: 1, burst: -2}}
  accounts: {"12": {}}
lifetimes: {credentials: 30s}
sts: {kind: minio, timeout: 3s}
keys: {rotation: 30s}
providers: {skew: soon, fetchTimeout: -1s, social: {google: {issuer: "accounts.google.com"}}}
traces: {perAccount: -5, sampleRate: 1.5}
faults:
  - {account: "999999999999", operation: GetId}
  - {operation: GetId}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = c.Validate(func(got *config.Config) []error {
		checked++
		if got != c {
			t.Error("a check got another config")
		}
		return []error{errors.New("from a check")}
	})
	if err == nil {
		t.Fatal("valid")
	}
	for _, want := range []string{"issuer", "regions[0]", "limits must not be negative", "server.maxInFlight",
		`rateLimits.profile "gcp"`, "rateLimits.default", "rateLimits.operations.GetId", `rateLimits.accounts "12"`,
		"set lifetimes.enabled: true", "sts.kind is set but there is no external STS", "sts.timeout is set",
		`keys.rotation "30s"`, "providers.skew", "providers.fetchTimeout", "providers.social.google.issuer",
		"traces.perAccount", "traces.sampleRate", `faults[0].account "999999999999"`, "from a check"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "faults[1]") {
		t.Errorf("a rule without an account is the one account's:\n%v", err)
	}
	if checked != 1 {
		t.Errorf("the check ran %d times", checked)
	}
	if c.FaultAccount(1) != "111122223333" {
		t.Errorf("fault account = %q", c.FaultAccount(1))
	}
}

// A valid file of every section validates, and its durations read back.
func TestValidSections(t *testing.T) {
	c, err := config.Parse([]byte(`
accounts: [{id: "111122223333", keys: [{accessKeyId: AKIA1, secretAccessKey: s}]}]
lifetimes: {enabled: true, credentials: 30s, pools: {"us-east-1:x": {openIdToken: 15s}}}
sts: {endpoint: http://127.0.0.1:9000, kind: minio, timeout: 1500ms}
keys: {rotation: 1h}
providers: {skew: 30s, fetchTimeout: 3s, userPools: {issuerTemplate: "http://127.0.0.1:9229/{pool}"}}
traces: {enabled: false, perAccount: 10, sampleRate: 0.5}
faults: [{operation: GetId, error: TooManyRequestsException, latency: 250ms}]
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.STS.TimeoutDuration() != 1500*time.Millisecond || c.Keys.RotationPeriod() != time.Hour ||
		c.Providers.SkewDuration() != 30*time.Second || c.Providers.FetchTimeoutDuration() != 3*time.Second ||
		time.Duration(c.Lifetimes.Credentials) != 30*time.Second || time.Duration(c.Lifetimes.Pools["us-east-1:x"].OpenIdToken) != 15*time.Second ||
		time.Duration(c.Faults[0].Latency) != 250*time.Millisecond || c.Traces.On(true) {
		t.Errorf("config = %+v", c)
	}
	var none config.Traces
	if !none.On(true) || none.On(false) {
		t.Error("traces: on in development mode, off with a config file")
	}
}
