// Package testlogins drives idpool as its own test identity provider: a
// real server process, logins minted with `idpool login mint` (and the
// IdpoolService.MintLogin operation) for every provider kind that is
// verified with keys, and the AWS SDK for Go and the aws CLI taking them
// through GetId, a Rules role mapping on a minted claim and
// GetCredentialsForIdentity to a real STS session. A production server
// refuses the same logins.
package testlogins

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/go-jose/go-jose/v4"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

const (
	googleClient = "e2e-client.apps.googleusercontent.com"
	appleClient  = "com.example.e2e"
	userPoolKey  = "cognito-idp.us-east-1.amazonaws.com/us-east-1_E2eTest1"
	appClient    = "e2eappclient1"
	oidcURL      = "https://oidc.e2e.example/tenant"
	oidcKey      = "oidc.e2e.example/tenant"
	oidcClient   = "e2e-oidc-client"
)

func iamClient(s *harness.Server) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, ""),
	})
}

// mint runs `idpool login mint` against s and returns the token; it
// fails the test when the command does.
func mint(t *testing.T, s *harness.Server, args ...string) string {
	t.Helper()
	out, errOut, code := harness.Run(t, s.AWSEnv(t), harness.Binary(t), append([]string{"login", "mint"}, args...)...)
	if code != 0 {
		t.Fatalf("idpool login mint %v: exit %d\n%s", args, code, errOut)
	}
	return strings.TrimSpace(out)
}

// role creates a role that trusts pool's authenticated identities.
func role(t *testing.T, s *harness.Server, name, pool string) string {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]}`
	out, err := iamClient(s).CreateRole(t.Context(), &awsiam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy),
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	return aws.ToString(out.Role.Arn)
}

// fixture is a development server with an IAM OIDC provider, a SAML
// provider (another IdP's metadata: the test issuer's key is the key
// source of minted responses whatever the provider's certificate), and a
// pool that accepts Google, Apple, a user pool, both IAM providers, with
// a Rules mapping per provider: team=blue gets the blue role, anything
// else the pool's authenticated role.
type fixture struct {
	s                *harness.Server
	pool, saml, oidc string
	blue, user       string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{s: harness.Start(t, harness.Options{})}
	oidc, err := iamClient(f.s).CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(oidcURL), ClientIDList: []string{oidcClient, "second-client"},
		ThumbprintList: []string{strings.Repeat("a", 40)},
	})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider: %v", err)
	}
	f.oidc = aws.ToString(oidc.OpenIDConnectProviderArn)
	saml, err := iamClient(f.s).CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{
		Name: aws.String("corp"), SAMLMetadataDocument: aws.String(fakeidp.NewSAML(t, time.Now()).Metadata()),
	})
	if err != nil {
		t.Fatalf("CreateSAMLProvider: %v", err)
	}
	f.saml = aws.ToString(saml.SAMLProviderArn)
	pool, err := f.s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("minted"),
		SupportedLoginProviders: map[string]string{
			"accounts.google.com": googleClient, "appleid.apple.com": appleClient,
		},
		CognitoIdentityProviders:  []types.CognitoIdentityProvider{{ProviderName: aws.String(userPoolKey), ClientId: aws.String(appClient)}},
		OpenIdConnectProviderARNs: []string{f.oidc},
		SamlProviderARNs:          []string{f.saml},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	f.pool = aws.ToString(pool.IdentityPoolId)
	f.blue, f.user = role(t, f.s, "blue", f.pool), role(t, f.s, "user", f.pool)
	rules := types.RoleMapping{Type: types.RoleMappingTypeRules, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole,
		RulesConfiguration: &types.RulesConfigurationType{Rules: []types.MappingRule{
			{Claim: aws.String("team"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("blue"), RoleARN: aws.String(f.blue)},
		}}}
	mappings := map[string]types.RoleMapping{}
	for _, k := range []string{"accounts.google.com", "appleid.apple.com", userPoolKey + ":" + appClient, oidcKey, f.saml} {
		mappings[k] = rules
	}
	if _, err := f.s.Cognito().SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(f.pool), Roles: map[string]string{"authenticated": f.user}, RoleMappings: mappings,
	}); err != nil {
		t.Fatalf("SetIdentityPoolRoles: %v", err)
	}
	return f
}

// assumedRole takes a login through GetId and GetCredentialsForIdentity
// (a fresh login for each call, as a SAML response is single use) and
// returns the role session the credentials belong to, from STS's
// GetCallerIdentity signed with them.
func (f *fixture) assumedRole(t *testing.T, provider string, login func() string) (identityID, arn string) {
	t.Helper()
	ctx := t.Context()
	anon := f.s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(f.pool), Logins: map[string]string{provider: login()}})
	if err != nil {
		t.Fatalf("GetId with a minted %s login: %v\n%s", provider, err, f.s.Logs())
	}
	out, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{
		IdentityId: id.IdentityId, Logins: map[string]string{provider: login()}})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity with a minted %s login: %v\n%s", provider, err, f.s.Logs())
	}
	c := out.Credentials
	who, err := sts.New(sts.Options{Region: harness.Region, BaseEndpoint: aws.String(f.s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)}).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the vended credentials: %v", err)
	}
	return aws.ToString(id.IdentityId), aws.ToString(who.Arn)
}

// Every provider kind verified with keys: a minted login with team=blue
// becomes an identity whose credentials are the blue role's (the Rules
// mapping read the minted claim); team=red falls back to the pool's
// authenticated role; the same subject is the same identity.
func TestMintedLoginEveryProvider(t *testing.T) {
	f := newFixture(t)
	for _, provider := range []string{"accounts.google.com", "appleid.apple.com", userPoolKey, oidcKey, f.saml} {
		t.Run(strings.ReplaceAll(provider, "/", "_"), func(t *testing.T) {
			blueID, blueARN := f.assumedRole(t, provider, func() string {
				return mint(t, f.s, "--provider", provider, "--sub", "alice", "--claim", "team=blue", "--expires-in", "10m")
			})
			if !strings.Contains(blueARN, ":assumed-role/blue/") {
				t.Errorf("team=blue: credentials of %s, want the blue role", blueARN)
			}
			redID, redARN := f.assumedRole(t, provider, func() string {
				return mint(t, f.s, "--provider", provider, "--sub", "alice", "--claim", "team=red")
			})
			if !strings.Contains(redARN, ":assumed-role/user/") {
				t.Errorf("team=red: credentials of %s, want the authenticated role", redARN)
			}
			if blueID != redID {
				t.Errorf("the same subject got two identities: %s, %s", blueID, redID)
			}
		})
	}
}

// The aws CLI takes a minted login through get-id and
// get-credentials-for-identity; the JWKS the test issuer publishes
// verifies the token's signature.
func TestMintedLoginAWSCLI(t *testing.T) {
	f := newFixture(t)
	cli := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	tok := mint(t, f.s, "--provider", "accounts.google.com", "--sub", "bob", "--claim", "team=blue")
	aws := func(args ...string) string {
		out, errOut, code := harness.Run(t, f.s.AWSEnv(t), cli, append(args, "--endpoint-url", f.s.URL, "--output", "text")...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d\n%s\n%s", args, code, errOut, f.s.Logs())
		}
		return strings.TrimSpace(out)
	}
	id := aws("cognito-identity", "get-id", "--identity-pool-id", f.pool, "--logins", "accounts.google.com="+tok, "--query", "IdentityId")
	key := aws("cognito-identity", "get-credentials-for-identity", "--identity-id", id, "--logins", "accounts.google.com="+tok,
		"--query", "Credentials.AccessKeyId")
	if !strings.HasPrefix(key, "ASIA") {
		t.Fatalf("AccessKeyId = %q", key)
	}

	resp, err := http.Get(f.s.URL + "/_idpool/test-issuer/" + harness.DevAccount + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwks: %v %+v", err, set)
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(set.Keys[0]); err != nil || jws.Signatures[0].Header.KeyID != set.Keys[0].KeyID {
		t.Fatalf("the published key does not verify the minted token: %v", err)
	}
	jwks := f.s.URL + "/_idpool/test-issuer/" + harness.DevAccount + "/.well-known/jwks.json"
	if out, errOut, code := harness.Run(t, f.s.AWSEnv(t), harness.Binary(t), "decode-token", tok, "--jwks-url", jwks); code != 0 || !strings.Contains(out, `"Verified": true`) {
		t.Errorf("decode-token --jwks-url: exit %d\n%s%s", code, out, errOut)
	}
	var c map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c); err != nil {
		t.Fatal(err)
	}
	if c["iss"] != "https://accounts.google.com" || c["aud"] != googleClient || c["sub"] != "bob" || c["team"] != "blue" {
		t.Fatalf("claims = %v", c)
	}
}

// production is a production server (a config file) with the development
// account, a second account, and the given extra YAML.
func production(t *testing.T, extra string) *harness.Server {
	return harness.Start(t, harness.Options{Config: `
accounts:
  - id: "000000000000"
    keys:
      - accessKeyId: test
        secretAccessKey: test
  - id: "222222222222"
    keys:
      - accessKeyId: bkey
        secretAccessKey: bsecret
providers:
  fetchTimeout: 3s
` + extra})
}

func googlePool(t *testing.T, c *cognitoidentity.Client) string {
	t.Helper()
	out, err := c.CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("google"), SupportedLoginProviders: map[string]string{"accounts.google.com": googleClient},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.IdentityPoolId)
}

func getID(t *testing.T, s *harness.Server, pool, token string) error {
	t.Helper()
	_, err := s.Anonymous(harness.Region).GetId(t.Context(), &cognitoidentity.GetIdInput{
		IdentityPoolId: aws.String(pool), Logins: map[string]string{"accounts.google.com": token}})
	return err
}

func wantAPIError(t *testing.T, err error, code, contains string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), contains) {
		t.Fatalf("error = %v, want %s containing %q", err, code, contains)
	}
}

// A production server refuses the development server's minted login, and
// refuses to mint; with testIssuer.enabled it mints logins of its own,
// which verify only for the minting account's pools.
func TestMintedLoginRefusedInProduction(t *testing.T) {
	dev := harness.Start(t, harness.Options{})
	devPool := googlePool(t, dev.Cognito())
	tok := mint(t, dev, "--provider", "accounts.google.com", "--sub", "alice")
	if err := getID(t, dev, devPool, tok); err != nil {
		t.Fatalf("development server: %v", err)
	}

	prod := production(t, "")
	prodPool := googlePool(t, prod.Cognito())
	wantAPIError(t, getID(t, prod, prodPool, tok), "NotAuthorizedException", "Invalid login token.")
	_, errOut, code := harness.Run(t, prod.AWSEnv(t), harness.Binary(t), "login", "mint", "--provider", "accounts.google.com", "--sub", "alice")
	if code == 0 || !strings.Contains(errOut, "(InvalidParameterException) when calling the MintLogin operation: Test logins are off") {
		t.Fatalf("login mint on a production server: exit %d\n%s", code, errOut)
	}
	if resp, err := http.Get(prod.URL + "/_idpool/test-issuer/" + harness.DevAccount + "/.well-known/jwks.json"); err != nil || resp.StatusCode == http.StatusOK {
		t.Fatalf("a production server publishes test keys: %v %v", err, resp)
	}

	on := production(t, "testIssuer:\n  enabled: true\n")
	if !on.WaitLog("the test issuer is on", 5*time.Second) {
		t.Errorf("no warning that the test issuer is on:\n%s", on.Logs())
	}
	onPool := googlePool(t, on.Cognito())
	wantAPIError(t, getID(t, on, onPool, tok), "NotAuthorizedException", "Invalid login token.")
	own := mint(t, on, "--provider", "accounts.google.com", "--sub", "alice")
	if err := getID(t, on, onPool, own); err != nil {
		t.Fatalf("testIssuer.enabled: its own minted login: %v\n%s", err, on.Logs())
	}
	// Account B mints a login for account A's client id: A's pool refuses it.
	env := append(on.AWSEnv(t), "AWS_ACCESS_KEY_ID=bkey", "AWS_SECRET_ACCESS_KEY=bsecret")
	out, errOut, code := harness.Run(t, env, harness.Binary(t), "login", "mint", "--provider", "accounts.google.com", "--sub", "alice", "--audience", googleClient)
	if code != 0 {
		t.Fatalf("account B mints: exit %d\n%s", code, errOut)
	}
	wantAPIError(t, getID(t, on, onPool, strings.TrimSpace(out)), "NotAuthorizedException", "Invalid login token.")
}

// Bad input is refused with AWS-shaped errors: the CLI prints the code and
// message as the aws CLI does (exit 254, or 252 for its own usage errors),
// and the wire answers the JSON protocol's error.
func TestMintBadInput(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--provider", "graph.facebook.com", "--sub", "a"}, 254, "(InvalidParameterException) when calling the MintLogin operation: Test logins are not available for graph.facebook.com"},
		{[]string{"--provider", "login.unknown.example", "--sub", "a"}, 254, "(InvalidParameterException) when calling the MintLogin operation: No OpenID Connect provider 'login.unknown.example' in IAM"},
		{[]string{"--provider", "arn:aws:iam::111111111111:saml-provider/x", "--sub", "a"}, 254, "SAML provider 'arn:aws:iam::111111111111:saml-provider/x' is not in your account."},
		{[]string{"--provider", "accounts.google.com", "--sub", "a", "--expires-in", "5x"}, 254, "(ValidationException) when calling the MintLogin operation: 1 validation error detected: Value '5x' at 'expiresIn' failed to satisfy constraint: Member must be a duration between 1s and 24h0m0s"},
		{[]string{"--provider", "accounts.google.com", "--sub", "a", "--expires-in", "48h"}, 254, "Value '48h' at 'expiresIn'"},
		{[]string{"--provider", "accounts.google.com", "--sub", "a", "--claim", "exp=1"}, 254, "Claim 'exp' is set by --expires-in"},
		{[]string{"--provider", "accounts.google.com"}, 254, "Subject is required"},
		{[]string{"--provider", "accounts.google.com", "--sub", "a", "--claim", "novalue"}, 252, `Invalid value for --claim: "novalue" is not NAME=VALUE`},
		{[]string{"--provider", "accounts.google.com", "--subject", "a"}, 252, "Unknown options: --subject"},
	}
	for _, c := range cases {
		_, errOut, code := harness.Run(t, f.s.AWSEnv(t), harness.Binary(t), append([]string{"login", "mint"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("login mint %v: exit %d %q, want %d %q", c.args, code, errOut, c.code, c.want)
		}
	}
	// The wire: 400 with the JSON protocol's __type; unsigned is refused (403).
	status, body := call(t, f.s, true, `{"Provider":"graph.facebook.com","Subject":"a"}`)
	if status != http.StatusBadRequest || !strings.Contains(body, `"__type":"InvalidParameterException"`) {
		t.Errorf("MintLogin facebook: %d %s", status, body)
	}
	status, body = call(t, f.s, false, `{"Provider":"accounts.google.com","Subject":"a"}`)
	if status != http.StatusForbidden || !strings.Contains(body, "MissingAuthenticationToken") {
		t.Errorf("unsigned MintLogin: %d %s", status, body)
	}
	// --output json gives the whole answer.
	out, _, _ := harness.Run(t, f.s.AWSEnv(t), harness.Binary(t), "login", "mint", "--provider", "accounts.google.com", "--sub", "a", "--output", "json")
	var answer struct {
		Token, Provider, Audience string
		Expiration                int64
	}
	if err := json.Unmarshal([]byte(out), &answer); err != nil || answer.Audience != googleClient || answer.Provider != "accounts.google.com" ||
		answer.Expiration < time.Now().Add(59*time.Minute).Unix() || answer.Expiration > time.Now().Add(61*time.Minute).Unix() {
		t.Errorf("--output json: %v %s", err, out)
	}
	if parts := strings.Split(answer.Token, "."); len(parts) != 3 {
		t.Errorf("Token = %q", answer.Token)
	} else if _, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		t.Errorf("Token payload: %v", err)
	}
}

// call posts a MintLogin body, signed with the development keys or not.
func call(t *testing.T, s *harness.Server, signed bool, body string) (int, string) {
	t.Helper()
	key, secret := "", ""
	if signed {
		key, secret = harness.DevAccessKey, harness.DevSecretKey
	}
	status, b := s.Extension(t, key, secret, "MintLogin", body)
	return status, string(b)
}

// A SAML provider created from the test issuer's published metadata (with
// the aws CLI) trusts the test issuer alone: a minted response becomes an
// identity, and is single use.
func TestSAMLProviderFromPublishedMetadata(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	cli := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	status, md := harness.Get(t, s.URL+"/_idpool/test-issuer/"+harness.DevAccount+"/saml/metadata.xml")
	if status != http.StatusOK || !strings.Contains(md, "X509Certificate") {
		t.Fatalf("metadata: %d %s", status, md)
	}
	file := filepath.Join(t.TempDir(), "metadata.xml")
	if err := os.WriteFile(file, []byte(md), 0o600); err != nil {
		t.Fatal(err)
	}
	arn, errOut, code := harness.Run(t, s.AWSEnv(t), cli, "iam", "create-saml-provider", "--name", "idpool-test",
		"--saml-metadata-document", "file://"+file, "--endpoint-url", s.URL, "--output", "text", "--query", "SAMLProviderArn")
	if code != 0 {
		t.Fatalf("aws iam create-saml-provider: exit %d\n%s", code, errOut)
	}
	arn = strings.TrimSpace(arn)
	pool, err := s.Cognito().CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("saml"), SamlProviderARNs: []string{arn}})
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, s, "--provider", arn, "--sub", "carol", "--claim", "department=eng")
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || !strings.Contains(string(raw), "<saml:NameID") || !strings.Contains(string(raw), "department") {
		t.Fatalf("minted SAML response: %v\n%s", err, raw)
	}
	anon := s.Anonymous(harness.Region)
	logins := map[string]string{arn: tok}
	if _, err := anon.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: logins}); err != nil {
		t.Fatalf("GetId: %v\n%s", err, s.Logs())
	}
	_, err = anon.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: logins})
	wantAPIError(t, err, "NotAuthorizedException", "already been used")
}
