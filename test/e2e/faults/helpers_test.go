// Package faults drives a real idpool process with injected faults: real
// clients (the AWS SDKs for Go, Python and JavaScript, the idpool CLI) see
// the errors and latency the rules ask for, retry through them, and the
// store and other accounts are untouched.
package faults

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

// twoAccounts configures account A with the development keys and a
// second account B.
const twoAccounts = `
accounts:
  - id: "000000000000"
    keys:
      - accessKeyId: test
        secretAccessKey: test
  - id: "222222222222"
    keys:
      - accessKeyId: bkey
        secretAccessKey: bsecret
`

// extension calls IdpoolService.<name>, signed with the given keys, and
// returns the status and the decoded body.
func extension(t *testing.T, s *harness.Server, key, secret, name, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "IdpoolService."+name)
	status, b := harness.SignedDo(t, req, []byte(body), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, "cognito-identity")
	var out map[string]any
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatalf("%s: %d %s", name, status, b)
	}
	return status, out
}

// addFault adds a rule for the development account and fails the test
// when it is refused; it returns the rule's id.
func addFault(t *testing.T, s *harness.Server, rule string) string {
	t.Helper()
	status, out := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "AddFault", rule)
	if status != http.StatusOK {
		t.Fatalf("AddFault %s: %d %v", rule, status, out)
	}
	return out["Fault"].(map[string]any)["FaultId"].(string)
}

// metric returns the value of one series of s's GET /metrics (0 when absent).
func metric(t *testing.T, s *harness.Server, series string) float64 {
	t.Helper()
	return harness.Metric(t, s.URL, series)
}

// guestPool creates a pool that lets guests in and has roles, so guests get
// credentials.
func guestPool(t *testing.T, c *cognitoidentity.Client, name string) string {
	t.Helper()
	out, err := c.CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String(name), AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetIdentityPoolRoles(t.Context(), &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: out.IdentityPoolId,
		Roles:          map[string]string{"unauthenticated": "arn:aws:iam::000000000000:role/guest", "authenticated": "arn:aws:iam::000000000000:role/user"},
	}); err != nil {
		t.Fatal(err)
	}
	return *out.IdentityPoolId
}

// jsDir returns test/js with its npm packages, or skips (fails under
// IDPOOL_TEST_REQUIRE_ALL) when they are not installed.
func jsDir(t *testing.T) (node, dir string) {
	t.Helper()
	node = harness.Tool(t, "IDPOOL_TEST_NODE", "node")
	dir = filepath.Join(harness.Root(), "test", "js")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "credential-providers")); err != nil {
		harness.Missing(t, "test/js/node_modules (npm ci; make test runs it)")
	}
	return node, dir
}

// python returns a python with boto3, or skips.
func python(t *testing.T) string {
	t.Helper()
	py := harness.Tool(t, "IDPOOL_TEST_PYTHON", "python3")
	if _, _, code := harness.Run(t, nil, py, "-c", "import boto3"); code != 0 {
		harness.Missing(t, "boto3 for "+py)
	}
	return py
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }
