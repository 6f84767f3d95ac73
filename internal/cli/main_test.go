package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// isolate gives Main a clean AWS environment with the development keys.
func isolate(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
		"AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"), "AWS_MAX_ATTEMPTS": "1",
		"AWS_EC2_METADATA_DISABLED": "true", "HOME": dir, "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_COGNITO_IDENTITY": "",
		"IDPOOL_ENDPOINT_URL": "", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
		"AWS_PROFILE": "", "AWS_DEFAULT_OUTPUT": "", "AWS_SESSION_TOKEN": "",
	} {
		t.Setenv(k, v)
	}
}

func runMain(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// upstream answers every call with body (status 200, or code's status).
func upstream(t *testing.T, status int, body string, seen *[]string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if seen != nil {
			*seen = append(*seen, r.Header.Get("X-Amz-Target")+" "+string(b))
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestExitCodes(t *testing.T) {
	isolate(t)
	ok := upstream(t, 200, `{"IdentityId":"us-east-1:x"}`, nil)
	notFound := upstream(t, 400, `{"__type":"ResourceNotFoundException","message":"IdentityPool 'p' not found."}`, nil)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	cases := []struct {
		args    []string
		code    int
		errPart string
	}{
		{[]string{"get-id", "--identity-pool-id", "us-east-1:p", "--endpoint-url", ok.URL}, 0, ""},
		{[]string{"cognito-identity", "get-id", "--identity-pool-id", "us-east-1:p", "--endpoint-url", ok.URL}, 0, ""},
		{[]string{"get-id"}, 252, "idpool: error: the following arguments are required: --identity-pool-id\n\n"},
		{[]string{"no-such-op"}, 252, "argument operation: Invalid choice"},
		{[]string{"get-id", "--identity-pool-id", "p", "--nope"}, 252, "Unknown options: --nope"},
		{[]string{"get-id", "--identity-pool-id", "p", "--output", "xml"}, 252, "argument --output: Invalid choice"},
		{[]string{"get-id", "--identity-pool-id", "p", "--logins", "x"}, 252, "Error parsing parameter '--logins'"},
		{[]string{"describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--endpoint-url", notFound.URL}, 254,
			"\nAn error occurred (ResourceNotFoundException) when calling the DescribeIdentityPool operation (reached max retries: 0): IdentityPool 'p' not found.\n"},
		{[]string{"describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--endpoint-url", closed.URL}, 255,
			"Could not connect to the endpoint URL: \"" + closed.URL + "/\""},
		{[]string{"describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--endpoint-url", ok.URL, "--region", ""}, 0, ""},
	}
	for _, c := range cases {
		_, errOut, code := runMain(c.args...)
		if code != c.code || !strings.Contains(errOut, c.errPart) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", c.args, code, c.code, errOut, c.errPart)
		}
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	_, errOut, code := runMain("describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--endpoint-url", ok.URL)
	if code != 253 || !strings.Contains(errOut, "You must specify a region.") {
		t.Errorf("no region: exit %d, %q", code, errOut)
	}
}

// AWS_ENDPOINT_URL_COGNITO_IDENTITY (and AWS_ENDPOINT_URL) choose the
// endpoint without --endpoint-url, through the SDK's config loader.
func TestEndpointFromEnvironment(t *testing.T) {
	isolate(t)
	var seen []string
	s := upstream(t, 200, `{"IdentityId":"us-east-1:x"}`, &seen)
	t.Setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY", s.URL)
	out, errOut, code := runMain("get-id", "--identity-pool-id", "us-east-1:p", "--output", "text")
	if code != 0 || out != "us-east-1:x\n" || len(seen) != 1 {
		t.Fatalf("exit %d out %q err %q seen %v", code, out, errOut, seen)
	}
	t.Setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY", "")
	t.Setenv("AWS_ENDPOINT_URL", s.URL)
	if _, errOut, code := runMain("get-id", "--identity-pool-id", "us-east-1:p"); code != 0 || len(seen) != 2 {
		t.Fatalf("AWS_ENDPOINT_URL: exit %d %q", code, errOut)
	}
}

// --debug logs the exchange but never tokens, secret keys or login values.
func TestDebugRedactsSecrets(t *testing.T) {
	isolate(t)
	s := upstream(t, 200, `{"IdentityId":"us-east-1:x","Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretKey":"SECRET-KEY-VALUE","SessionToken":"SESSION-TOKEN-VALUE","Expiration":1763789460}}`, nil)
	out, errOut, code := runMain("get-credentials-for-identity", "--identity-id", "us-east-1:x", "--logins", "graph.facebook.com=LOGIN-TOKEN-VALUE",
		"--endpoint-url", s.URL, "--debug")
	if code != 0 || !strings.Contains(out, "SECRET-KEY-VALUE") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "GetCredentialsForIdentity") || !strings.Contains(errOut, "Response status: 200") {
		t.Errorf("debug log lacks the exchange:\n%s", errOut)
	}
	for _, secret := range []string{"SECRET-KEY-VALUE", "SESSION-TOKEN-VALUE", "LOGIN-TOKEN-VALUE", "Authorization", "Signature="} {
		if strings.Contains(errOut, secret) {
			t.Errorf("debug output leaks %s:\n%s", secret, errOut)
		}
	}
}

func TestPaginationFollowsTokens(t *testing.T) {
	isolate(t)
	calls := 0
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		calls++
		start := 0
		if tok, ok := req["NextToken"].(string); ok {
			fmt.Sscanf(tok, "t%d", &start)
		}
		size := int(req["MaxResults"].(float64))
		var items []string
		for i := start; i < min(start+size, 5); i++ {
			items = append(items, fmt.Sprintf(`{"IdentityPoolId":"us-east-1:%d","IdentityPoolName":"p%d"}`, i, i))
		}
		next := ""
		if start+size < 5 {
			next = fmt.Sprintf(`,"NextToken":"t%d"`, start+size)
		}
		fmt.Fprintf(w, `{"IdentityPools":[%s]%s}`, strings.Join(items, ","), next)
	}))
	defer s.Close()
	out, errOut, code := runMain("list-identity-pools", "--page-size", "2", "--endpoint-url", s.URL, "--query", "IdentityPools[].IdentityPoolName", "--output", "text")
	if code != 0 || calls != 3 || strings.Fields(out)[4] != "p4" {
		t.Fatalf("exit %d calls %d out %q err %q", code, calls, out, errOut)
	}
	out, _, _ = runMain("list-identity-pools", "--page-size", "2", "--max-items", "3", "--endpoint-url", s.URL)
	var r struct {
		IdentityPools []any
		NextToken     string
	}
	json.Unmarshal([]byte(out), &r)
	if len(r.IdentityPools) != 3 || r.NextToken == "" {
		t.Fatalf("--max-items 3: %s", out)
	}
	out, _, _ = runMain("list-identity-pools", "--page-size", "2", "--starting-token", r.NextToken, "--endpoint-url", s.URL, "--query", "IdentityPools[].IdentityPoolName", "--output", "text")
	if strings.Join(strings.Fields(out), " ") != "p3 p4" {
		t.Fatalf("resume: %q", out)
	}
}

// decode-token verifies against a real issuer: an httptest server with
// discovery and a JWKS, and tokens signed with a real RSA key.
func TestDecodeToken(t *testing.T) {
	isolate(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var issuer string
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "jwks_uri": issuer + "/.well-known/jwks_uri",
			"id_token_signing_alg_values_supported": []string{"RS512"}})
	})
	mux.HandleFunc("/.well-known/jwks_uri", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS512", Use: "sig"}}})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	issuer = srv.URL
	sign := func(claims map[string]any, k *rsa.PrivateKey) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS512, Key: k}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := jws.CompactSerialize()
		return s
	}
	now := time.Now().Unix()
	good := sign(map[string]any{"iss": issuer, "sub": "us-east-1:abc", "aud": "us-east-1:pool", "exp": now + 600, "iat": now}, key)
	out, errOut, code := runMain("decode-token", good)
	if code != 0 || !strings.Contains(out, `"Verified": true`) || !strings.Contains(out, `"sub": "us-east-1:abc"`) || !strings.Contains(out, `"alg": "RS512"`) {
		t.Fatalf("good token: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runMain("decode-token", good, "--jwks-url", issuer+"/.well-known/jwks_uri"); code != 0 {
		t.Fatalf("--jwks-url: exit %d %s", code, errOut)
	}
	if _, errOut, code := runMain("decode-token", good, "--issuer", issuer); code != 0 {
		t.Fatalf("--issuer: exit %d %s", code, errOut)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	forged := sign(map[string]any{"iss": issuer, "sub": "x", "exp": now + 600}, other)
	expired := sign(map[string]any{"iss": issuer, "sub": "x", "exp": now - 600}, key)
	for name, tok := range map[string]string{"forged": forged, "expired": expired} {
		out, errOut, code := runMain("decode-token", tok)
		if code != 255 || !strings.Contains(out, `"Verified": false`) || !strings.Contains(errOut, "Token verification failed") {
			t.Errorf("%s: exit %d\n%s%s", name, code, out, errOut)
		}
	}
	if _, errOut, code := runMain("decode-token", "not-a-jwt"); code != 252 || !strings.Contains(errOut, "not a JWT") {
		t.Errorf("garbage: exit %d %s", code, errOut)
	}
}

// A profile gives credentials, region, endpoint_url and the output format.
func TestProfileSettings(t *testing.T) {
	isolate(t)
	var seen []string
	s := upstream(t, 200, `{"IdentityPoolId":"us-east-1:p","IdentityPoolName":"n","AllowUnauthenticatedIdentities":false}`, &seen)
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfg, []byte("[profile dev]\nregion = eu-west-1\noutput = text\nendpoint_url = "+s.URL+"\n"), 0o600)
	os.WriteFile(creds, []byte("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n"), 0o600)
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	out, errOut, code := runMain("describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--profile", "dev")
	if code != 0 || out != "False\tus-east-1:p\tn\n" || len(seen) != 1 {
		t.Fatalf("exit %d out %q err %q seen %v", code, out, errOut, seen)
	}
	// Without any credentials a signed operation stops before calling.
	_, errOut, code = runMain("describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--region", "us-east-1", "--endpoint-url", s.URL)
	if code != 253 || !strings.Contains(errOut, "Unable to locate credentials") || len(seen) != 1 {
		t.Fatalf("no credentials: exit %d %q", code, errOut)
	}
	// ...while the public operations need none.
	if _, errOut, code := runMain("get-id", "--identity-pool-id", "us-east-1:p", "--region", "us-east-1", "--endpoint-url", s.URL); code != 0 {
		t.Fatalf("unsigned get-id: exit %d %q", code, errOut)
	}
	if _, errOut, code := runMain("get-id", "--identity-pool-id", "us-east-1:p", "--profile", "nope"); code != 255 || !strings.Contains(errOut, "The config profile (nope) could not be found") {
		t.Fatalf("missing profile: exit %d %q", code, errOut)
	}
}
