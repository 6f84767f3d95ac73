package faults

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// setLifetimes calls IdpoolService.SetLifetimes with the development keys.
func setLifetimes(t *testing.T, s *harness.Server, body string) map[string]any {
	t.Helper()
	status, out := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "SetLifetimes", body)
	if status != http.StatusOK {
		t.Fatalf("SetLifetimes %s: %d %v", body, status, out)
	}
	return out
}

func stsClient(s *harness.Server, creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
}

// Short lifetimes: credentials and tokens expire when they say, exactly;
// AWS's defaults stay without them.
func TestShortLifetimesExpireExactly(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	pool := guestPool(t, s.Cognito(), "short")
	other := guestPool(t, s.Cognito(), "default")
	anon := s.Anonymous(harness.Region)
	ctx := t.Context()
	setLifetimes(t, s, `{"IdentityPoolId":"`+pool+`","Credentials":"3s","OpenIdToken":"2s"}`)

	guest := func(p string) string {
		id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(p)})
		if err != nil {
			t.Fatal(err)
		}
		return *id.IdentityId
	}
	id := guest(pool)
	start := time.Now()
	out, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	exp := *out.Credentials.Expiration
	if d := exp.Sub(start); d < 1*time.Second || d > 4*time.Second {
		t.Fatalf("credentials set to 3s expire in %v", d)
	}
	c := out.Credentials
	static := stsClient(s, credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretKey, *c.SessionToken))
	if _, err := static.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("fresh short-lived credentials refused: %v", err)
	}
	time.Sleep(time.Until(exp) + 50*time.Millisecond)
	_, err = static.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errorsAs(err, &ae) || ae.ErrorCode() != "ExpiredToken" {
		t.Errorf("credentials used after their Expiration: %v, want ExpiredToken", err)
	}

	tok, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if iat, exp := claims(t, *tok.Token); exp-iat != 2 {
		t.Errorf("GetOpenIdToken with OpenIdToken 2s: exp-iat = %d", exp-iat)
	}
	// The other pool keeps AWS's lifetimes: 1 hour and 10 minutes.
	id2 := guest(other)
	out2, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(id2)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*out2.Credentials.Expiration); d < 59*time.Minute || d > time.Hour {
		t.Errorf("a pool without short lifetimes vends credentials for %v", d)
	}
	tok2, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: aws.String(id2)})
	if err != nil {
		t.Fatal(err)
	}
	if iat, exp := claims(t, *tok2.Token); exp-iat != 600 {
		t.Errorf("a pool without short lifetimes: token exp-iat = %d", exp-iat)
	}
}

func claims(t *testing.T, token string) (iat, exp int64) {
	t.Helper()
	parts := strings.Split(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Iat, Exp int64 }
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c.Iat, c.Exp
}

// The Go SDK's credentials cache over a Cognito credentials provider, and
// the JavaScript SDK's fromCognitoIdentityPool, refresh credentials that
// expire every few seconds across a loop of signed GetCallerIdentity calls,
// without one error.
func TestSDKsRefreshShortCredentials(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	pool := guestPool(t, s.Cognito(), "refresh")
	setLifetimes(t, s, `{"Credentials":"4s"}`)
	anon := s.Anonymous(harness.Region)
	const loop = 12 * time.Second

	t.Run("go", func(t *testing.T) {
		id, err := anon.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
		if err != nil {
			t.Fatal(err)
		}
		var fetched atomic.Int32
		cognito := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			out, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
			if err != nil {
				return aws.Credentials{}, err
			}
			fetched.Add(1)
			c := out.Credentials
			return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretKey, SessionToken: *c.SessionToken,
				CanExpire: true, Expires: *c.Expiration, Source: "cognito"}, nil
		})
		// Refresh 1s before expiry, as SDKs do, so no request is signed
		// with credentials that end on its way.
		cache := aws.NewCredentialsCache(cognito, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = time.Second })
		client := stsClient(s, cache)
		calls := 0
		for end := time.Now().Add(loop); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			out, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("call %d: %v", calls, err)
			}
			if !strings.Contains(*out.Arn, ":assumed-role/") {
				t.Fatalf("GetCallerIdentity as %s", *out.Arn)
			}
			calls++
		}
		// 12s of 4s credentials, refreshed at 3s: at least 4 fetches.
		if n := fetched.Load(); n < 4 {
			t.Errorf("%d calls over %v fetched credentials %d times, want at least 4", calls, loop, n)
		}
	})
	t.Run("javascript", func(t *testing.T) {
		node, dir := jsDir(t)
		stdout, stderr, code := harness.Run(t, nil, node, filepath.Join(dir, "cognito-refresh.mjs"), s.URL, pool, "12")
		var out struct {
			Calls  int
			Errors []string
			Keys   int
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &out) != nil {
			t.Fatalf("cognito-refresh.mjs: exit %d\n%s%s", code, stdout, stderr)
		}
		if len(out.Errors) > 0 || out.Calls < 10 || out.Keys < 3 {
			t.Errorf("fromCognitoIdentityPool over %v of 4s credentials: %+v", loop, out)
		}
	})
}

// Outside development mode short lifetimes are refused unless the config
// file enables them; enabled, the config's lifetimes apply.
func TestShortLifetimesNeedEnabling(t *testing.T) {
	prod := harness.Start(t, harness.Options{Config: twoAccounts})
	status, out := extension(t, prod, harness.DevAccessKey, harness.DevSecretKey, "SetLifetimes", `{"Credentials":"5s"}`)
	if status != http.StatusBadRequest || out["__type"] != "InvalidParameterException" || !strings.Contains(out["message"].(string), "lifetimes.enabled") {
		t.Errorf("SetLifetimes on a production server: %d %v", status, out)
	}
	_, stderr, code := harness.Run(t, nil, harness.Binary(t), "serve", "--addr", harness.FreeAddr(t), "--data-dir", t.TempDir(),
		"--config", writeConfig(t, twoAccounts+"lifetimes:\n  credentials: 5s\n"))
	if code == 0 || !strings.Contains(stderr, "set lifetimes.enabled: true") {
		t.Errorf("lifetimes without enabled: exit %d\n%s", code, stderr)
	}

	on := harness.Start(t, harness.Options{Config: twoAccounts + "lifetimes:\n  enabled: true\n  credentials: 30s\n  developerToken: 20s\n"})
	status, out = extension(t, on, harness.DevAccessKey, harness.DevSecretKey, "GetLifetimes", `{}`)
	want := map[string]any{"Credentials": "30s", "OpenIdToken": "10m0s", "DeveloperToken": "20s"}
	if status != http.StatusOK || !equalJSON(out["Lifetimes"], want) {
		t.Errorf("GetLifetimes with the config's lifetimes: %d %v", status, out)
	}
	c := on.Cognito()
	p, err := c.CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("dev"),
		DeveloperProviderName: aws.String("login.example.dev")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetOpenIdTokenForDeveloperIdentity(t.Context(), &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: p.IdentityPoolId, Logins: map[string]string{"login.example.dev": "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if iat, exp := claims(t, *tok.Token); exp-iat != 20 {
		t.Errorf("developer token without TokenDuration under developerToken 20s: exp-iat = %d", exp-iat)
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := writeFile(path, text); err != nil {
		t.Fatal(err)
	}
	return path
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
