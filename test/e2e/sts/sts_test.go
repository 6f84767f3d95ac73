// Package sts drives idpool's embedded STS and IAM end to end: a real server
// process, the AWS SDK for Go's cognitoidentity, iam and sts clients, and the
// aws CLI. It covers the basic (classic) flow GetId -> GetOpenIdToken ->
// AssumeRoleWithWebIdentity with trust policies created through IAM, the
// enhanced flow's credentials, and an idpool that vends credentials through
// a second idpool acting as an external STS.
package sts

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

const account = harness.DevAccount

func iamClient(s *harness.Server) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, ""),
	})
}

func stsClient(s *harness.Server, creds aws.CredentialsProvider) *awssts.Client {
	if creds == nil {
		creds = aws.AnonymousCredentials{}
	}
	return awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
}

// trust is a Cognito trust policy as AWS's documentation writes it.
func trust(pool, amr string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"` + amr + `"}}}]}`
}

func createRole(t *testing.T, s *harness.Server, name, policy string) string {
	t.Helper()
	out, err := iamClient(s).CreateRole(context.Background(), &awsiam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy),
	})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}

// guestToken creates a pool that allows guests and returns it with a guest
// identity and its OpenID token.
func guestToken(t *testing.T, s *harness.Server) (pool, identityID, token string) {
	t.Helper()
	ctx := context.Background()
	p, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("sts e2e"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: p.IdentityPoolId, AccountId: aws.String(account)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(p.IdentityPoolId), aws.ToString(id.IdentityId), aws.ToString(tok.Token)
}

func assume(s *harness.Server, roleARN, token string) (*awssts.AssumeRoleWithWebIdentityOutput, error) {
	return stsClient(s, nil).AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("e2e-session"), WebIdentityToken: aws.String(token),
	})
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestBasicFlowWithTrustPolicies(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	pool, identityID, token := guestToken(t, s)

	guestRole := createRole(t, s, "Cognito_Unauth", trust(pool, "unauthenticated"))
	authRole := createRole(t, s, "Cognito_Auth", trust(pool, "authenticated"))
	otherPoolRole := createRole(t, s, "Other_Unauth", trust(harness.Region+":00000000-0000-0000-0000-000000000000", "unauthenticated"))

	out, err := assume(s, guestRole, token)
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v\n%s", err, s.Logs())
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != identityID || aws.ToString(out.Audience) != pool {
		t.Errorf("subject %s audience %s", aws.ToString(out.SubjectFromWebIdentityToken), aws.ToString(out.Audience))
	}
	wantARN := "arn:aws:sts::" + account + ":assumed-role/Cognito_Unauth/e2e-session"
	if aws.ToString(out.AssumedRoleUser.Arn) != wantARN {
		t.Errorf("AssumedRoleUser.Arn = %s", aws.ToString(out.AssumedRoleUser.Arn))
	}

	// Denied by the amr condition (a guest on the authenticated role) and by
	// the aud condition (a role that trusts another pool).
	for _, role := range []string{authRole, otherPoolRole} {
		_, err := assume(s, role, token)
		var re interface{ HTTPStatusCode() int }
		if errCode(err) != "AccessDenied" || !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
			t.Errorf("%s: want AccessDenied 403, got %v", role, err)
		}
	}

	// The vended credentials sign GetCallerIdentity, which names the role.
	c := out.Credentials
	vended := credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	who, err := stsClient(s, vended).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != wantARN || aws.ToString(who.Account) != account {
		t.Errorf("GetCallerIdentity = %s %s", aws.ToString(who.Arn), aws.ToString(who.Account))
	}
	// A forged session token is refused.
	forged := []byte(aws.ToString(c.SessionToken))
	forged[len(forged)/2] ^= 1
	bad := credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), string(forged))
	if _, err := stsClient(s, bad).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); errCode(err) != "InvalidClientTokenId" {
		t.Errorf("forged session token: %v", err)
	}
	// A tampered web identity token is refused.
	if _, err := assume(s, guestRole, token[:len(token)-20]+strings.Repeat("A", 20)); errCode(err) != "InvalidIdentityToken" {
		t.Errorf("tampered token: %v", err)
	}

	// The enhanced flow vends through the same STS, as
	// assumed-role/ROLE/CognitoIdentityCredentials.
	if _, err := s.Cognito().SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(pool), Roles: map[string]string{"unauthenticated": guestRole, "authenticated": authRole},
	}); err != nil {
		t.Fatal(err)
	}
	cr, err := s.Anonymous(harness.Region).GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(identityID)})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity: %v", err)
	}
	enh := credentials.NewStaticCredentialsProvider(aws.ToString(cr.Credentials.AccessKeyId), aws.ToString(cr.Credentials.SecretKey), aws.ToString(cr.Credentials.SessionToken))
	who, err = stsClient(s, enh).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::" + account + ":assumed-role/Cognito_Unauth/CognitoIdentityCredentials"; aws.ToString(who.Arn) != want {
		t.Errorf("enhanced flow caller = %s, want %s", aws.ToString(who.Arn), want)
	}
}

func TestAWSCLI(t *testing.T) {
	cli := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	s := harness.Start(t, harness.Options{})
	pool, identityID, token := guestToken(t, s)
	env := s.AWSEnv(t)
	// Debian's aws 2.9 predates AWS_ENDPOINT_URL: name the endpoint on every call.
	run := func(env []string, args ...string) (string, string, int) {
		return harness.Run(t, env, cli, append([]string{"--endpoint-url", s.URL}, args...)...)
	}

	stdout, stderr, code := run(env, "iam", "create-role", "--role-name", "CliGuest",
		"--assume-role-policy-document", trust(pool, "unauthenticated"), "--output", "json")
	if code != 0 {
		t.Fatalf("aws iam create-role: %d %s", code, stderr)
	}
	var created struct {
		Role struct{ Arn, RoleId, AssumeRolePolicyDocument any }
	}
	if err := json.Unmarshal([]byte(stdout), &created); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	roleARN, _ := created.Role.Arn.(string)
	if roleARN != "arn:aws:iam::"+account+":role/CliGuest" {
		t.Fatalf("create-role: %s", stdout)
	}
	// The CLI decodes the URL-encoded document into JSON.
	if doc, ok := created.Role.AssumeRolePolicyDocument.(map[string]any); !ok || doc["Version"] != "2012-10-17" {
		t.Errorf("AssumeRolePolicyDocument as the CLI shows it: %v", created.Role.AssumeRolePolicyDocument)
	}

	stdout, stderr, code = run(env, "sts", "assume-role-with-web-identity", "--role-arn", roleARN,
		"--role-session-name", "cli", "--web-identity-token", token, "--output", "json")
	if code != 0 {
		t.Fatalf("aws sts assume-role-with-web-identity: %d %s", code, stderr)
	}
	var out struct {
		Credentials                 struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser             struct{ Arn string }
		SubjectFromWebIdentityToken string
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if out.AssumedRoleUser.Arn != "arn:aws:sts::"+account+":assumed-role/CliGuest/cli" || out.SubjectFromWebIdentityToken != identityID {
		t.Errorf("assume output: %s", stdout)
	}

	// The CLI signs with the vended credentials.
	vendedEnv := append(append([]string{}, env...),
		"AWS_ACCESS_KEY_ID="+out.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY="+out.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN="+out.Credentials.SessionToken)
	stdout, stderr, code = run(vendedEnv, "sts", "get-caller-identity", "--output", "json")
	if code != 0 || !strings.Contains(stdout, "assumed-role/CliGuest/cli") {
		t.Fatalf("get-caller-identity: %d %s %s", code, stdout, stderr)
	}

	// AWS's error surfaces through the CLI.
	_, stderr, code = run(env, "iam", "create-role", "--role-name", "CliGuest",
		"--assume-role-policy-document", trust(pool, "unauthenticated"))
	if code == 0 || !strings.Contains(stderr, "EntityAlreadyExists") {
		t.Errorf("duplicate create-role: %d %s", code, stderr)
	}
	_, stderr, code = run(env, "iam", "create-role", "--role-name", "Broken", "--assume-role-policy-document", "{")
	if code == 0 || !strings.Contains(stderr, "MalformedPolicyDocument") {
		t.Errorf("malformed policy: %d %s", code, stderr)
	}
}

// TestExternalSTS runs two idpool processes on one data directory and one
// issuer: "front" is configured with --sts-endpoint pointing at "sts", so its
// GetCredentialsForIdentity goes over HTTP to the other process's STS, which
// verifies the token (the shared store holds the signing keys) and the role's
// trust policy.
func TestExternalSTS(t *testing.T) {
	dir := t.TempDir()
	frontAddr := harness.FreeAddr(t)
	issuer := "http://" + frontAddr
	backend := harness.Start(t, harness.Options{DataDir: dir, Args: []string{"--issuer", issuer}})
	front := harness.Start(t, harness.Options{DataDir: dir, Addr: frontAddr, Args: []string{"--issuer", issuer, "--sts-endpoint", backend.URL}})
	ctx := context.Background()

	pool, identityID, _ := guestToken(t, front)
	role := createRole(t, front, "External_Unauth", trust(pool, "unauthenticated"))
	if _, err := front.Cognito().SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(pool), Roles: map[string]string{"unauthenticated": role},
	}); err != nil {
		t.Fatal(err)
	}
	cr, err := front.Anonymous(harness.Region).GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(identityID)})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity via the external STS: %v\nfront:\n%s\nsts:\n%s", err, front.Logs(), backend.Logs())
	}
	keyID := aws.ToString(cr.Credentials.AccessKeyId)
	vended := credentials.NewStaticCredentialsProvider(keyID, aws.ToString(cr.Credentials.SecretKey), aws.ToString(cr.Credentials.SessionToken))
	who, err := stsClient(backend, vended).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(aws.ToString(who.Arn), ":assumed-role/External_Unauth/CognitoIdentityCredentials") {
		t.Errorf("caller = %s", aws.ToString(who.Arn))
	}
	// The front depends on the external STS: without it, no credentials.
	if err := backend.Stop(); err != nil {
		t.Logf("stopping the external STS: %v", err)
	}
	if _, err := front.Anonymous(harness.Region).GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(identityID)}); err == nil {
		t.Error("GetCredentialsForIdentity succeeded with the external STS stopped: the front vended by itself")
	}
}
