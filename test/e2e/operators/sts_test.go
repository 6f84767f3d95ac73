// Package operators tests idpool in front of STS-aware storage: an
// external STS with role ARNs of its own form, its refusals in idpool's log
// and metrics, an STS that is down or slow, principal tags in the basic
// flow's token, and (opt-in, IDPOOL_TEST_MINIO) a real MinIO.
package operators

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// The role ARN forms of the test: MinIO's, and one the operator configures.
const (
	minioRole     = "arn:minio:iam:::role/dfOt7WuF2i6bU4x0ZGrL5rBY1Ek"
	exampleRole   = "arn:example:iam::000000000000:role/guest"
	examplePatten = `arn:example:iam::\d{12}:role/[\w/-]+`
)

// guestPool creates a pool that lets guests in (and knows Facebook, for a
// Rules mapping) and returns it with a guest identity.
func guestPool(t *testing.T, s *harness.Server) (pool, guest string) {
	t.Helper()
	p, err := s.Cognito().CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("operators"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "app"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Anonymous(harness.Region).GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(p.IdentityPoolId), aws.ToString(id.IdentityId)
}

func setRoles(s *harness.Server, pool string, roles map[string]string, mappings map[string]types.RoleMapping) error {
	_, err := s.Cognito().SetIdentityPoolRoles(context.Background(), &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(pool), Roles: roles, RoleMappings: mappings})
	return err
}

// credentialsOf is GetCredentialsForIdentity for a guest: its credentials.
func credentialsOf(s *harness.Server, identityID string) (aws.Credentials, error) {
	out, err := s.Anonymous(harness.Region).GetCredentialsForIdentity(context.Background(), &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(identityID)})
	if err != nil {
		return aws.Credentials{}, err
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretKey), SessionToken: aws.ToString(c.SessionToken)}, nil
}

// wantAPIError checks err's code, message and HTTP status.
func wantAPIError(t *testing.T, err error, code, msg string, status int) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || !errors.As(err, &re) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) || re.HTTPStatusCode() != status {
		t.Fatalf("got %s %q (HTTP %d), want %s %q (HTTP %d)", ae.ErrorCode(), ae.ErrorMessage(), re.HTTPStatusCode(), code, msg, status)
	}
}

// rules is a Rules mapping for Facebook logins whose one rule names role.
func rules(role string) map[string]types.RoleMapping {
	return map[string]types.RoleMapping{"graph.facebook.com": {Type: types.RoleMappingTypeRules, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeDeny,
		RulesConfiguration: &types.RulesConfigurationType{Rules: []types.MappingRule{{Claim: aws.String("sub"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("alice"), RoleARN: aws.String(role)}}}}}
}

const seed = `IdentityPools:
  - IdentityPoolName: seeded
    AllowUnauthenticatedIdentities: true
    Roles:
      unauthenticated: ` + minioRole + `
      authenticated: ` + exampleRole + `
`

// TestExternalSTSRoleForms runs a second idpool as the external STS of a
// front configured with --sts-kind minio and a role ARN pattern of its own
// (arn:example:...). Both processes share one store and issuer, so the STS
// verifies the front's tokens; it parses any partition, so it vends for the
// example form and refuses MinIO's, which shows the refusal path.
func TestExternalSTSRoleForms(t *testing.T) {
	dir := t.TempDir()
	frontAddr := harness.FreeAddr(t)
	issuer := "http://" + frontAddr
	stsSrv := harness.Start(t, harness.Options{DataDir: dir, Args: []string{"--issuer", issuer}})
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seedFile, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	front := harness.Start(t, harness.Options{DataDir: dir, Addr: frontAddr, Args: []string{"--issuer", issuer,
		"--sts-endpoint", stsSrv.URL, "--sts-kind", "minio", "--sts-role-arn-pattern", examplePatten, "--seed", seedFile}})
	ctx := context.Background()
	pool, guest := guestPool(t, front)

	// Without an external STS (the STS process itself), neither form goes.
	for _, arn := range []string{minioRole, exampleRole} {
		wantAPIError(t, setRoles(stsSrv, pool, map[string]string{"unauthenticated": arn}, nil), "InvalidParameterException", "Invalid role ARN: '"+arn+"'.", 400)
		wantAPIError(t, setRoles(stsSrv, pool, map[string]string{}, rules(arn)), "InvalidParameterException", "Invalid role ARN: '"+arn+"'.", 400)
	}
	// The front takes both in roles and in Rules mappings, and AWS's form
	// no longer: it is neither MinIO's nor the pattern's.
	if err := setRoles(front, pool, map[string]string{"unauthenticated": exampleRole, "authenticated": minioRole}, rules(minioRole)); err != nil {
		t.Fatal(err)
	}
	got, err := front.Cognito().GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(pool)})
	if err != nil || got.Roles["authenticated"] != minioRole || aws.ToString(got.RoleMappings["graph.facebook.com"].RulesConfiguration.Rules[0].RoleARN) != minioRole {
		t.Fatalf("roles %+v %v", got, err)
	}
	aws0 := "arn:aws:iam::000000000000:role/guest"
	wantAPIError(t, setRoles(front, pool, map[string]string{"unauthenticated": aws0}, nil), "InvalidParameterException", "Invalid role ARN: '"+aws0+"'.", 400)
	// The seed (a stack file) gave its pool roles of both forms.
	list, err := front.Cognito().ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	seeded := ""
	for _, p := range list.IdentityPools {
		if aws.ToString(p.IdentityPoolName) == "seeded" {
			seeded = aws.ToString(p.IdentityPoolId)
		}
	}
	sr, err := front.Cognito().GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(seeded)})
	if err != nil || sr.Roles["unauthenticated"] != minioRole || sr.Roles["authenticated"] != exampleRole {
		t.Fatalf("seeded pool %q: %+v %v", seeded, sr, err)
	}

	// The example form: the STS vends, the credentials are its own.
	vended, err := credentialsOf(front, guest)
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity: %v\nfront:\n%s\nsts:\n%s", err, front.Logs(), stsSrv.Logs())
	}
	who, err := awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(stsSrv.URL), Credentials: credentials.StaticCredentialsProvider{Value: vended}, RetryMaxAttempts: 1}).
		GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(who.Arn), ":assumed-role/guest/CognitoIdentityCredentials") {
		t.Fatalf("caller %v %v", who, err)
	}

	// MinIO's form: the STS refuses it. The client gets AWS's answer; the
	// log says what the STS answered, without the token.
	if err := setRoles(front, pool, map[string]string{"unauthenticated": minioRole}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = credentialsOf(front, guest)
	wantAPIError(t, err, "InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.", 400)
	if !front.WaitLog("external STS refused", 5*time.Second) {
		t.Fatalf("no refusal in the log:\n%s", front.Logs())
	}
	line := logLine(front.Logs(), "external STS refused")
	for _, want := range []string{"code=ValidationError", `message="Request ARN is invalid"`, "role=" + minioRole, "status=400", "endpoint=" + stsSrv.URL} {
		if !strings.Contains(line, want) {
			t.Errorf("refusal line lacks %s:\n%s", want, line)
		}
	}
	if strings.Contains(front.Logs(), "eyJ") {
		t.Errorf("a token reached the log:\n%s", front.Logs())
	}
	if n := harness.Metric(t, front.URL, `idpool_external_sts_refusals_total{code="ValidationError"}`); n != 1 {
		t.Errorf("refusals counted: %v", n)
	}

	// The STS down: a retryable server-side failure, logged with its cause.
	if err := setRoles(front, pool, map[string]string{"unauthenticated": exampleRole}, nil); err != nil {
		t.Fatal(err)
	}
	if err := stsSrv.Stop(); err != nil {
		t.Logf("stopping the STS: %v", err)
	}
	_, err = credentialsOf(front, guest)
	wantAPIError(t, err, "InternalErrorException", "Credentials cannot be obtained right now. Please try again later.", 500)
	if !front.WaitLog("connection refused", 5*time.Second) {
		t.Fatalf("no cause in the log:\n%s", front.Logs())
	}
	if line := logLine(front.Logs(), "connection refused"); !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "(unreachable)") {
		t.Errorf("failure line: %s", line)
	}
	if n := harness.Metric(t, front.URL, `idpool_external_sts_unavailable_total{reason="unreachable"}`); n != 1 {
		t.Errorf("unavailable counted: %v", n)
	}
}

// TestExternalSTSTimeout: an STS that accepts connections and never
// answers is a 5xx after --sts-timeout, not a 400 and not a hang.
func TestExternalSTSTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	front := harness.Start(t, harness.Options{Args: []string{"--sts-endpoint", "http://" + l.Addr().String(), "--sts-timeout", "1s"}})
	pool, guest := guestPool(t, front)
	if err := setRoles(front, pool, map[string]string{"unauthenticated": "arn:aws:iam::000000000000:role/guest"}, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = credentialsOf(front, guest)
	took := time.Since(start)
	wantAPIError(t, err, "InternalErrorException", "", 500)
	if took < time.Second || took > 4*time.Second {
		t.Errorf("answered after %s, want about the 1s timeout", took)
	}
	if !front.WaitLog("no answer within 1s", 5*time.Second) {
		t.Fatalf("no timeout in the log:\n%s", front.Logs())
	}
	if n := harness.Metric(t, front.URL, `idpool_external_sts_unavailable_total{reason="timeout"}`); n != 1 {
		t.Errorf("timeouts counted: %v", n)
	}
}

// logLine returns the first line of logs that contains substr.
func logLine(logs, substr string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, substr) {
			return l
		}
	}
	return ""
}
