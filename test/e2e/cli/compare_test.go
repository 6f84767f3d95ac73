package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

// cliEnv is an isolated environment for both CLIs: development keys, no
// user config, a fixed time zone so timestamps print the same offset.
func cliEnv(t *testing.T, extra ...string) []string {
	dir := t.TempDir()
	env := []string{
		"AWS_ACCESS_KEY_ID=" + harness.DevAccessKey,
		"AWS_SECRET_ACCESS_KEY=" + harness.DevSecretKey,
		"AWS_DEFAULT_REGION=" + harness.Region,
		"AWS_REGION=" + harness.Region,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + dir,
		"TZ=Asia/Kolkata",
	}
	return append(env, extra...)
}

type run struct {
	out, err string
	code     int
	requests []recorded
}

// normaliseStderr maps the aws CLI's program name onto idpool's: idpool
// prints "idpool" wherever aws prints its own name in usage errors.
func normaliseStderr(s string) string {
	r := strings.NewReplacer("usage: aws ", "usage: idpool ", "  aws help", "  idpool help",
		"  aws <command>", "  idpool <command>", "aws: error:", "idpool: error:")
	return r.Replace(s)
}

// both runs the aws CLI and idpool with the same arguments against f.
func both(t *testing.T, f *fakeUpstream, env []string, args ...string) (aws, idp run) {
	t.Helper()
	awsBin := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	idpBin := harness.Binary(t)
	full := append(append([]string{}, args...), "--endpoint-url", f.URL)
	f.take()
	aws.out, aws.err, aws.code = harness.Run(t, env, awsBin, append([]string{"cognito-identity"}, full...)...)
	aws.requests = f.take()
	idp.out, idp.err, idp.code = harness.Run(t, env, idpBin, full...)
	idp.requests = f.take()
	return aws, idp
}

func sameRequests(t *testing.T, a, b []recorded) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("aws sent %d requests, idpool %d\naws: %v\nidpool: %v", len(a), len(b), a, b)
	}
	for i := range a {
		var x, y any
		_ = json.Unmarshal([]byte(a[i].Body), &x)
		_ = json.Unmarshal([]byte(b[i].Body), &y)
		if a[i].Target != b[i].Target || !reflect.DeepEqual(x, y) {
			t.Errorf("request %d differs:\naws:    %s %s\nidpool: %s %s", i, a[i].Target, a[i].Body, b[i].Target, b[i].Body)
		}
	}
}

func compareRuns(t *testing.T, aws, idp run) {
	t.Helper()
	if aws.code != idp.code {
		t.Errorf("exit code: aws %d, idpool %d\naws stderr: %s\nidpool stderr: %s", aws.code, idp.code, aws.err, idp.err)
	}
	if aws.out != idp.out {
		t.Errorf("stdout differs\n--- aws\n%s\n--- idpool\n%s", aws.out, idp.out)
	}
	if normaliseStderr(aws.err) != idp.err {
		t.Errorf("stderr differs\n--- aws\n%q\n--- idpool\n%q", normaliseStderr(aws.err), idp.err)
	}
	sameRequests(t, aws.requests, idp.requests)
}

const poolID = "us-east-1:11111111-2222-3333-4444-555555555555"

// TestSideBySideFake compares both CLIs on client-side behaviour: request
// building from flags, shorthand, JSON and input files; output in every
// format; --query; skeletons; parameter errors and service errors.
func TestSideBySideFake(t *testing.T) {
	f := newFakeUpstream(t)
	dir := t.TempDir()
	inputJSON := filepath.Join(dir, "in.json")
	os.WriteFile(inputJSON, []byte(`{"IdentityPoolName":"from-file","AllowUnauthenticatedIdentities":false,"IdentityPoolTags":{"a":"b"}}`), 0o600)
	inputYAML := filepath.Join(dir, "in.yaml")
	os.WriteFile(inputYAML, []byte("IdentityPoolName: from-yaml\nAllowUnauthenticatedIdentities: true\nSupportedLoginProviders:\n  graph.facebook.com: '123'\n"), 0o600)
	loginsFile := filepath.Join(dir, "logins.json")
	os.WriteFile(loginsFile, []byte(`{"graph.facebook.com":"TOKEN-FROM-FILE"}`), 0o600)

	cases := [][]string{
		{"list-identity-pools", "--max-results", "20"},
		{"list-identity-pools", "--max-results", "3", "--output", "text"},
		{"list-identity-pools", "--max-results", "3", "--output", "table"},
		{"list-identity-pools", "--max-results", "3", "--output", "yaml"},
		{"list-identity-pools", "--max-results", "3", "--query", "IdentityPools[].IdentityPoolId"},
		{"list-identity-pools", "--max-results", "3", "--query", "IdentityPools[0]", "--output", "text"},
		{"list-identity-pools", "--max-results", "3", "--query", "IdentityPools[].{Name:IdentityPoolName,Id:IdentityPoolId}", "--output", "table"},
		{"create-identity-pool", "--identity-pool-name", "NAME", "--allow-unauthenticated-identities"},
		{"create-identity-pool", "--identity-pool-name", "NAME", "--no-allow-unauthenticated-identities", "--allow-classic-flow",
			"--supported-login-providers", "graph.facebook.com=123,accounts.google.com=abc.apps.googleusercontent.com",
			"--cognito-identity-providers", "ProviderName=cognito-idp.us-east-1.amazonaws.com/us-east-1_Zr231apJu,ClientId=6lhlkkfbfb4q5kpp90urffae,ServerSideTokenCheck=false",
			"ProviderName=cognito-idp.us-east-1.amazonaws.com/us-east-1_b,ClientId=c2",
			"--open-id-connect-provider-arns", "arn:aws:iam::000000000000:oidc-provider/example.com", "arn:aws:iam::000000000000:oidc-provider/b.example.com",
			"--identity-pool-tags", `{"team":"blue"}`},
		{"create-identity-pool", "--cli-input-json", "file://" + inputJSON},
		{"create-identity-pool", "--cli-input-json", "file://" + inputJSON, "--identity-pool-name", "override", "--allow-unauthenticated-identities"},
		{"create-identity-pool", "--cli-input-yaml", "file://" + inputYAML},
		{"create-identity-pool", "--identity-pool-name", "x"},
		{"create-identity-pool", "--allow-unauthenticated-identities"},
		{"create-identity-pool", "--identity-pool-name", "", "--allow-unauthenticated-identities"},
		{"create-identity-pool", "--generate-cli-skeleton"},
		{"create-identity-pool", "--generate-cli-skeleton", "input"},
		{"create-identity-pool", "--generate-cli-skeleton", "yaml-input"},
		{"set-identity-pool-roles", "--generate-cli-skeleton", "yaml-input"},
		{"get-credentials-for-identity", "--identity-id", "x", "--generate-cli-skeleton", "output"},
		{"list-identity-pools", "--max-results", "3", "--generate-cli-skeleton", "output", "--output", "text"},
		{"describe-identity-pool", "--identity-pool-id", poolID},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "text"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "table"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "yaml"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "yaml-stream"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--query", "CognitoIdentityProviders[?ServerSideTokenCheck].ClientId"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--query", "IdentityPoolName", "--output", "text"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--query", "SupportedLoginProviders"},
		{"describe-identity-pool", "--identity-pool-id", "us-east-1:missing-0000"},
		{"describe-identity-pool"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--bogus", "x"},
		{"describe-identity-pool", "--identity-pool-id"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--query", "["},
		{"delete-identity-pool", "--identity-pool-id", poolID},
		{"delete-identity-pool", "--identity-pool-id", "us-east-1:missing-0001"},
		{"get-id", "--identity-pool-id", poolID},
		{"get-id", "--identity-pool-id", poolID, "--logins", "graph.facebook.com=TOKEN,accounts.google.com=TOKEN2"},
		{"get-id", "--identity-pool-id", poolID, "--logins", "file://" + loginsFile},
		{"get-id", "--identity-pool-id", poolID, "--logins", "a"},
		{"get-id", "--identity-pool-id", poolID, "--logins", `{"bad`},
		{"get-credentials-for-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"},
		{"get-credentials-for-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--output", "text"},
		{"get-credentials-for-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--output", "table"},
		{"get-credentials-for-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--output", "yaml"},
		{"get-open-id-token-for-developer-identity", "--identity-pool-id", poolID, "--logins", "login.mycompany.myapp=alice", "--token-duration", "3600"},
		{"get-open-id-token-for-developer-identity", "--identity-pool-id", poolID, "--logins", "login.mycompany.myapp=alice", "--token-duration", "0"},
		{"get-open-id-token-for-developer-identity", "--identity-pool-id", poolID, "--logins", "login.mycompany.myapp=alice", "--token-duration", "abc"},
		{"describe-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"},
		{"describe-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--output", "text"},
		{"describe-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--output", "table"},
		{"list-identities", "--identity-pool-id", poolID, "--max-results", "10"},
		{"list-identities", "--identity-pool-id", poolID, "--max-results", "10", "--output", "text"},
		{"list-identities", "--identity-pool-id", poolID, "--max-results", "10", "--output", "table"},
		{"list-identities", "--identity-pool-id", poolID, "--max-results", "10", "--output", "yaml"},
		{"get-identity-pool-roles", "--identity-pool-id", poolID},
		{"get-identity-pool-roles", "--identity-pool-id", poolID, "--output", "text"},
		{"get-identity-pool-roles", "--identity-pool-id", poolID, "--output", "table"},
		{"get-identity-pool-roles", "--identity-pool-id", poolID, "--output", "yaml"},
		{"set-identity-pool-roles", "--identity-pool-id", poolID, "--roles", "authenticated=arn:aws:iam::000000000000:role/Auth,unauthenticated=arn:aws:iam::000000000000:role/Unauth"},
		{"set-identity-pool-roles", "--identity-pool-id", poolID, "--roles", "authenticated=arn:aws:iam::000000000000:role/Auth",
			"--role-mappings", `graph.facebook.com={Type=Rules,AmbiguousRoleResolution=Deny,RulesConfiguration={Rules=[{Claim=isAdmin,MatchType=Equals,Value=paid,RoleARN=arn:aws:iam::000000000000:role/Admin}]}}`},
		{"set-identity-pool-roles", "--identity-pool-id", poolID, "--roles", "authenticated=a"},
		{"lookup-developer-identity", "--identity-pool-id", poolID, "--developer-user-identifier", "alice", "--max-results", "5"},
		{"lookup-developer-identity", "--identity-pool-id", poolID, "--developer-user-identifier", "alice", "--max-results", "5", "--output", "text"},
		{"merge-developer-identities", "--source-user-identifier", "a", "--destination-user-identifier", "b", "--developer-provider-name", "login.mycompany.myapp", "--identity-pool-id", poolID},
		{"delete-identities", "--identity-ids-to-delete", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-000000000009", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-000000000008"},
		{"delete-identities", "--identity-ids-to-delete", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-000000000009", "--output", "table"},
		{"tag-resource", "--resource-arn", "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + poolID, "--tags", "team=blue,env=dev"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--generate-cli-skeleton", "output"},
		{"create-identity-pool", "--cli-input-json", `{"a":`},
		{"create-identity-pool", "--cli-input-json", `[1]`},
		{"create-identity-pool", "--cli-input-yaml", `a: [`},
		{"create-identity-pool", "--cli-input-yaml", `- a`},
		{"untag-resource", "--resource-arn", "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + poolID, "--tag-keys", "team", "env"},
		{"list-tags-for-resource", "--resource-arn", "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + poolID, "--output", "text"},
		{"get-principal-tag-attribute-map", "--identity-pool-id", poolID, "--identity-provider-name", "graph.facebook.com", "--output", "table"},
		{"set-principal-tag-attribute-map", "--identity-pool-id", poolID, "--identity-provider-name", "graph.facebook.com", "--use-defaults", "--principal-tags", "user=sub,team=custom:team"},
		{"unlink-developer-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--identity-pool-id", poolID, "--developer-provider-name", "login.mycompany.myapp", "--developer-user-identifier", "alice"},
		{"unlink-identity", "--identity-id", "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--logins", "graph.facebook.com=T", "--logins-to-remove", "graph.facebook.com"},
		{"update-identity-pool", "--identity-pool-id", poolID, "--identity-pool-name", "renamed", "--allow-unauthenticated-identities", "--saml-provider-arns", "arn:aws:iam::000000000000:saml-provider/corp-idp"},
		{"no-such-command"},
		{"list-identity-pools", "--max-results", "3", "--max-items", "2"},
		{"list-identity-pools", "--max-results", "3", "--no-paginate"},
		{"list-identity-pools", "--max-results", "3", "--output", "yaml-stream"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "table", "--color", "off"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "text", "--query", "[IdentityPoolId, AllowClassicFlow, OpenIdConnectProviderARNs]"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--output", "json", "--query", "CognitoIdentityProviders[0]"},
		{"describe-identity-pool", "--identity-pool-id", poolID, "--query", "IdentityPoolTags.team", "--output", "yaml"},
		{"get-id", "--identity-pool-id", poolID, "--logins", "graph.facebook.com=T", "--account-id", "000000000000", "--no-sign-request"},
		{"delete-identities", "--identity-ids-to-delete", `["us-east-1:a","us-east-1:b"]`},
		{"create-identity-pool", "--identity-pool-name", "x", "--allow-unauthenticated-identities", "--cognito-identity-providers", `[{"ProviderName":"p","ClientId":"c"}]`},
		{"create-identity-pool", "--identity-pool-name", "x", "--allow-unauthenticated-identities", "--cognito-identity-providers", "ProviderName=p,Foo=c"},
		{"create-identity-pool", "--cli-input-json", `{"Bogus":1,"IdentityPoolName":"n","AllowUnauthenticatedIdentities":true}`},
		{"create-identity-pool", "--identity-pool-name=eq", "--allow-unauthenticated-identities"},
		{"create-identity-pool", "--identity-pool-n", "abbrev", "--allow-unauth", "--endpoint", "http://127.0.0.1:1"},
		{"create-identity-pool", "--identity-pool-name", "x", "--allow"},
		{"untag-resource", "--resource-arn", "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + poolID, "--tag-keys"},
	}
	env := cliEnv(t)
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			aws, idp := both(t, f, env, args...)
			compareRuns(t, aws, idp)
		})
	}
}
