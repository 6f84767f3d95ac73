package core

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

// TestCLIExamples runs issue 2's aws CLI examples against a real server.
func TestCLIExamples(t *testing.T) {
	aws := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	s := harness.Start(t, harness.Options{})
	env := s.AWSEnv(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := harness.Run(t, env, aws, append([]string{"cognito-identity", "--endpoint-url", s.URL, "--output", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		var m map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		return m
	}
	created := run("create-identity-pool", "--identity-pool-name", "cli_pool", "--allow-unauthenticated-identities")
	id, _ := created["IdentityPoolId"].(string)
	if !strings.HasPrefix(id, "us-east-1:") || created["AllowUnauthenticatedIdentities"] != true {
		t.Fatalf("create: %v", created)
	}
	list := run("list-identity-pools", "--max-results", "20")
	pools, _ := list["IdentityPools"].([]any)
	if len(pools) != 1 {
		t.Fatalf("list: %v", list)
	}
	if d := run("describe-identity-pool", "--identity-pool-id", id); d["IdentityPoolName"] != "cli_pool" {
		t.Fatalf("describe: %v", d)
	}
	if g := run("get-id", "--identity-pool-id", id); !strings.HasPrefix(g["IdentityId"].(string), "us-east-1:") {
		t.Fatalf("get-id: %v", g)
	}
	run("delete-identity-pool", "--identity-pool-id", id)
	_, errOut, code := harness.Run(t, env, aws, "cognito-identity", "--endpoint-url", s.URL, "describe-identity-pool", "--identity-pool-id", id)
	if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") {
		t.Fatalf("describe after delete: exit %d %s", code, errOut)
	}
}
