package explain

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

// TestCLIExplain: the idpool binary against a development server (traces
// on by default): --explain prints the trace after the answer on stderr,
// explain --last and explain REQUEST_ID print a call's trace with its
// cause marked, --output json the raw answer, and explain-credentials
// says what GetCredentialsForIdentity would answer.
func TestCLIExplain(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	bin := harness.Binary(t)
	env := append(s.AWSEnv(t), "IDPOOL_ENDPOINT_URL="+s.URL)
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := harness.Run(t, env, bin, args...)
		if code != want {
			t.Fatalf("idpool %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	pool, _ := run(0, "create-identity-pool", "--identity-pool-name", "cli", "--allow-unauthenticated-identities", "--query", "IdentityPoolId", "--output", "text")
	pool = strings.TrimSpace(pool)

	out, errOut := run(0, "get-id", "--identity-pool-id", pool, "--explain")
	var id struct{ IdentityId string }
	if err := json.Unmarshal([]byte(out), &id); err != nil || id.IdentityId == "" {
		t.Fatalf("get-id --explain: stdout is not the answer: %q", out)
	}
	if !strings.Contains(errOut, "GetId at ") || !strings.Contains(errOut, "identity/created") || strings.Contains(errOut, ">>") {
		t.Errorf("get-id --explain: stderr %q", errOut)
	}

	_, errOut = run(254, "get-credentials-for-identity", "--identity-id", id.IdentityId, "--explain")
	answer := "when calling the GetCredentialsForIdentity operation (reached max retries: 0): Invalid identity pool configuration. Check assigned IAM roles for this pool."
	i, j := strings.Index(errOut, answer), strings.Index(errOut, ">> FAIL role/roleSet")
	if i < 0 || j < i {
		t.Errorf("get-credentials-for-identity --explain: want the answer, then the trace with its cause marked:\n%s", errOut)
	}

	out, _ = run(0, "explain", "--last", "--operation", "GetCredentialsForIdentity", "--identity-id", id.IdentityId)
	if !strings.Contains(out, "GetCredentialsForIdentity at ") || !strings.Contains(out, ">> FAIL role/roleSet") || !strings.Contains(out, "roleKind: unauthenticated") {
		t.Errorf("explain --last: %s", out)
	}
	raw, _ := run(0, "explain", "--last", "--output", "json")
	var got struct {
		Trace struct{ RequestId, Operation, Outcome string }
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil || got.Trace.Operation != "GetCredentialsForIdentity" || got.Trace.Outcome != "refused" {
		t.Fatalf("explain --last --output json: %v %s", err, raw)
	}
	out, _ = run(0, "explain", got.Trace.RequestId)
	if !strings.HasPrefix(out, "Trace "+got.Trace.RequestId+": GetCredentialsForIdentity") {
		t.Errorf("explain %s: %s", got.Trace.RequestId, out)
	}
	_, errOut = run(254, "explain", "no-such-request")
	if !strings.Contains(errOut, "ResourceNotFoundException") {
		t.Errorf("explain of an unknown id: %s", errOut)
	}

	out, _ = run(0, "explain-credentials", "--identity-pool-id", pool)
	if !strings.HasPrefix(out, "GetCredentialsForIdentity would be refused: InvalidIdentityPoolConfigurationException") || !strings.Contains(out, ">> FAIL role/roleSet") {
		t.Errorf("explain-credentials: %s", out)
	}
	raw, _ = run(0, "explain-credentials", "--identity-pool-id", pool, "--logins", "login.unknown.example=aaaa.bbbb.cccc", "--output", "json")
	var dry struct {
		Outcome struct {
			Error struct{ Type, Message string }
		}
		Trace Trace
	}
	if err := json.Unmarshal([]byte(raw), &dry); err != nil || dry.Outcome.Error.Type != "NotAuthorizedException" {
		t.Fatalf("explain-credentials --logins: %v %s", err, raw)
	}
	if c := dry.Trace.cause(); c == nil || c.Phase != "login" || c.Check != "provider" {
		t.Errorf("explain-credentials --logins: cause %+v", c)
	}
	out, _ = run(0, "list-identities", "--identity-pool-id", pool, "--max-results", "60", "--query", "length(Identities)", "--output", "text")
	if strings.TrimSpace(out) != "1" {
		t.Errorf("explain-credentials created identities: %s", out)
	}
	help, _ := run(0, "--help")
	for _, c := range []string{"explain ", "explain-credentials "} {
		if !strings.Contains(help, "  "+c) {
			t.Errorf("%q is not on the help screen", c)
		}
	}
}
