// Package stack drives "idpool apply" and "idpool serve --seed" (issue 19)
// with the real binary against real servers, and checks the result with
// the AWS SDK for Go v2.
package stack

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/test/harness"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const pinned = "us-east-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10"

// stackFile declares a pinned pool with roles, a rules mapping, principal
// tags and tags, a pool without an id, three roles and an OIDC provider.
const stackFile = `Region: us-east-1
IdentityPools:
  - IdentityPoolId: ` + pinned + `
    IdentityPoolName: app pool
    AllowUnauthenticatedIdentities: true
    SupportedLoginProviders:
      graph.facebook.com: "1234567890"
    DeveloperProviderName: login.example.app
    OpenIdConnectProviderARNs:
      - arn:aws:iam::000000000000:oidc-provider/login.example.com
    IdentityPoolTags:
      team: web
    Roles:
      authenticated: arn:aws:iam::000000000000:role/app-auth
      unauthenticated: arn:aws:iam::000000000000:role/app-unauth
    RoleMappings:
      login.example.com:
        Type: Rules
        AmbiguousRoleResolution: AuthenticatedRole
        RulesConfiguration:
          Rules:
            - {Claim: groups, MatchType: Contains, Value: admin, RoleARN: "arn:aws:iam::000000000000:role/app-auth"}
    PrincipalTags:
      - IdentityProviderName: login.example.com
        UseDefaults: false
        PrincipalTags: {department: dept}
  - IdentityPoolName: second
IAM:
  OpenIDConnectProviders:
    - Url: https://login.example.com
      ClientIDList: [web-client]
      ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
  Roles:
    - RoleName: app-auth
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": "` + pinned + `"}
      Tags: [{Key: app, Value: demo}]
    - RoleName: app-unauth
      Description: guests
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pinned + `"}}}]}'
    - RoleName: spare
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:00000000-0000-0000-0000-000000000000"}}}]}'
`

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// apply runs "idpool apply" against s with the development account.
func apply(t *testing.T, s *harness.Server, args ...string) (string, string, int) {
	t.Helper()
	return harness.Run(t, s.AWSEnv(t), harness.Binary(t), append([]string{"apply", "--endpoint-url", s.URL}, args...)...)
}

func mustApply(t *testing.T, s *harness.Server, args ...string) string {
	t.Helper()
	out, errOut, code := apply(t, s, args...)
	if code != 0 {
		t.Fatalf("apply %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
	}
	return out
}

func iamClient(s *harness.Server) *iam.Client {
	return iam.New(iam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")})
}

// poolNames lists the pools of the development account.
func poolNames(t *testing.T, s *harness.Server) map[string]string {
	t.Helper()
	out, err := s.Cognito().ListIdentityPools(context.Background(), &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, p := range out.IdentityPools {
		m[aws.ToString(p.IdentityPoolName)] = aws.ToString(p.IdentityPoolId)
	}
	return m
}

func roleNames(t *testing.T, s *harness.Server) []string {
	t.Helper()
	out, err := iamClient(s).ListRoles(context.Background(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Roles {
		names = append(names, aws.ToString(r.RoleName))
	}
	return names
}

// checkPinnedPool checks what the file says of the pinned pool, and that
// an unauthenticated guest gets credentials at the pinned id, as an app
// configured with that id would.
func checkPinnedPool(t *testing.T, s *harness.Server, team string) {
	t.Helper()
	ctx := context.Background()
	c := s.Cognito()
	p, err := c.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(pinned)})
	if err != nil {
		t.Fatalf("DescribeIdentityPool(%s): %v", pinned, err)
	}
	if aws.ToString(p.IdentityPoolName) != "app pool" || !p.AllowUnauthenticatedIdentities ||
		p.IdentityPoolTags["team"] != team || aws.ToString(p.DeveloperProviderName) != "login.example.app" {
		t.Errorf("pool = %+v", p)
	}
	roles, err := c.GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(pinned)})
	if err != nil {
		t.Fatal(err)
	}
	if roles.Roles["unauthenticated"] != "arn:aws:iam::000000000000:role/app-unauth" || roles.RoleMappings["login.example.com"].Type != "Rules" {
		t.Errorf("roles = %+v", roles)
	}
	tags, err := c.GetPrincipalTagAttributeMap(ctx, &cognitoidentity.GetPrincipalTagAttributeMapInput{IdentityPoolId: aws.String(pinned), IdentityProviderName: aws.String("login.example.com")})
	if err != nil || tags.PrincipalTags["department"] != "dept" {
		t.Errorf("principal tags = %+v, %v", tags, err)
	}
	guest := s.Anonymous(harness.Region)
	id, err := guest.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pinned)})
	if err != nil {
		t.Fatalf("GetId: %v", err)
	}
	creds, err := guest.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	if err != nil || creds.Credentials == nil || aws.ToString(creds.Credentials.AccessKeyId) == "" {
		t.Fatalf("GetCredentialsForIdentity: %+v, %v", creds, err)
	}
}

var changeLine = regexp.MustCompile(`(?m)^(create|update|replace|delete) `)

// TestApplyTwiceDryRunAndPrune: --dry-run changes nothing, apply makes the
// target match, a second apply is a no-op and says so, a change is an
// update, and --prune deletes what the file no longer has.
func TestApplyTwiceDryRunAndPrune(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	file := write(t, "stack.yaml", stackFile)

	out := mustApply(t, s, "-f", file, "--dry-run")
	if !strings.Contains(out, "create    identity-pool  \"app pool\" "+pinned) || !strings.Contains(out, "dry run: nothing was changed") {
		t.Errorf("dry run printed:\n%s", out)
	}
	if n := poolNames(t, s); len(n) != 0 {
		t.Fatalf("a dry run created pools: %v", n)
	}
	if r := roleNames(t, s); len(r) != 0 {
		t.Fatalf("a dry run created roles: %v", r)
	}

	out = mustApply(t, s, "-f", file)
	if got := len(changeLine.FindAllString(out, -1)); got != 6 {
		t.Errorf("first apply: %d changes, want 6:\n%s", got, out)
	}
	checkPinnedPool(t, s, "web")
	second := poolNames(t, s)["second"]
	if second == "" {
		t.Fatal("pool second missing")
	}

	out = mustApply(t, s, "-f", file)
	if changeLine.MatchString(out) || !strings.Contains(out, "No changes: the target matches") {
		t.Errorf("second apply was not a no-op:\n%s", out)
	}
	if poolNames(t, s)["second"] != second {
		t.Error("the second apply changed the unpinned pool's id")
	}

	// A changed tag and trust policy are updates, in place.
	changed := strings.Replace(stackFile, "team: web", "team: mobile", 1)
	changed = strings.Replace(changed, `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:00000000`, `"Action":["sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:00000000`, 1)
	out = mustApply(t, s, "-f", write(t, "changed.yaml", changed))
	if !strings.Contains(out, "update    identity-pool  \"app pool\" "+pinned+": settings") || !strings.Contains(out, "update    role           spare: trust policy") ||
		len(changeLine.FindAllString(out, -1)) != 2 {
		t.Errorf("changed apply printed:\n%s", out)
	}

	// --prune: the file without the second pool and the spare role.
	smaller := strings.Replace(changed, "  - IdentityPoolName: second\n", "", 1)
	smaller = smaller[:strings.Index(smaller, "    - RoleName: spare")]
	smallFile := write(t, "smaller.yaml", smaller)
	out = mustApply(t, s, "-f", smallFile)
	if changeLine.MatchString(out) {
		t.Errorf("without --prune, nothing is deleted:\n%s", out)
	}
	out = mustApply(t, s, "-f", smallFile, "--prune", "--dry-run")
	if !strings.Contains(out, "delete    identity-pool  \"second\" "+second) || poolNames(t, s)["second"] == "" {
		t.Errorf("prune dry run printed:\n%s", out)
	}
	out = mustApply(t, s, "-f", smallFile, "--prune")
	if !strings.Contains(out, "delete    identity-pool  \"second\" "+second) || !strings.Contains(out, "delete    role           spare") {
		t.Errorf("prune printed:\n%s", out)
	}
	if _, ok := poolNames(t, s)["second"]; ok {
		t.Error("prune left pool second")
	}
	if r := roleNames(t, s); len(r) != 2 {
		t.Errorf("roles after prune = %v", r)
	}
	out = mustApply(t, s, "-f", smallFile, "--prune")
	if !strings.Contains(out, "No changes") {
		t.Errorf("apply after prune:\n%s", out)
	}
	checkPinnedPool(t, s, "mobile")
}

// seedTwice starts a server with --seed, checks the pinned pool, applies
// the same file with the CLI (a no-op), and restarts with the same seed.
func seedTwice(t *testing.T, args ...string) {
	file := write(t, "seed.yaml", stackFile)
	s := harness.Start(t, harness.Options{Args: append([]string{"--seed", file}, args...)})
	if !s.WaitLog("seed applied", 10*time.Second) {
		t.Errorf("no seed line in the log:\n%s", s.Logs())
	}
	checkPinnedPool(t, s, "web")
	out := mustApply(t, s, "-f", file)
	if !strings.Contains(out, "No changes") {
		t.Errorf("apply after the seed:\n%s", out)
	}
	s.Restart()
	if !s.WaitLog("created=0 updated=0 unchanged=6", 5e9) {
		t.Errorf("the seed changed something on restart:\n%s", s.Logs())
	}
	checkPinnedPool(t, s, "web")
}

func TestSeedPinnedIdsSQLite(t *testing.T) { seedTwice(t) }

func TestSeedPinnedIdsPostgreSQL(t *testing.T) {
	seedTwice(t, "--store", pgtest.Shared(t).NewDatabase(t))
}

// TestSeedFailureStopsStart: a seed that does not apply stops the start
// with the file's error, at its line, and the port never serves.
func TestSeedFailureStopsStart(t *testing.T) {
	cases := map[string]string{
		"unknown key":       "IdentityPools:\n  - IdentityPoolName: a\n    Colour: red\n",
		"refused by idpool": "IdentityPools:\n  - IdentityPoolName: a\n    OpenIdConnectProviderARNs: [arn:aws:iam::000000000000:oidc-provider/none.example.com]\n",
	}
	want := map[string]string{
		"unknown key":       `bad.yaml:3: unknown key \"Colour\" in an identity pool`,
		"refused by idpool": `bad.yaml:2: creating identity pool \"a\": InvalidParameterException: Invalid OpenIdConnectProviderARNs`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := harness.Run(t, nil, harness.Binary(t), "serve", "--addr", harness.FreeAddr(t), "--data-dir", t.TempDir(), "--seed", file)
			if code == 0 || !strings.Contains(errOut, want[name]) || strings.Contains(errOut, "msg=listening") {
				t.Errorf("exit %d, stderr:\n%s\nwant %s", code, errOut, want[name])
			}
		})
	}
}

// TestBadFiles: each bad file gives one message at its line, exits
// non-zero and changes nothing.
func TestBadFiles(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	cases := []struct{ name, text, want string }{
		{"unknown key", "IdentityPools:\n  - IdentityPoolName: a\n    AllowUnauth: true\n", `bad.yaml:3: unknown key "AllowUnauth" in an identity pool`},
		{"wrong type", "IdentityPools:\n  - IdentityPoolName: a\n    AllowUnauthenticatedIdentities: maybe\n", "bad.yaml:3: wrong type: a string where a boolean (true or false) is expected"},
		{"invalid pool name", "IdentityPools:\n  - IdentityPoolName: ok\n  - IdentityPoolName: 'not ok!'\n", `bad.yaml:3: IdentityPoolName "not ok!" must be 1 to 128 letters, digits, underscores or spaces`},
		{"pinned id format", "IdentityPools:\n  - IdentityPoolName: a\n    IdentityPoolId: us-east-1:123\n", `bad.yaml:3: IdentityPoolId "us-east-1:123" must be REGION:uuid`},
		{"pinned id region", "IdentityPools:\n  - IdentityPoolName: a\n    IdentityPoolId: eu-west-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10\n", "bad.yaml:3: IdentityPoolId eu-west-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10 is in region eu-west-1, but the pools are created in us-east-1"},
		{"json syntax", "{\"IdentityPools\": [\n  {\"IdentityPoolName\": \"a\"}\n", "bad.yaml:2: did not find expected ',' or ']'"},
		{"role trust not json", "IAM:\n  Roles:\n    - RoleName: r\n      AssumeRolePolicyDocument: '{'\n", "bad.yaml:4: AssumeRolePolicyDocument of role r is not valid JSON"},
		{"refused by the server", "IAM:\n  Roles:\n    - RoleName: r\n      AssumeRolePolicyDocument: '{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:*\",\"Resource\":\"*\"}}'\n", "bad.yaml:3: creating role r: MalformedPolicyDocument: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(file, []byte(c.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := apply(t, s, "-f", file)
			msg := strings.TrimSpace(errOut)
			if code == 0 || !strings.HasPrefix(msg, file[:len(file)-len("bad.yaml")]+c.want) && !strings.HasPrefix(msg, c.want) {
				t.Errorf("exit %d, stderr %q\nwant %q", code, msg, c.want)
			}
			if strings.Count(msg, "\n") > 0 {
				t.Errorf("more than one line: %q", msg)
			}
			if n := poolNames(t, s); len(n) != 0 {
				t.Errorf("a bad file created pools: %v", n)
			}
			if r := roleNames(t, s); len(r) != 0 {
				t.Errorf("a bad file created roles: %v", r)
			}
		})
	}
}

// TestPinnedIdOfAnotherAccountIsRefused: two accounts; the second cannot
// take (or learn about) a pinned id the first holds, and the wire's
// CreateIdentityPool stays AWS's (no IdentityPoolId member).
func TestPinnedIdOfAnotherAccountIsRefused(t *testing.T) {
	cfg := `accounts:
  - id: "111111111111"
    keys: [{accessKeyId: AKIAFIRST, secretAccessKey: first}]
  - id: "222222222222"
    keys: [{accessKeyId: AKIASECOND, secretAccessKey: second}]
`
	file := write(t, "p.yaml", "IdentityPools:\n  - IdentityPoolName: mine\n    IdentityPoolId: "+pinned+"\n")
	s := harness.Start(t, harness.Options{Config: cfg, Args: []string{"--seed", file}})
	ctx := context.Background()
	if _, err := s.CognitoAs("AKIAFIRST", "first", harness.Region).DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(pinned)}); err != nil {
		t.Fatalf("the seed ran as the first account: %v", err)
	}
	env := append(s.AWSEnv(t), "AWS_ACCESS_KEY_ID=AKIASECOND", "AWS_SECRET_ACCESS_KEY=second")
	out, errOut, code := harness.Run(t, env, harness.Binary(t), "apply", "--endpoint-url", s.URL, "-f", file)
	if code == 0 || !strings.Contains(errOut, "p.yaml:2: creating identity pool \"mine\" "+pinned+": ResourceConflictException: IdentityPoolId '"+pinned+"' is already in use.") {
		t.Errorf("second account: exit %d\n%s\n%s", code, out, errOut)
	}
	second := s.CognitoAs("AKIASECOND", "second", harness.Region)
	list, err := second.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(list.IdentityPools) != 0 {
		t.Errorf("second account's pools = %+v, %v", list, err)
	}
	// CreateIdentityPool with an IdentityPoolId member is AWS's answer to
	// an unknown member: the id is not honoured there.
	pool, err := second.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("plain")})
	if err != nil || aws.ToString(pool.IdentityPoolId) == pinned {
		t.Errorf("plain create = %+v, %v", pool, err)
	}
}

// TestDocumentedExampleApplies applies the complete example of
// docs/stack-files.md, twice.
func TestDocumentedExampleApplies(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(harness.Root(), "docs", "stack-files.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "## Complete example\n\n```yaml\n")
	example, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("no complete example in docs/stack-files.md")
	}
	s := harness.Start(t, harness.Options{})
	file := write(t, "example.yaml", example)
	out := mustApply(t, s, "-f", file)
	if !strings.Contains(out, "Applied: 6 created") {
		t.Errorf("first apply:\n%s", out)
	}
	if out := mustApply(t, s, "-f", file); !strings.Contains(out, "No changes") {
		t.Errorf("second apply:\n%s", out)
	}
}

// export runs "idpool export" against s.
func export(t *testing.T, s *harness.Server) string {
	t.Helper()
	out, errOut, code := harness.Run(t, s.AWSEnv(t), harness.Binary(t), "export", "--endpoint-url", s.URL)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	return out
}

// TestExportApplyRoundTrip: export(A), applied to an empty B, gives
// export(B) == export(A), field for field (the files are compared whole);
// applying the export to A itself changes nothing.
func TestExportApplyRoundTrip(t *testing.T) {
	a := harness.Start(t, harness.Options{})
	mustApply(t, a, "-f", write(t, "stack.yaml", stackFile))
	exported := export(t, a)
	for _, want := range []string{"IdentityPoolId: " + pinned, "IdentityPoolName: second", "department: dept", "RoleName: app-auth",
		"Url: https://login.example.com", "team: web", "Type: Rules"} {
		if !strings.Contains(exported, want) {
			t.Errorf("export lacks %q:\n%s", want, exported)
		}
	}
	file := write(t, "exported.yaml", exported)
	if out := mustApply(t, a, "-f", file); !strings.Contains(out, "No changes") {
		t.Errorf("applying A's export to A:\n%s", out)
	}
	b := harness.Start(t, harness.Options{})
	mustApply(t, b, "-f", file)
	if again := export(t, b); again != exported {
		t.Errorf("export(B) differs from export(A):\n--- A\n%s\n--- B\n%s", exported, again)
	}
	checkPinnedPool(t, b, "web")
}
