package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/wire"
)

// fixture is a wire handler over a small operation table, served by a real
// HTTP server and called with the real SDK.
type fixture struct {
	srv    *httptest.Server
	logs   *bytes.Buffer
	called map[string]*auth.Caller
	resets int
}

func newFixture(t *testing.T, mutate func(*wire.Config)) *fixture {
	t.Helper()
	f := &fixture{logs: &bytes.Buffer{}, called: map[string]*auth.Caller{}}
	record := func(name string, out any, err error) ops.Operation {
		return ops.Operation{Name: name, Call: func(_ context.Context, c *auth.Caller, _ []byte) (any, error) {
			f.called[name] = c
			return out, err
		}}
	}
	getID := record("GetId", map[string]string{"IdentityId": "us-east-1:1a2b"}, nil)
	getID.Unsigned = true
	cfg := wire.Config{
		Operations: []ops.Operation{
			getID,
			record("ListIdentityPools", map[string]any{"IdentityPools": []any{}}, nil),
			record("DeleteIdentityPool", nil, nil),
			record("DescribeIdentityPool", nil, apierr.NotFoundf("IdentityPool 'us-east-1:x' not found.")),
			record("DescribeIdentity", nil, errors.New("sql: database is locked at store.go:12")),
			{Name: "ListIdentities", Call: func(context.Context, *auth.Caller, []byte) (any, error) { panic("boom goroutine") }},
		},
		Validator:     validator{},
		Verifier:      &sigv4.Verifier{Keyring: auth.NewStatic([]auth.Account{{ID: "000000000000", Keys: map[string]string{"test": "test"}}})},
		QueryServices: []awsquery.Service{testService{}},
		Extra:         map[string]http.Handler{"/.well-known/jwks_uri": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"keys":[]}`)) })},
		Logger:        slog.New(slog.NewJSONHandler(f.logs, nil)),
		MaxBodyBytes:  4096,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	f.srv = httptest.NewServer(wire.New(cfg))
	t.Cleanup(f.srv.Close)
	return f
}

// validator rejects ListIdentityPools without MaxResults, like the model.
type validator struct{}

func (validator) Has(string) bool { return true }
func (validator) Validate(op string, body []byte) *apierr.Error {
	if !json.Valid(body) { // the Validator contract: only valid JSON passes
		return apierr.New(apierr.Serialization, "")
	}
	if op == "ListIdentityPools" && !bytes.Contains(body, []byte("MaxResults")) {
		return apierr.New(apierr.Validation, "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
	}
	return nil
}

func (f *fixture) client(key, secret string) *cognitoidentity.Client {
	var creds aws.CredentialsProvider = aws.AnonymousCredentials{}
	if key != "" {
		creds = credentials.NewStaticCredentialsProvider(key, secret, "")
	}
	return cognitoidentity.New(cognitoidentity.Options{Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL), Credentials: creds, RetryMaxAttempts: 1})
}

// post sends a raw JSON request and decodes the answer.
func (f *fixture) post(t *testing.T, target, ctype, body string) (*http.Response, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return f.do(t, req)
}

// do sends req and decodes a JSON answer, checking it leaks no internals.
func (f *fixture) do(t *testing.T, req *http.Request) (*http.Response, map[string]string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(resp.Body)
	for _, bad := range []string{"sql", ".go:", "goroutine", "panic"} {
		if strings.Contains(raw.String(), bad) {
			t.Errorf("body leaks %q: %s", bad, raw)
		}
	}
	_ = json.Unmarshal(raw.Bytes(), &out)
	return resp, out
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.ErrorCode()
}

func TestSignedCallReachesOperationWithCaller(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.client("test", "test").ListIdentityPools(context.Background(), &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	c := f.called["ListIdentityPools"]
	if c == nil || c.Account() != "000000000000" || c.Region != "eu-west-1" || c.RequestID == "" {
		t.Fatalf("caller = %+v", c)
	}
	if strings.Contains(f.logs.String(), "Authorization") || strings.Contains(f.logs.String(), "AWS4-HMAC") {
		t.Errorf("log holds the signature: %s", f.logs)
	}
	if !strings.Contains(f.logs.String(), `"operation":"ListIdentityPools"`) || !strings.Contains(f.logs.String(), `"account":"000000000000"`) {
		t.Errorf("log line lacks fields: %s", f.logs)
	}
}

func TestEmptyOutputIsEmptyObject(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.client("test", "test").DeleteIdentityPool(context.Background(), &cognitoidentity.DeleteIdentityPoolInput{IdentityPoolId: aws.String("us-east-1:1")}); err != nil {
		t.Fatal(err)
	}
}

func TestSignatureErrors(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	in := &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(1)}
	_, err := f.client("test", "wrong").ListIdentityPools(ctx, in)
	if got := apiCode(t, err); got != apierr.InvalidSignature {
		t.Errorf("wrong secret: %s", got)
	}
	_, err = f.client("nobody", "x").ListIdentityPools(ctx, in)
	if got := apiCode(t, err); got != apierr.UnrecognizedClient {
		t.Errorf("unknown key: %s", got)
	}
	_, err = f.client("", "").ListIdentityPools(ctx, in)
	if got := apiCode(t, err); got != apierr.MissingAuthenticationToken {
		t.Errorf("unsigned admin call: %s", got)
	}
	if f.called["ListIdentityPools"] != nil {
		t.Error("operation ran for a rejected call")
	}
}

func TestUnsignedOperation(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	out, err := f.client("", "").GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String("us-east-1:1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.IdentityId) != "us-east-1:1a2b" || f.called["GetId"].Principal != nil {
		t.Errorf("out %v caller %+v", out.IdentityId, f.called["GetId"])
	}
	// Signed anyway (the aws CLI signs GetId): the signature is still checked.
	resp, body := f.signedPost(t, "GetId", `{"IdentityPoolId":"us-east-1:1"}`, "test")
	if resp.StatusCode != 200 || f.called["GetId"].Account() != "000000000000" || f.called["GetId"].Region != "eu-west-1" {
		t.Errorf("signed GetId: %d %v caller %+v", resp.StatusCode, body, f.called["GetId"])
	}
	resp, body = f.signedPost(t, "GetId", `{"IdentityPoolId":"us-east-1:1"}`, "bad")
	if resp.StatusCode != 400 || body["__type"] != apierr.InvalidSignature {
		t.Errorf("badly signed GetId: %d %v", resp.StatusCode, body)
	}
}

// signedPost sends a JSON request signed by the SDK's signer with key "test".
func (f *fixture) signedPost(t *testing.T, op, body, secret string) (*http.Response, map[string]string) {
	t.Helper()
	target := op
	if !strings.Contains(op, ".") {
		target = "AWSCognitoIdentityService." + op
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "cognito-identity", "eu-west-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return f.do(t, req)
}

func TestEnvelopeErrors(t *testing.T) {
	f := newFixture(t, nil)
	big := `{"IdentityPoolId":"` + strings.Repeat("a", 5000) + `"}`
	cases := []struct {
		name, target, ctype, body string
		status                    int
		code                      string
	}{
		{"an unknown operation", "AWSCognitoIdentityService.Nope", "application/x-amz-json-1.1", "{}", 400, apierr.UnknownOperation},
		{"no target", "", "application/x-amz-json-1.1", "{}", 400, apierr.UnknownOperation},
		{"a target of another service", "DynamoDB_20120810.ListTables", "application/x-amz-json-1.1", "{}", 400, apierr.UnknownOperation},
		{"malformed JSON", "AWSCognitoIdentityService.GetId", "application/x-amz-json-1.1", `{"IdentityPoolId":`, 400, apierr.Serialization},
		{"the long target form and application/json", "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.GetId", "application/json", `{}`, 200, ""},
		{"an oversized body", "AWSCognitoIdentityService.GetId", "application/x-amz-json-1.1", big, 400, apierr.Validation},
		{"an XML content type", "AWSCognitoIdentityService.GetId", "text/xml", "<a/>", 400, apierr.UnknownOperation},
	}
	for _, c := range cases {
		t.Run("with "+c.name, func(t *testing.T) {
			resp, body := f.post(t, c.target, c.ctype, c.body)
			if resp.StatusCode != c.status || body["__type"] != c.code {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, body, c.status, c.code)
			}
			if c.code != "" && resp.Header.Get("x-amzn-ErrorType") != c.code+":" {
				t.Errorf("x-amzn-ErrorType = %q", resp.Header.Get("x-amzn-ErrorType"))
			}
			if resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
				t.Errorf("headers: %v", resp.Header)
			}
		})
	}
}

func TestErrorBodyShape(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.client("test", "test").DescribeIdentityPool(context.Background(), &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String("us-east-1:x")})
	if got := apiCode(t, err); got != apierr.ResourceNotFound {
		t.Fatalf("code %s", got)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.ListIdentityPools")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(resp.Body)
	resp.Body.Close()
	want := `{"__type":"MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`
	if raw.String() != want {
		t.Errorf("body %s, want %s", raw, want)
	}
	if resp.Header.Get("x-amzn-ErrorMessage") != "Request is missing Authentication Token" {
		t.Errorf("x-amzn-ErrorMessage = %q", resp.Header.Get("x-amzn-ErrorMessage"))
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	_, err := f.client("test", "test").DescribeIdentity(ctx, &cognitoidentity.DescribeIdentityInput{IdentityId: aws.String("us-east-1:1")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != apierr.InternalError || strings.Contains(ae.ErrorMessage(), "sql") {
		t.Fatalf("internal error: %v", err)
	}
	_, err = f.client("test", "test").ListIdentities(ctx, &cognitoidentity.ListIdentitiesInput{IdentityPoolId: aws.String("us-east-1:1"), MaxResults: aws.Int32(1)})
	if !errors.As(err, &ae) || ae.ErrorCode() != apierr.InternalError || strings.Contains(ae.ErrorMessage(), "boom") {
		t.Fatalf("panic: %v", err)
	}
	if !strings.Contains(f.logs.String(), "database is locked") || !strings.Contains(f.logs.String(), "boom") {
		t.Errorf("causes not logged: %s", f.logs)
	}
}

func TestValidatorRunsAfterAuthentication(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.post(t, "AWSCognitoIdentityService.ListIdentityPools", "application/x-amz-json-1.1", "{}")
	if resp.StatusCode != 403 || body["__type"] != apierr.MissingAuthenticationToken {
		t.Fatalf("unsigned invalid call: %d %v", resp.StatusCode, body)
	}
	resp, body = f.signedPost(t, "ListIdentityPools", "{}", "test")
	if resp.StatusCode != 400 || body["__type"] != apierr.Validation || !strings.HasPrefix(body["message"], "1 validation error detected") {
		t.Fatalf("signed invalid call: %d %v", resp.StatusCode, body)
	}
	if f.called["ListIdentityPools"] != nil {
		t.Error("operation ran on an invalid body")
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, nil)
	req, _ := http.NewRequest(http.MethodOptions, f.srv.URL+"/", nil)
	req.Header.Set("Origin", "http://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "x-amz-target,x-custom-thing")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-custom-thing") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "amz-sdk-invocation-id") ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
	resp2, _ := f.post(t, "AWSCognitoIdentityService.Nope", "application/x-amz-json-1.1", "{}")
	if resp2.Header.Get("Access-Control-Expose-Headers") != "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date" || resp2.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("error response CORS: %v", resp2.Header)
	}
}

func TestPlainRoutes(t *testing.T) {
	f := newFixture(t, func(c *wire.Config) {})
	get := func(path string) (int, string) {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if s, b := get("/healthz"); s != 200 || b != "ok" {
		t.Errorf("healthz %d %q", s, b)
	}
	if s, b := get("/.well-known/jwks_uri"); s != 200 || b != `{"keys":[]}` {
		t.Errorf("jwks %d %q", s, b)
	}
	resp, err := http.Post(f.srv.URL+wire.ResetPath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("reset without dev mode: %d", resp.StatusCode)
	}
	resp, err = http.Post(f.srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=Echo&Items.member.1=q"))
	if err != nil {
		t.Fatal(err)
	}
	b := new(bytes.Buffer)
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(b.String(), "<EchoResponse") || !strings.Contains(b.String(), "<member>q</member>") {
		t.Errorf("form POST went to %q", b)
	}
}

func TestReset(t *testing.T) {
	var f *fixture
	f = newFixture(t, func(c *wire.Config) {
		c.Reset = func(context.Context) error { f.resets++; return nil }
	})
	resp, err := http.Post(f.srv.URL+wire.ResetPath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || f.resets != 1 {
		t.Errorf("reset: %d, %d resets", resp.StatusCode, f.resets)
	}
}
