package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

var (
	uuidRe  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRe  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d`)
	jwtRe   = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	akidRe  = regexp.MustCompile(`\b(ASIA|AKIA)[A-Z0-9]{16}\b`)
	secretR = regexp.MustCompile(`("(SecretKey|SessionToken)": ")[^"]+`)
	// The secret and session token differ by nature between two calls.
	credLineRe = regexp.MustCompile(`(?m)^(CREDENTIALS\t[^\t]*\t[^\t]*\t)[^\t]+\t[^\t\n]+$`)
)

// normalise replaces what differs by nature between two calls (fresh ids,
// times, tokens, keys) with placeholders of the same length, so tables
// keep their widths.
func normalise(s string) string {
	s = uuidRe.ReplaceAllString(s, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
	s = timeRe.ReplaceAllString(s, "TIME")
	s = jwtRe.ReplaceAllString(s, "JWT")
	s = akidRe.ReplaceAllString(s, "AKIDXXXXXXXXXXXXXXXX")
	s = secretR.ReplaceAllString(s, "${1}SECRET")
	// Text output: CREDENTIALS<TAB>key<TAB>expiration<TAB>secret<TAB>session token.
	return credLineRe.ReplaceAllString(s, "${1}SECRET\tSESSIONTOKEN")
}

type liveCLIs struct {
	t          *testing.T
	s          *harness.Server
	env        []string
	awsBin     string
	idpBin     string
	normaliser func(string) string
}

func (l *liveCLIs) aws(args ...string) run {
	l.t.Helper()
	var r run
	r.out, r.err, r.code = harness.Run(l.t, l.env, l.awsBin, append([]string{"cognito-identity"}, append(args, "--endpoint-url", l.s.URL)...)...)
	return r
}

func (l *liveCLIs) idpool(args ...string) run {
	l.t.Helper()
	var r run
	r.out, r.err, r.code = harness.Run(l.t, l.env, l.idpBin, append(args, "--endpoint-url", l.s.URL)...)
	return r
}

// same runs both CLIs with args and requires identical (normalised) output.
func (l *liveCLIs) same(args ...string) (aws, idp run) {
	l.t.Helper()
	aws, idp = l.aws(args...), l.idpool(args...)
	l.check(strings.Join(args, " "), aws, idp)
	return aws, idp
}

func (l *liveCLIs) check(what string, aws, idp run) {
	l.t.Helper()
	if aws.code != idp.code {
		l.t.Errorf("%s: exit code aws %d, idpool %d\naws: %s%s\nidpool: %s%s", what, aws.code, idp.code, aws.out, aws.err, idp.out, idp.err)
	}
	if a, b := normalise(aws.out), normalise(idp.out); a != b {
		l.t.Errorf("%s: stdout differs\n--- aws\n%s\n--- idpool\n%s", what, a, b)
	}
	if a, b := normalise(normaliseStderr(aws.err)), normalise(idp.err); a != b {
		l.t.Errorf("%s: stderr differs\n--- aws\n%q\n--- idpool\n%q", what, a, b)
	}
}

func field(t *testing.T, out, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	v, _ := m[key].(string)
	if v == "" {
		t.Fatalf("no %s in %s", key, out)
	}
	return v
}

// TestSideBySideServer runs every example of the aws CLI's cognito-identity
// page through both CLIs against a real idpool server.
func TestSideBySideServer(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	l := &liveCLIs{t: t, s: s, env: cliEnv(t), awsBin: harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws"), idpBin: harness.Binary(t)}

	// create-identity-pool: each CLI creates its own pool; outputs agree
	// but for the fresh id.
	a, b := l.same("create-identity-pool", "--identity-pool-name", "NAME", "--allow-unauthenticated-identities")
	if a.code != 0 {
		t.Fatalf("create-identity-pool failed: %s", a.err)
	}
	poolA, poolB := field(t, a.out, "IdentityPoolId"), field(t, b.out, "IdentityPoolId")

	for _, format := range []string{"json", "text", "table", "yaml"} {
		l.same("list-identity-pools", "--max-results", "20", "--output", format)
		l.same("describe-identity-pool", "--identity-pool-id", poolA, "--output", format)
	}
	l.same("list-identity-pools", "--max-results", "20", "--query", "IdentityPools[?IdentityPoolName=='NAME'].IdentityPoolId", "--output", "text")
	l.same("describe-identity-pool", "--identity-pool-id", poolB, "--query", "{Name:IdentityPoolName,Unauth:AllowUnauthenticatedIdentities}")
	l.same("update-identity-pool", "--identity-pool-id", poolB, "--identity-pool-name", "renamed", "--allow-unauthenticated-identities",
		"--supported-login-providers", "graph.facebook.com=7346241598935552", "--developer-provider-name", "login.example.dev")
	l.same("describe-identity-pool", "--identity-pool-id", poolB, "--output", "table")
	l.same("set-identity-pool-roles", "--identity-pool-id", poolB,
		"--roles", "authenticated=arn:aws:iam::000000000000:role/Auth,unauthenticated=arn:aws:iam::000000000000:role/Unauth")
	l.same("get-identity-pool-roles", "--identity-pool-id", poolB)
	l.same("get-identity-pool-roles", "--identity-pool-id", poolB, "--output", "text")

	// get-id and get-credentials-for-identity on one identity.
	a, _ = l.same("get-id", "--identity-pool-id", poolB)
	if a.code == 0 {
		id := field(t, a.out, "IdentityId")
		l.same("get-credentials-for-identity", "--identity-id", id)
		l.same("get-credentials-for-identity", "--identity-id", id, "--output", "text")
		l.same("describe-identity", "--identity-id", id)
		l.same("list-identities", "--identity-pool-id", poolB, "--max-results", "10", "--output", "text")
	}
	// get-id with a login the server cannot verify: same service error.
	l.same("get-id", "--identity-pool-id", poolB, "--logins", "graph.facebook.com=TOKEN")
	// Developer-authenticated identities.
	l.same("get-open-id-token-for-developer-identity", "--identity-pool-id", poolB, "--logins", "login.example.dev=alice", "--token-duration", "3600")
	l.same("lookup-developer-identity", "--identity-pool-id", poolB, "--developer-user-identifier", "alice", "--max-results", "10")

	// Inputs from files and skeletons.
	l.same("create-identity-pool", "--cli-input-json", `{"IdentityPoolName":"from-json","AllowUnauthenticatedIdentities":false}`, "--query", "IdentityPoolName")
	l.same("create-identity-pool", "--generate-cli-skeleton")
	l.same("get-credentials-for-identity", "--identity-id", "x", "--generate-cli-skeleton", "output")

	// Errors: missing parameters (252) and service errors (254).
	l.same("create-identity-pool", "--identity-pool-name", "NAME")
	l.same("describe-identity-pool")
	l.same("describe-identity-pool", "--identity-pool-id", "us-east-1:00000000-0000-0000-0000-000000000000")
	l.same("describe-identity-pool", "--identity-pool-id", "not-an-id")

	// delete-identity-pool: each its own, then both the same missing one.
	l.check("delete-identity-pool", l.aws("delete-identity-pool", "--identity-pool-id", poolA), l.idpool("delete-identity-pool", "--identity-pool-id", poolB))
	l.same("delete-identity-pool", "--identity-pool-id", poolA)
}

// TestPagination checks idpool's automatic pagination against the full
// listing: every pool exactly once whatever the page size, --max-items
// and --starting-token resuming where the last listing stopped.
func TestPagination(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	env := cliEnv(t)
	bin := harness.Binary(t)
	ctx := context.Background()
	var want []string
	for i := 0; i < 7; i++ {
		out, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
			IdentityPoolName: aws.String(fmt.Sprintf("page-%d", i)), AllowUnauthenticatedIdentities: true})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, *out.IdentityPoolId)
	}
	sort.Strings(want)
	list := func(args ...string) (ids []string, next string) {
		t.Helper()
		out, errOut, code := harness.Run(t, env, bin, append([]string{"list-identity-pools", "--endpoint-url", s.URL}, args...)...)
		if code != 0 {
			t.Fatalf("list-identity-pools %v: exit %d: %s", args, code, errOut)
		}
		var r struct {
			IdentityPools []struct{ IdentityPoolId string }
			NextToken     string
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		for _, p := range r.IdentityPools {
			ids = append(ids, p.IdentityPoolId)
		}
		return ids, r.NextToken
	}
	for _, size := range []string{"1", "2", "3", "60"} {
		got, next := list("--page-size", size)
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") || next != "" {
			t.Errorf("--page-size %s: got %v (next %q), want %v", size, got, next, want)
		}
	}
	var walked []string
	token := ""
	for i := 0; i < 10; i++ {
		args := []string{"--page-size", "2", "--max-items", "3"}
		if token != "" {
			args = append(args, "--starting-token", token)
		}
		ids, next := list(args...)
		walked = append(walked, ids...)
		if next == "" {
			break
		}
		token = next
	}
	sort.Strings(walked)
	if strings.Join(walked, ",") != strings.Join(want, ",") {
		t.Errorf("walking with --max-items 3: got %v, want %v", walked, want)
	}
	// Text output prints one line per pool across pages.
	out, _, _ := harness.Run(t, env, bin, "list-identity-pools", "--endpoint-url", s.URL, "--page-size", "2", "--output", "text")
	if n := strings.Count(out, "IDENTITYPOOLS\t"); n != len(want) {
		t.Errorf("text output has %d pool lines, want %d:\n%s", n, len(want), out)
	}
	// The aws CLI's rule: a manual page argument turns pagination off, and
	// then paging options are refused.
	_, errOut, code := harness.Run(t, env, bin, "list-identity-pools", "--endpoint-url", s.URL, "--max-results", "2", "--max-items", "1")
	if code != 252 || !strings.Contains(errOut, "Cannot specify --no-paginate along with pagination arguments: --max-items") {
		t.Errorf("--max-results with --max-items: exit %d, %s", code, errOut)
	}
}

// TestDecodeTokenLive decodes and verifies a token the server issued,
// discovering its keys from the token's issuer (the server's discovery
// document and JWKS).
func TestDecodeTokenLive(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("tokens"), AllowUnauthenticatedIdentities: false, DeveloperProviderName: aws.String("login.example.dev")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Cognito().GetOpenIdTokenForDeveloperIdentity(ctx, &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{"login.example.dev": "alice"}})
	if err != nil {
		t.Fatalf("server issued no token: %v", err)
	}
	env := cliEnv(t)
	out, errOut, code := harness.Run(t, env, harness.Binary(t), "decode-token", *tok.Token, "--query", "{Verified:Verified,Sub:Claims.sub,Aud:Claims.aud}", "--output", "text")
	if code != 0 {
		t.Fatalf("decode-token: exit %d\n%s%s", code, out, errOut)
	}
	// Text output sorts the keys: Aud, Sub, Verified.
	if want := fmt.Sprintf("%s\t%s\tTrue\n", *pool.IdentityPoolId, *tok.IdentityId); out != want {
		t.Errorf("decode-token printed %q, want %q", out, want)
	}
	// A token changed by one character no longer verifies.
	bad := *tok.Token
	bad = bad[:len(bad)-2] + map[bool]string{true: "A", false: "B"}[bad[len(bad)-2] != 'A'] + bad[len(bad)-1:]
	_, errOut, code = harness.Run(t, env, harness.Binary(t), "decode-token", bad)
	if code != 255 || !strings.Contains(errOut, "Token verification failed") {
		t.Errorf("tampered token: exit %d %s", code, errOut)
	}
}
