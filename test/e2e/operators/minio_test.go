package operators

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/internal/testlog"
	"github.com/idpool/idpool/test/harness"
)

// minioBinary is the MinIO server of IDPOOL_TEST_MINIO. MinIO is not
// packaged for this machine's registries but is a Go module: make test
// (scripts/test.sh) builds the pinned one in the background while the
// suite runs (4-8 minutes of mostly idle CPU) and runs these tests after
// it; run alone, they skip unless IDPOOL_TEST_MINIO names a binary.
func minioBinary(t *testing.T) string {
	t.Helper()
	p := os.Getenv("IDPOOL_TEST_MINIO")
	if p == "" {
		t.Skip("IDPOOL_TEST_MINIO is not set: to run idpool against a real MinIO, build one " +
			"(GOBIN=/tmp/minio go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c; 4-8 minutes) " +
			"and set IDPOOL_TEST_MINIO=/tmp/minio/minio; make test does this itself")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("IDPOOL_TEST_MINIO: %v", err)
	}
	return p
}

// MinIO's root account in these tests.
const (
	minioRoot     = "idpool-root"
	minioPassword = "idpool-root-password"
)

// minio is a running MinIO server.
type minio struct {
	URL  string
	logs *testlog.Buffer
}

// startMinIO runs MinIO on a fresh directory with idpool at issuer as its
// OpenID provider for clientID, plus the MINIO_IDENTITY_OPENID_* settings
// in openid (ROLE_POLICY or CLAIM_NAME). The client secret is random: MinIO
// takes HS256 tokens signed with it, and an empty one lets anyone forge them.
func startMinIO(t *testing.T, bin, addr, issuer, clientID string, openid ...string) *minio {
	t.Helper()
	secret := make([]byte, 24)
	rand.Read(secret)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "MINIO_BROWSER=off",
		"MINIO_ROOT_USER=" + minioRoot, "MINIO_ROOT_PASSWORD=" + minioPassword,
		"MINIO_IDENTITY_OPENID_CONFIG_URL=" + issuer + "/.well-known/openid-configuration",
		"MINIO_IDENTITY_OPENID_CLIENT_ID=" + clientID,
		"MINIO_IDENTITY_OPENID_CLIENT_SECRET=" + hex.EncodeToString(secret)}
	for _, kv := range openid {
		env = append(env, "MINIO_IDENTITY_OPENID_"+kv)
	}
	m := &minio{URL: "http://" + addr, logs: &testlog.Buffer{}}
	cmd := exec.Command(bin, "server", filepath.Join(t.TempDir(), "data"), "--address", addr, "--console-address", harness.FreeAddr(t))
	cmd.Env, cmd.Stdout, cmd.Stderr = env, m.logs, m.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Ready once its IAM answers (health/ready comes before that).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(m.URL + "/minio/health/ready"); err == nil {
			resp.Body.Close()
			if code, _ := m.do(t, root, "GET", "/minio/admin/v3/list-canned-policies", nil); resp.StatusCode == http.StatusOK && code == http.StatusOK {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("MinIO not ready after 30s:\n%s", m.logs.String())
		}
	}
}

// do sends a SigV4-signed S3 (or MinIO admin) request and returns the
// status and body.
func (m *minio) do(t *testing.T, creds aws.Credentials, method, path string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, m.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return harness.SignedDo(t, req, body, creds, "s3")
}

// root are MinIO's root credentials.
var root = aws.Credentials{AccessKeyID: minioRoot, SecretAccessKey: minioPassword}

// assume calls MinIO's STS AssumeRoleWithWebIdentity as the basic flow
// does (no RoleArn: claim-based MinIO wants none).
func (m *minio) assume(t *testing.T, token string) (aws.Credentials, int, string) {
	t.Helper()
	resp, err := http.PostForm(m.URL, url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"DurationSeconds": {"900"}, "WebIdentityToken": {token}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Creds struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
		} `xml:"AssumeRoleWithWebIdentityResult>Credentials"`
	}
	_ = xml.Unmarshal(b, &out)
	return aws.Credentials{AccessKeyID: out.Creds.AccessKeyID, SecretAccessKey: out.Creds.SecretAccessKey, SessionToken: out.Creds.SessionToken}, resp.StatusCode, string(b)
}

// minioRoleARN is the role ARN MinIO gives a role-policy provider: the
// base64url SHA-1 of its client id (MinIO's internal/config/identity/openid).
func minioRoleARN(clientID string) string {
	sum := sha1.Sum([]byte(clientID))
	return "arn:minio:iam:::role/" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// forgedHS256 is an HS256 token with an empty key claiming to be the pool's.
func forgedHS256(pool string) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"sub": "forged", "aud": pool, "amr": []string{"authenticated"}, "exp": time.Now().Add(time.Hour).Unix()})
	unsigned := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims)
	mac := hmac.New(sha256.New, nil)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc(mac.Sum(nil))
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// TestMinIORolePolicy: idpool with --sts-kind minio vends MinIO
// credentials in the enhanced flow with MinIO's own role ARN, which then
// create a bucket and write and read an object; a role MinIO does not know
// is refused with MinIO's text in idpool's log.
func TestMinIORolePolicy(t *testing.T) {
	bin := minioBinary(t)
	minioAddr := harness.FreeAddr(t)
	s := harness.Start(t, harness.Options{Args: []string{"--sts-endpoint", "http://" + minioAddr, "--sts-kind", "minio"}})
	pool, guest := guestPool(t, s)
	m := startMinIO(t, bin, minioAddr, s.URL, pool, "ROLE_POLICY=readwrite")
	role := minioRoleARN(pool)
	if !m.logs.Wait(role, 10*time.Second) {
		t.Fatalf("MinIO did not print role %s:\n%s", role, ansi.ReplaceAllString(m.logs.String(), ""))
	}
	if err := setRoles(s, pool, map[string]string{"unauthenticated": role}, nil); err != nil {
		t.Fatal(err)
	}
	creds, err := credentialsOf(s, guest)
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity through MinIO: %v\n%s", err, s.Logs())
	}
	if code, body := m.do(t, creds, "PUT", "/photos", nil); code != 200 {
		t.Fatalf("create bucket: %d %s", code, body)
	}
	if code, body := m.do(t, creds, "PUT", "/photos/hello.txt", []byte("hello from idpool")); code != 200 {
		t.Fatalf("put: %d %s", code, body)
	}
	if code, body := m.do(t, creds, "GET", "/photos/hello.txt", nil); code != 200 || body != "hello from idpool" {
		t.Fatalf("get: %d %s", code, body)
	}
	// A forged HS256 token with an empty key: refused, the secret is set.
	if _, code, body := m.assume(t, forgedHS256(pool)); code < 400 {
		t.Fatalf("MinIO took a forged HS256 token: %d %s", code, body)
	}

	unknown := "arn:minio:iam:::role/unknown"
	if err := setRoles(s, pool, map[string]string{"unauthenticated": unknown}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = credentialsOf(s, guest)
	wantAPIError(t, err, "InvalidIdentityPoolConfigurationException", "", 400)
	if !s.WaitLog("is not defined", 5*time.Second) {
		t.Fatalf("MinIO's refusal is not in the log:\n%s", s.Logs())
	}
	if line := logLine(s.Logs(), "external STS refused"); !strings.Contains(line, "role="+unknown) || !strings.Contains(line, "code=InvalidParameterValue") {
		t.Errorf("refusal line: %s", line)
	}
}

// TestMinIOClaims: MinIO in claim-based mode (MINIO_IDENTITY_OPENID_CLAIM_NAME=amr)
// applies the policies the token's amr names: "unauthenticated" for
// guests, "authenticated" for a developer identity, whose policy gives each
// user a folder of its own with ${jwt:sub}.
func TestMinIOClaims(t *testing.T) {
	bin := minioBinary(t)
	minioAddr := harness.FreeAddr(t)
	s := harness.Start(t, harness.Options{Args: []string{"--sts-endpoint", "http://" + minioAddr, "--sts-kind", "minio"}})
	pool, guest := guestPool(t, s)
	if _, err := s.Cognito().UpdateIdentityPool(context.Background(), &cognitoidentity.UpdateIdentityPoolInput{IdentityPoolId: aws.String(pool),
		IdentityPoolName: aws.String("operators"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		DeveloperProviderName: aws.String("login.example.dev")}); err != nil {
		t.Fatal(err)
	}
	m := startMinIO(t, bin, minioAddr, s.URL, pool, "CLAIM_NAME=amr")
	policies := map[string]string{
		"unauthenticated": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::public/*"]}]}`,
		"authenticated":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::home/${jwt:sub}/*"]}]}`,
	}
	for name, doc := range policies {
		if code, body := m.do(t, root, "PUT", "/minio/admin/v3/add-canned-policy?name="+name, []byte(doc)); code != 200 {
			t.Fatalf("add policy %s: %d %s", name, code, body)
		}
	}
	for _, b := range []string{"/public", "/home"} {
		if code, body := m.do(t, root, "PUT", b, nil); code != 200 {
			t.Fatalf("bucket %s: %d %s", b, code, body)
		}
	}
	if code, body := m.do(t, root, "PUT", "/public/notice.txt", []byte("for everyone")); code != 200 {
		t.Fatalf("put notice: %d %s", code, body)
	}

	ctx := context.Background()
	gt, err := s.Anonymous(harness.Region).GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: aws.String(guest)})
	if err != nil {
		t.Fatal(err)
	}
	gc, code, body := m.assume(t, aws.ToString(gt.Token))
	if code != 200 {
		t.Fatalf("guest AssumeRoleWithWebIdentity: %d %s", code, body)
	}
	if code, body := m.do(t, gc, "GET", "/public/notice.txt", nil); code != 200 || body != "for everyone" {
		t.Fatalf("guest read: %d %s", code, body)
	}
	if code, _ := m.do(t, gc, "PUT", "/public/graffiti.txt", []byte("x")); code != 403 {
		t.Errorf("guest write: %d, want 403", code)
	}
	// The enhanced flow works too, but MinIO ignores the role idpool chose
	// (any role of MinIO's form): amr alone decides.
	if err := setRoles(s, pool, map[string]string{"unauthenticated": "arn:minio:iam:::role/ignored"}, nil); err != nil {
		t.Fatal(err)
	}
	ec, err := credentialsOf(s, guest)
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity through claim-based MinIO: %v\n%s", err, s.Logs())
	}
	if code, body := m.do(t, ec, "GET", "/public/notice.txt", nil); code != 200 || body != "for everyone" {
		t.Fatalf("enhanced-flow guest read: %d %s", code, body)
	}

	dev, err := s.Cognito().GetOpenIdTokenForDeveloperIdentity(ctx, &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: aws.String(pool), Logins: map[string]string{"login.example.dev": "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	ac, code, body := m.assume(t, aws.ToString(dev.Token))
	if code != 200 {
		t.Fatalf("developer identity AssumeRoleWithWebIdentity: %d %s", code, body)
	}
	mine := "/home/" + aws.ToString(dev.IdentityId) + "/notes.txt"
	if code, body := m.do(t, ac, "PUT", mine, []byte("mine")); code != 200 {
		t.Fatalf("put in own folder: %d %s", code, body)
	}
	if code, _ := m.do(t, ac, "PUT", "/home/"+guest+"/notes.txt", []byte("theirs")); code != 403 {
		t.Errorf("put in another's folder: %d, want 403", code)
	}
}
