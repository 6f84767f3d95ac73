// Package configfile checks "idpool serve --config" as an operator meets
// it: a file with problems in many sections is refused before anything is
// stored, with every problem named at once.
package configfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

// One run of serve names every problem of the file: the schema's own
// (issuer, accounts, rate limits, lifetimes, sts, keys, providers, traces,
// fault accounts) and those that need the API model or another package
// (operation names, lifetime bounds, the STS kind, the encryption key,
// the clock allowance, fault rules' errors), without quoting the key; and
// nothing is written to the data directory.
func TestEveryProblemAtOnce(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := filepath.Join(dir, "idpool.yaml")
	const key = "bm90IGEga2V5" // base64 of 9 bytes, not 32
	if err := os.WriteFile(cfg, []byte(`
issuer: ftp://idpool.example.com
accounts:
  - id: "111122223333"
    keys: [{accessKeyId: AKIAONE, secretAccessKey: "${CONFIGFILE_SECRET}"}]
  - id: "4444"
    keys: []
regions: [Mars]
server: {maxInFlight: -1}
rateLimits:
  profile: gcp
  operations: {GetIdd: {rps: 1}, GetId: {rps: -1}}
lifetimes: {enabled: true, credentials: 2h}
sts: {endpoint: "http://127.0.0.1:1", kind: garage, timeout: 1ms}
keys: {rotation: 1s, encryptionKey: `+key+`}
providers: {skew: 20m, fetchTimeout: soon}
traces: {perAccount: -1, sampleRate: 2}
faults:
  - {account: "999999999999", operation: GetId}
  - {account: "111122223333", operation: GetId, error: NoSuchBucket}
  - {account: "111122223333", operation: GetIdd}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := harness.Run(t, []string{"CONFIGFILE_SECRET=s3cret"}, harness.Binary(t), "serve",
		"--addr", harness.FreeAddr(t), "--data-dir", data, "--config", cfg)
	if code == 0 {
		t.Fatalf("serve started with a bad file:\n%s", stderr)
	}
	for _, want := range []string{
		`issuer "ftp://idpool.example.com"`, `accounts[1].id "4444" must be 12 digits`, "accounts[1] has no keys",
		`regions[0] "Mars"`, "server.maxInFlight", `rateLimits.profile "gcp"`, "rateLimits.operations.GetId: rps",
		"rateLimits.operations.GetIdd: not a Cognito Identity operation",
		"lifetimes: 1 validation error detected: Value '2h0m0s' at 'credentials'",
		`sts.timeout "1ms"`, `unknown STS kind "garage"`, `keys.rotation "1s"`, "keys.encryptionKey: want 32 bytes",
		"providers.fetchTimeout", "providers.skew", "traces.perAccount", "traces.sampleRate",
		`faults[0].account "999999999999"`, "faults[1]: 1 validation error detected: Value 'NoSuchBucket' at 'error'",
		"faults[2]: 1 validation error detected: Value 'GetIdd' at 'operation'",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("missing %q in:\n%s", want, stderr)
		}
	}
	// One problem a line, in the file's order of sections, whichever
	// package found it.
	last := -1
	for _, p := range []string{"\n  issuer ", "\n  regions[0]", "\n  rateLimits.operations.GetIdd", "\n  lifetimes: 1 validation",
		"\n  sts: unknown STS kind", "\n  providers.skew", "\n  keys.encryptionKey", "\n  faults[2]", "\n  traces.sampleRate"} {
		i := strings.Index(stderr, p)
		if i <= last {
			t.Errorf("%q is not on a line of its own after the problems of earlier sections:\n%s", p[3:], stderr)
		}
		last = i
	}
	for _, secret := range []string{key, "s3cret"} {
		if strings.Contains(stderr, secret) {
			t.Errorf("stderr quotes the secret %q:\n%s", secret, stderr)
		}
	}
	if entries, err := os.ReadDir(data); err == nil && len(entries) > 0 {
		t.Errorf("a refused configuration wrote %d files to the data directory", len(entries))
	}

	// The same sections, mended, start a server (the problems were the
	// file's, not the test's): Start waits for /healthz.
	harness.Start(t, harness.Options{Env: []string{"CONFIGFILE_SECRET=s3cret"}, Config: `
accounts: [{id: "111122223333", keys: [{accessKeyId: AKIAONE, secretAccessKey: "${CONFIGFILE_SECRET}"}]}]
regions: [us-east-1]
rateLimits: {profile: aws, operations: {GetId: {rps: 100}}}
lifetimes: {enabled: true, credentials: 30m}
keys: {rotation: 24h}
providers: {skew: 1m, fetchTimeout: 3s}
traces: {enabled: true, perAccount: 10, sampleRate: 1}
faults: [{operation: GetId, error: TooManyRequestsException, times: 1}]
`})
}
