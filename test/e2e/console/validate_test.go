package console

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idpool/idpool/test/harness"
)

// cognitoCall posts a raw Cognito Identity request signed with the
// development keys and returns the status and the body.
func cognitoCall(t *testing.T, s *harness.Server, op, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+op)
	return harness.SignedDo(t, req, []byte(body), aws.Credentials{AccessKeyID: harness.DevAccessKey, SecretAccessKey: harness.DevSecretKey}, "cognito-identity")
}

// TestValidationAgreesWithServer runs the console's role mapping checks
// (assets/validate.js, in node) and SetIdentityPoolRoles on the same
// mappings: what the console calls valid the server takes, and what it
// refuses the server refuses, but for a role ARN outside AWS's form, which
// the console only warns about (a server with an external STS takes some).
func TestValidationAgreesWithServer(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	status, created := cognitoCall(t, s, "CreateIdentityPool",
		`{"IdentityPoolName":"validate","AllowUnauthenticatedIdentities":false,"SupportedLoginProviders":{"accounts.google.com":"client-1"}}`)
	if status != http.StatusOK {
		t.Fatalf("CreateIdentityPool: %d %s", status, created)
	}
	var pool struct{ IdentityPoolId string }
	_ = json.Unmarshal([]byte(created), &pool)
	_, described := cognitoCall(t, s, "DescribeIdentityPool", `{"IdentityPoolId":"`+pool.IdentityPoolId+`"}`)

	const arn = "arn:aws:iam::000000000000:role/user"
	rule := func(claim, match, value, role string) string {
		b, _ := json.Marshal(map[string]string{"Claim": claim, "MatchType": match, "Value": value, "RoleARN": role})
		return string(b)
	}
	rules := func(rs ...string) string {
		return `{"accounts.google.com":{"Type":"Rules","AmbiguousRoleResolution":"Deny","RulesConfiguration":{"Rules":[` + strings.Join(rs, ",") + `]}}}`
	}
	many := make([]string, 26)
	for i := range many {
		many[i] = rule("team", "Equals", "blue", arn)
	}
	cases := []struct {
		name, mappings string
		arnWarning     bool // the console warns, the server refuses
	}{
		{"token", `{"accounts.google.com":{"Type":"Token","AmbiguousRoleResolution":"AuthenticatedRole"}}`, false},
		{"rules", rules(rule("team", "Equals", "blue", arn), rule("cognito:groups", "Contains", "admins", arn)), false},
		{"every match type", rules(rule("a", "StartsWith", "b", arn), rule("a", "NotEqual", "b", arn)), false},
		{"no resolution", `{"accounts.google.com":{"Type":"Token"}}`, false},
		{"unknown type", `{"accounts.google.com":{"Type":"Claims","AmbiguousRoleResolution":"Deny"}}`, false},
		{"unknown resolution", `{"accounts.google.com":{"Type":"Token","AmbiguousRoleResolution":"Allow"}}`, false},
		{"rules without a configuration", `{"accounts.google.com":{"Type":"Rules","AmbiguousRoleResolution":"Deny"}}`, false},
		{"no rules", rules(), false},
		{"unknown match type", rules(rule("team", "Is", "blue", arn)), false},
		{"claim with a space", rules(rule("has space", "Equals", "blue", arn)), false},
		{"claim too long", rules(rule(strings.Repeat("c", 65), "Equals", "blue", arn)), false},
		{"empty value", rules(rule("team", "Equals", "", arn)), false},
		{"value too long", rules(rule("team", "Equals", strings.Repeat("v", 129), arn)), false},
		{"26 rules", rules(many...), false},
		{"not a provider of the pool", `{"graph.facebook.com":{"Type":"Token","AmbiguousRoleResolution":"Deny"}}`, false},
		{"role ARN outside AWS's form", rules(rule("team", "Equals", "blue", "arn:minio:iam:::role/x")), true},
	}

	src, err := os.ReadFile(filepath.Join(harness.Root(), "internal", "console", "assets", "validate.js"))
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.mappings
	}
	var checks []struct{ Errors, Warnings []string }
	harness.NodeScript(t, map[string][]byte{"validate.mjs": src}, `import { checkRoleMappings } from "./validate.mjs";
let input = "";
for await (const c of process.stdin) input += c;
const { pool, cases } = JSON.parse(input);
process.stdout.write(JSON.stringify(cases.map((m) => checkRoleMappings(m, pool))));
`, map[string]any{"pool": json.RawMessage(described), "cases": texts}, &checks)
	if len(checks) != len(cases) {
		t.Fatalf("%d checks for %d cases", len(checks), len(cases))
	}
	for i, c := range cases {
		body := `{"IdentityPoolId":"` + pool.IdentityPoolId + `","Roles":{"authenticated":"` + arn + `"},"RoleMappings":` + c.mappings + `}`
		status, answer := cognitoCall(t, s, "SetIdentityPoolRoles", body)
		server, console := status == http.StatusOK, len(checks[i].Errors) == 0
		switch {
		case c.arnWarning:
			if server || !console || len(checks[i].Warnings) == 0 {
				t.Errorf("%s: server %d %s; console %+v (want a warning and a server refusal)", c.name, status, answer, checks[i])
			}
		case server != console:
			t.Errorf("%s: server %d %s; console %+v", c.name, status, answer, checks[i])
		}
	}
}
