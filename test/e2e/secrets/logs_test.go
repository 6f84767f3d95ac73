package secrets

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// trust lets pool's identities (guest or authenticated) assume a role.
func trust(pool string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"*authenticated"}}}]}`
}

// flow runs every secret-bearing call against s, succeeding and failing,
// and returns the secrets it saw and the error messages clients got.
func flow(t *testing.T, s *harness.Server, p *fakeidp.OIDC) (sec *secretSet, clientErrors, cliDebug []string) {
	t.Helper()
	ctx := t.Context()
	sec = &secretSet{}
	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	fails := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s succeeded; it must fail", what)
		}
		clientErrors = append(clientErrors, err.Error())
	}
	admin := cognitoClient(s, creds(accessKey, secretKey, ""))
	anon := s.Anonymous(harness.Region)

	prov, err := iamClient(s).CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(p.URL()), ClientIDList: []string{"app"}, ThumbprintList: []string{p.Thumbprint()}})
	ok("CreateOpenIDConnectProvider", err)
	pool, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("secrets"),
		AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true), DeveloperProviderName: aws.String("login.secrets"),
		OpenIdConnectProviderARNs: []string{aws.ToString(prov.OpenIDConnectProviderArn)}})
	ok("CreateIdentityPool", err)
	poolID := pool.IdentityPoolId
	role, err := iamClient(s).CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("SecretsUsers"), AssumeRolePolicyDocument: aws.String(trust(*poolID))})
	ok("CreateRole", err)
	roleARN := role.Role.Arn
	_, err = admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: poolID,
		Roles: map[string]string{"authenticated": *roleARN, "unauthenticated": *roleARN}})
	ok("SetIdentityPoolRoles", err)

	// Guest: GetId, GetOpenIdToken, GetCredentialsForIdentity.
	guest, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: poolID, AccountId: aws.String(account)})
	ok("GetId", err)
	tok, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: guest.IdentityId})
	ok("GetOpenIdToken", err)
	sec.add("guest OpenID token", aws.ToString(tok.Token))
	gc, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: guest.IdentityId})
	ok("GetCredentialsForIdentity (guest)", err)
	sec.add("guest SecretKey", aws.ToString(gc.Credentials.SecretKey))
	sec.add("guest SessionToken", aws.ToString(gc.Credentials.SessionToken))

	// Developer identity.
	dev, err := admin.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: poolID,
		Logins: map[string]string{"login.secrets": "dev-user-1"}, PrincipalTags: map[string]string{"team": "blue"}})
	ok("GetOpenIdTokenForDeveloperIdentity", err)
	sec.add("developer OpenID token", aws.ToString(dev.Token))
	dc, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: dev.IdentityId,
		Logins: map[string]string{"cognito-identity.amazonaws.com": aws.ToString(dev.Token)}})
	ok("GetCredentialsForIdentity (developer)", err)
	sec.add("developer SecretKey", aws.ToString(dc.Credentials.SecretKey))
	sec.add("developer SessionToken", aws.ToString(dc.Credentials.SessionToken))

	// OIDC login.
	login := p.IDToken(t, "oidc-user-1", "app", time.Now().Add(time.Hour))
	sec.add("OIDC login token", login)
	logins := map[string]string{p.Host(): login}
	oid, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: poolID, Logins: logins})
	ok("GetId (OIDC)", err)
	oc, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: oid.IdentityId, Logins: logins})
	ok("GetCredentialsForIdentity (OIDC)", err)
	sec.add("OIDC SecretKey", aws.ToString(oc.Credentials.SecretKey))
	sec.add("OIDC SessionToken", aws.ToString(oc.Credentials.SessionToken))

	// STS: the basic flow, then the vended credentials signing a call.
	as, err := stsClient(s, aws.AnonymousCredentials{}).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: roleARN, RoleSessionName: aws.String("secrets-e2e"), WebIdentityToken: tok.Token})
	ok("AssumeRoleWithWebIdentity", err)
	sec.add("STS SecretAccessKey", aws.ToString(as.Credentials.SecretAccessKey))
	sec.add("STS SessionToken", aws.ToString(as.Credentials.SessionToken))
	vended := creds(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))
	_, err = stsClient(s, vended).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	ok("GetCallerIdentity (vended)", err)

	// Failures: forged or tampered tokens, wrong secrets.
	badLogin := login[:len(login)-4] + "AAAA"
	sec.add("tampered OIDC login token", badLogin)
	_, err = anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: poolID, Logins: map[string]string{p.Host(): badLogin}})
	fails("GetId with a tampered login", err)
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: oid.IdentityId, Logins: map[string]string{p.Host(): badLogin}})
	fails("GetCredentialsForIdentity with a tampered login", err)
	badOpenID := aws.ToString(dev.Token)[:len(aws.ToString(dev.Token))-4] + "AAAA"
	sec.add("tampered OpenID token", badOpenID)
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: dev.IdentityId,
		Logins: map[string]string{"cognito-identity.amazonaws.com": badOpenID}})
	fails("GetCredentialsForIdentity with a tampered OpenID token", err)
	_, err = stsClient(s, aws.AnonymousCredentials{}).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: roleARN, RoleSessionName: aws.String("forged"), WebIdentityToken: aws.String(badOpenID)})
	fails("AssumeRoleWithWebIdentity with a tampered token", err)
	wrongSecret := "wrong-secret-access-key-0123456789abcdef"
	sec.add("wrong secret", wrongSecret)
	_, err = cognitoClient(s, creds(accessKey, wrongSecret, "")).ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(5)})
	fails("ListIdentityPools signed with a wrong secret", err)
	badSession := aws.ToString(as.Credentials.SessionToken)
	badSession = badSession[:len(badSession)/2] + strings.Repeat("A", len(badSession)-len(badSession)/2)
	sec.add("tampered session token", badSession)
	_, err = stsClient(s, creds(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), badSession)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	fails("GetCallerIdentity with a tampered session token", err)
	_, err = cognitoClient(s, vended).ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(5)})
	fails("ListIdentityPools with vended credentials", err)
	// idpool's CLI with --debug: its log (stderr) must redact what the
	// calls carry; the output (stdout) is where they belong.
	cliEnv := []string{"AWS_ACCESS_KEY_ID=" + accessKey, "AWS_SECRET_ACCESS_KEY=" + secretKey, "AWS_REGION=" + harness.Region,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	for _, args := range [][]string{
		{"get-open-id-token", "--identity-id", aws.ToString(dev.IdentityId), "--logins", "cognito-identity.amazonaws.com=" + aws.ToString(dev.Token)},
		{"get-credentials-for-identity", "--identity-id", aws.ToString(dev.IdentityId), "--logins", "cognito-identity.amazonaws.com=" + aws.ToString(dev.Token)},
		{"get-open-id-token-for-developer-identity", "--identity-pool-id", *poolID, "--logins", "login.secrets=dev-user-1"},
	} {
		out, errOut, code := harness.Run(t, cliEnv, harness.Binary(t), append([]string{"cognito-identity", "--debug", "--endpoint-url", s.URL}, args...)...)
		if code != 0 {
			t.Fatalf("idpool %s: exit %d\n%s", args[0], code, errOut)
		}
		var res struct {
			Token       string
			Credentials struct{ SecretKey, SessionToken string }
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("idpool %s output: %v\n%s", args[0], err, out)
		}
		sec.add("CLI "+args[0]+" Token", res.Token)
		sec.add("CLI "+args[0]+" SecretKey", res.Credentials.SecretKey)
		sec.add("CLI "+args[0]+" SessionToken", res.Credentials.SessionToken)
		if !strings.Contains(errOut, "GetOpenIdToken") && !strings.Contains(errOut, "GetCredentialsForIdentity") {
			t.Errorf("idpool %s --debug logged nothing of the call:\n%s", args[0], errOut)
		}
		cliDebug = append(cliDebug, errOut)
	}

	// A raw request whose body is a login token where JSON is expected.
	resp, err := http.Post(s.URL+"/", "application/x-amz-json-1.1", strings.NewReader(login))
	if err == nil {
		resp.Body.Close()
	}
	return sec, clientErrors, cliDebug
}

// TestNoSecretsInLogs runs the flow against a server logging at debug level
// in each log format and scans everything it printed.
func TestNoSecretsInLogs(t *testing.T) {
	p := fakeidp.NewOIDC(t, "k1")
	var scanned, secretsSeen, leaks int
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			encKey := newEncryptionKey()
			s := startServer(t, encKey, []string{"SSL_CERT_FILE=" + p.CertFile(t)}, "--log-level", "debug", "--log-format", format)
			sec, clientErrors, cliDebug := flow(t, s, p)
			sec.add("account secret access key", secretKey)
			sec.add("encryption key", encKey)
			if err := s.Stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
			logs := s.Logs()
			if !strings.Contains(logs, "level=DEBUG") && !strings.Contains(logs, `"level":"DEBUG"`) {
				t.Errorf("no debug lines: the scan would prove little\n%s", logs)
			}
			var found []string
			found = append(found, sec.scan("server log ("+format+")", []byte(logs))...)
			for _, d := range cliDebug {
				found = append(found, sec.scan("idpool CLI --debug log", []byte(d))...)
				scanned += len(d)
			}
			// The scanner itself finds what it must.
			if len(sec.scan("self-check", []byte("x"+secretKey+"x"))) == 0 || len(sec.scan("self-check", []byte(`{"d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`))) == 0 {
				t.Fatal("the scanner misses a planted secret")
			}
			for _, msg := range clientErrors {
				found = append(found, sec.scan("error returned to a client", []byte(msg))...)
			}
			for _, f := range found {
				t.Error("secret leaked: " + f)
			}
			scanned += len(logs)
			leaks += len(found)
			secretsSeen += len(sec.values)
			t.Logf("secrets: scanned %d bytes of %s logs and %d client error messages for %d secrets, %d found",
				len(logs), format, len(clientErrors), len(sec.values), len(found))
		})
	}
	t.Logf("secrets: scanned %d bytes of logs for %d secrets, %d found", scanned, secretsSeen, leaks)
}
