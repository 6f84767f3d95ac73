package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/sigv4"
)

var (
	signTime = time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)
	keyring  = auth.NewStatic([]auth.Account{{ID: "123456789012", Keys: map[string]string{"AKIDEXAMPLE": "secret-one"}}})
)

func verifier() *sigv4.Verifier {
	return &sigv4.Verifier{Keyring: keyring, Now: func() time.Time { return signTime.Add(3 * time.Minute) }}
}

// request is a JSON 1.1 call as the SDKs build it; received is what the
// server sees after the client sends it.
type request struct {
	body    string
	secret  string
	region  string
	service string
	at      time.Time
	key     string
	token   string
}

func defaults() request {
	return request{body: `{"MaxResults":10}`, secret: "secret-one", region: "eu-west-1", service: "cognito-identity", at: signTime, key: "AKIDEXAMPLE"}
}

func (q request) sign(t testing.TB) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", strings.NewReader(q.body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.ListIdentityPools")
	r.Header.Set("User-Agent", "test-agent/1.0")
	sum := sha256.Sum256([]byte(q.body))
	creds := aws.Credentials{AccessKeyID: q.key, SecretAccessKey: q.secret, SessionToken: q.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), q.service, q.region, q.at); err != nil {
		t.Fatal(err)
	}
	return r
}

func verify(t *testing.T, r *http.Request, body string) (*auth.Principal, sigv4.Scope, error) {
	t.Helper()
	return verifier().VerifyService(context.Background(), r, []byte(body), "cognito-identity")
}

func TestVerifyAcceptsSDKSignedRequest(t *testing.T) {
	q := defaults()
	p, scope, err := verify(t, q.sign(t), q.body)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if p.AccountID != "123456789012" || p.AccessKeyID != "AKIDEXAMPLE" {
		t.Errorf("principal = %+v", p)
	}
	if scope != (sigv4.Scope{Date: "20260524", Region: "eu-west-1", Service: "cognito-identity"}) {
		t.Errorf("scope = %+v", scope)
	}
}

func TestVerifyRejects(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(q *request)
		tamper  func(r *http.Request) string // returns the body the server sees
		code    string
		message string
	}{
		{name: "a wrong secret", mutate: func(q *request) { q.secret = "other" }, code: apierr.InvalidSignature, message: "The request signature we calculated does not match"},
		{name: "an unknown key", mutate: func(q *request) { q.key = "AKIDUNKNOWN" }, code: apierr.UnrecognizedClient, message: "The security token included in the request is invalid."},
		{name: "a session token on a long-term key", mutate: func(q *request) { q.token = "tok" }, code: apierr.UnrecognizedClient},
		{name: "the wrong service", mutate: func(q *request) { q.service = "sts" }, code: apierr.InvalidSignature, message: "Credential should be scoped to correct service: 'cognito-identity'. "},
		{name: "a region that can't be one", mutate: func(q *request) { q.region = "EU_WEST" }, code: apierr.InvalidSignature, message: "Credential should be scoped to a valid region. "},
		{name: "a date 20 minutes old", mutate: func(q *request) { q.at = signTime.Add(-17 * time.Minute) }, code: apierr.InvalidSignature,
			message: "Signature expired: 20260524T094300Z is now earlier than 20260524T094800Z (20260524T100300Z - 15 min.)"},
		{name: "a date in the future", mutate: func(q *request) { q.at = signTime.Add(20 * time.Minute) }, code: apierr.InvalidSignature,
			message: "Signature not yet current: 20260524T102000Z is still later than 20260524T101800Z (20260524T100300Z + 15 min.)"},
		{name: "a tampered body", tamper: func(*http.Request) string { return `{"MaxResults":60}` }, code: apierr.InvalidSignature},
		{name: "a tampered signed header", tamper: func(r *http.Request) string {
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.DeleteIdentityPool")
			return `{"MaxResults":10}`
		}, code: apierr.InvalidSignature},
		{name: "a signed header removed", tamper: func(r *http.Request) string {
			r.Header.Del("Content-Type")
			return `{"MaxResults":10}`
		}, code: apierr.InvalidSignature},
		{name: "a different host", tamper: func(r *http.Request) string {
			r.Host = "evil.example:9350"
			return `{"MaxResults":10}`
		}, code: apierr.InvalidSignature},
		{name: "host left out of SignedHeaders", tamper: func(r *http.Request) string {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;", 1))
			return `{"MaxResults":10}`
		}, code: apierr.IncompleteSignature},
		{name: "a scope date that is not X-Amz-Date's", tamper: func(r *http.Request) string {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260524/", "/20260523/", 1))
			return `{"MaxResults":10}`
		}, code: apierr.InvalidSignature, message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260523' != '20260524', from 'X-Amz-Date'."},
		{name: "a bad terminator", tamper: func(r *http.Request) string {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "aws4_request", "aws4_reqest", 1))
			return `{"MaxResults":10}`
		}, code: apierr.InvalidSignature},
		{name: "no X-Amz-Date", tamper: func(r *http.Request) string {
			r.Header.Del("X-Amz-Date")
			return `{"MaxResults":10}`
		}, code: apierr.IncompleteSignature},
		{name: "a bearer token", tamper: func(r *http.Request) string {
			r.Header.Set("Authorization", "Bearer abc")
			return `{"MaxResults":10}`
		}, code: apierr.IncompleteSignature},
		{name: "no signature parameter", tamper: func(r *http.Request) string {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			return `{"MaxResults":10}`
		}, code: apierr.IncompleteSignature, message: "Authorization header requires 'Signature' parameter."},
		{name: "a garbled credential", tamper: func(r *http.Request) string {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00")
			return `{"MaxResults":10}`
		}, code: apierr.IncompleteSignature},
		{name: "no signature at all", tamper: func(r *http.Request) string {
			r.Header.Del("Authorization")
			return `{"MaxResults":10}`
		}, code: apierr.MissingAuthenticationToken, message: "Request is missing Authentication Token"},
	}
	for _, c := range cases {
		t.Run("with "+c.name, func(t *testing.T) {
			q := defaults()
			if c.mutate != nil {
				c.mutate(&q)
			}
			r := q.sign(t)
			body := q.body
			if c.tamper != nil {
				body = c.tamper(r)
			}
			p, _, err := verify(t, r, body)
			if err == nil {
				t.Fatalf("verified as %+v, want %s", p, c.code)
			}
			se, ok := err.(*sigv4.Error)
			if !ok {
				t.Fatalf("error %T %v is not a *sigv4.Error", err, err)
			}
			got := se.JSON()
			if got.Code != c.code || !strings.HasPrefix(got.Message, c.message) {
				t.Errorf("got %s %q, want %s %q", got.Code, got.Message, c.code, c.message)
			}
		})
	}
}

func TestVerifyAcceptsSignedUserAgentAndSessionToken(t *testing.T) {
	// A keyring that knows a session key: the token must reach Lookup.
	ring := auth.Chain{keyring, sessionRing{}}
	v := &sigv4.Verifier{Keyring: ring, Now: func() time.Time { return signTime }}
	q := defaults()
	q.key, q.secret, q.token = "ASIASESSION", "session-secret", "the-token"
	r := q.sign(t)
	if _, _, err := v.Verify(context.Background(), r, []byte(q.body)); err != nil {
		t.Fatalf("session-signed request: %v", err)
	}
	r.Header.Set("X-Amz-Security-Token", "forged")
	if _, _, err := v.Verify(context.Background(), r, []byte(q.body)); err == nil || err.(*sigv4.Error).Kind != sigv4.UnknownKey {
		t.Fatalf("forged token: %v", err)
	}
}

type sessionRing struct{}

func (sessionRing) Lookup(_ context.Context, id, token string) (auth.Principal, string, error) {
	if id != "ASIASESSION" {
		return auth.Principal{}, "", auth.ErrUnknownKey
	}
	if token != "the-token" {
		return auth.Principal{}, "", auth.ErrBadSessionToken
	}
	return auth.Principal{AccountID: "123456789012", AccessKeyID: id}, "session-secret", nil
}

func TestVerifyHeadersSDKWouldSkip(t *testing.T) {
	// Java SDK v1 signs User-Agent; the SDK's signer skips it by default, so
	// sign the canonical request by hand here as such a client would.
	q := defaults()
	r := q.sign(t)
	auth0 := r.Header.Get("Authorization")
	if !strings.Contains(auth0, "SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target,") {
		t.Fatalf("unexpected SDK signed headers: %s", auth0)
	}
	// Re-sign with user-agent included, through a lower-case key the signer keeps.
	r2 := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", strings.NewReader(q.body))
	for k, v := range r.Header {
		if k != "Authorization" && k != "X-Amz-Date" {
			r2.Header[k] = v
		}
	}
	r2.Header["user-agent"] = []string{"java-sdk/1.12"}
	sum := sha256.Sum256([]byte(q.body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: q.key, SecretAccessKey: q.secret}, r2, hex.EncodeToString(sum[:]), q.service, q.region, q.at); err != nil {
		t.Fatal(err)
	}
	delete(r2.Header, "user-agent")
	r2.Header.Set("User-Agent", "java-sdk/1.12")
	if !strings.Contains(r2.Header.Get("Authorization"), "user-agent") {
		t.Fatalf("user-agent not signed: %s", r2.Header.Get("Authorization"))
	}
	if _, _, err := verify(t, r2, q.body); err != nil {
		t.Fatalf("verify: %v", err)
	}
	r2.Header.Set("User-Agent", "other")
	if _, _, err := verify(t, r2, q.body); err == nil {
		t.Fatal("a changed signed User-Agent verified")
	}
}

func TestVerifyPresigned(t *testing.T) {
	body := ""
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9350/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=300", nil)
	sum := sha256.Sum256(nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret-one"}, r, hex.EncodeToString(sum[:]), "sts", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	get := func(u string) *http.Request { return httptest.NewRequest(http.MethodGet, u, nil) }
	p, scope, err := verifier().Verify(context.Background(), get(signed), []byte(body))
	if err != nil {
		t.Fatalf("presigned: %v", err)
	}
	if p.AccountID != "123456789012" || scope.Service != "sts" {
		t.Errorf("principal %+v scope %+v", p, scope)
	}
	tampered := strings.Replace(signed, "GetCallerIdentity", "GetSessionToken", 1)
	if _, _, err := verifier().Verify(context.Background(), get(tampered), nil); err == nil {
		t.Error("tampered presigned URL verified")
	}
	late := &sigv4.Verifier{Keyring: keyring, Now: func() time.Time { return signTime.Add(6 * time.Minute) }}
	_, _, err = late.Verify(context.Background(), get(signed), nil)
	if se, ok := err.(*sigv4.Error); !ok || se.Query().Code != sigv4.QueryRequestExpired {
		t.Errorf("expired presigned URL: %v", err)
	}
	// X-Amz-Expires=300: valid through the 299th second, refused at the 300th.
	for secs, ok := range map[time.Duration]bool{299: true, 300: false} {
		at := &sigv4.Verifier{Keyring: keyring, Now: func() time.Time { return signTime.Add(secs * time.Second) }}
		if _, _, err := at.Verify(context.Background(), get(signed), nil); (err == nil) != ok {
			t.Errorf("presigned URL %d s after X-Amz-Date: %v, want accepted=%v", secs, err, ok)
		}
	}
	u, _ := url.Parse(signed)
	q := u.Query()
	q.Del("X-Amz-Expires")
	u.RawQuery = q.Encode()
	if _, _, err := verifier().Verify(context.Background(), get(u.String()), nil); err == nil || err.(*sigv4.Error).Kind != sigv4.Mismatch {
		t.Errorf("signed X-Amz-Expires removed: %v", err)
	}
	q.Set("X-Amz-Expires", "0")
	u.RawQuery = q.Encode()
	if _, _, err := verifier().Verify(context.Background(), get(u.String()), nil); err == nil || err.(*sigv4.Error).Kind != sigv4.Incomplete {
		t.Errorf("X-Amz-Expires=0: %v", err)
	}

	// Presigned without X-Amz-Expires (the Go SDK's PresignGetCallerIdentity):
	// valid inside the skew window around X-Amz-Date, refused outside it.
	r = httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9350/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	bare, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret-one"}, r, hex.EncodeToString(sum[:]), "sts", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := late.Verify(context.Background(), get(bare), nil); err != nil {
		t.Errorf("no X-Amz-Expires, 6 minutes on: %v", err)
	}
	stale := &sigv4.Verifier{Keyring: keyring, Now: func() time.Time { return signTime.Add(16 * time.Minute) }}
	if _, _, err := stale.Verify(context.Background(), get(bare), nil); err == nil || err.(*sigv4.Error).Kind != sigv4.Skew {
		t.Errorf("no X-Amz-Expires, 16 minutes on: %v", err)
	}
}

func TestQueryRendering(t *testing.T) {
	cases := map[sigv4.Kind]string{
		sigv4.NoSignature:  sigv4.QueryMissingAuthenticationToken,
		sigv4.Incomplete:   sigv4.QueryIncompleteSignature,
		sigv4.Mismatch:     sigv4.QuerySignatureDoesNotMatch,
		sigv4.Skew:         sigv4.QuerySignatureDoesNotMatch,
		sigv4.UnknownKey:   sigv4.QueryInvalidClientTokenID,
		sigv4.ExpiredToken: sigv4.QueryExpiredToken,
	}
	for kind, code := range cases {
		if got := (&sigv4.Error{Kind: kind, Message: "m"}).Query().Code; got != code {
			t.Errorf("kind %d: %s, want %s", kind, got, code)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	q := defaults()
	r := q.sign(b)
	body := []byte(q.body)
	v := verifier()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.VerifyService(ctx, r, body, "cognito-identity"); err != nil {
			b.Fatal(err)
		}
	}
}
