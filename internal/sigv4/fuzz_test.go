package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/auth"
)

// The fuzz targets sign with a fixed clock, so a seed stays valid forever.
var fuzzSignTime = time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)

func fuzzVerifier() *Verifier {
	ring := auth.NewStatic([]auth.Account{{ID: "123456789012", Keys: map[string]string{"AKIDEXAMPLE": "secret-one"}}})
	return &Verifier{Keyring: ring, Now: func() time.Time { return fuzzSignTime.Add(time.Minute) }}
}

// fuzzRequest builds the request a server would see from a method, a
// request target, "Name: value" header lines (Host: sets the host) and a
// body. ok is false for what net/http would not have parsed.
func fuzzRequest(method, target, headers string) (*http.Request, bool) {
	u, err := url.ParseRequestURI(target)
	if err != nil || method == "" {
		return nil, false
	}
	r := &http.Request{Method: method, URL: u, Host: "127.0.0.1:9350", Header: http.Header{}, ContentLength: -1}
	for line := range strings.SplitSeq(headers, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if k = http.CanonicalHeaderKey(strings.TrimSpace(k)); k == "Host" {
			r.Host = strings.TrimSpace(v)
		} else {
			r.Header.Add(k, strings.TrimSpace(v))
		}
	}
	return r, true
}

// signedSeed is an SDK-signed JSON 1.1 request, as fuzz arguments.
func signedSeed(tb testing.TB, body string) (method, target, headers string) {
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.ListIdentityPools")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret-one"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "cognito-identity", "eu-west-1", fuzzSignTime); err != nil {
		tb.Fatal(err)
	}
	var h strings.Builder
	h.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\n") // as net/http leaves it
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Header {
			if !yield(k) {
				return
			}
		}
	}) {
		h.WriteString(k + ": " + r.Header.Get(k) + "\n")
	}
	return r.Method, "/", h.String()
}

// presignedSeed is an SDK-presigned STS GET.
func presignedSeed(tb testing.TB) string {
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9350/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=300", nil)
	sum := sha256.Sum256(nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret-one"}, r, hex.EncodeToString(sum[:]), "sts", "us-east-1", fuzzSignTime)
	if err != nil {
		tb.Fatal(err)
	}
	u, _ := url.Parse(signed)
	return u.RequestURI()
}

// FuzzParseAuthorization: any Authorization header, X-Amz-Date and query
// string parse to a signature or to a *Error (which the wire renders as an
// AWS 4xx), never a panic; and Verify only ever fails with a *Error.
func FuzzParseAuthorization(f *testing.F) {
	_, _, h := signedSeed(f, `{"MaxResults":10}`)
	authz, date := "", ""
	for line := range strings.SplitSeq(h, "\n") {
		if v, ok := strings.CutPrefix(line, "Authorization: "); ok {
			authz = v
		}
		if v, ok := strings.CutPrefix(line, "X-Amz-Date: "); ok {
			date = v
		}
	}
	pre, _ := url.Parse(presignedSeed(f))
	f.Add(authz, date, "")
	f.Add("", "", pre.RawQuery)
	f.Add(authz, date, pre.RawQuery)
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=", "20260524T100000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=////, SignedHeaders=host;host, Signature=zz", "99999999T999999Z", "")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1&X-Amz-Credential=a/b/c/d/e")
	f.Add("Bearer x", "", "")
	v := fuzzVerifier()
	f.Fuzz(func(t *testing.T, authz, date, rawQuery string) {
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/", RawQuery: rawQuery}, Host: "127.0.0.1:9350", Header: http.Header{}}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		sig, perr := parse(r)
		if perr != nil {
			if sig != nil || perr.Message == "" {
				t.Fatalf("parse: sig %v with error %v", sig, perr)
			}
		} else if sig.accessKeyID == "" {
			t.Fatalf("parse accepted an incomplete signature: %+v", sig)
		}
		_, _, err := v.VerifyService(context.Background(), r, nil, "")
		var se *Error
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("verify failed with %T %v, not a *sigv4.Error (would be a 500)", err, err)
		}
	})
}

// FuzzVerify: requests mutated from one signed JSON request and one
// presigned URL. Whatever the mutation, verification never panics and fails
// only with a *Error; and a request that verifies has the same signed
// content as a seed (method, host, path, query, body, signed headers), so no
// mutation of a signed byte is ever accepted.
func FuzzVerify(f *testing.F) {
	const body = `{"MaxResults":10}`
	m, tgt, h := signedSeed(f, body)
	f.Add(m, tgt, h, []byte(body))
	f.Add(m, tgt, h, []byte(`{"MaxResults":60}`))
	f.Add(m, tgt, strings.Replace(h, "ListIdentityPools", "DeleteIdentityPool", 1), []byte(body))
	f.Add(m, tgt, h+"Host: evil.example\n", []byte(body))
	f.Add(m, "/?a=b", h, []byte(body))
	f.Add(http.MethodGet, presignedSeed(f), "", []byte(nil))
	f.Add(http.MethodGet, strings.Replace(presignedSeed(f), "GetCallerIdentity", "GetSessionToken", 1), "", []byte(nil))
	v := fuzzVerifier()
	seeds := []string{}
	for _, s := range []struct {
		m, tgt, h string
		body      []byte
	}{{m, tgt, h, []byte(body)}, {http.MethodGet, presignedSeed(f), "", nil}} {
		r, _ := fuzzRequest(s.m, s.tgt, s.h)
		seeds = append(seeds, signedContent(r, s.body))
		if _, _, err := v.VerifyService(context.Background(), r, s.body, ""); err != nil {
			f.Fatalf("seed does not verify: %v", err)
		}
	}
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte) {
		r, ok := fuzzRequest(method, target, headers)
		if !ok {
			return
		}
		p, _, err := v.VerifyService(context.Background(), r, body, "")
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("verify failed with %T %v, not a *sigv4.Error (would be a 500)", err, err)
			}
			return
		}
		if p == nil || p.AccountID != "123456789012" {
			t.Fatalf("verified with principal %+v", p)
		}
		if got := signedContent(r, body); !slices.Contains(seeds, got) {
			t.Fatalf("a request with changed signed content verified:\n%s\nseeds:\n%s", got, strings.Join(seeds, "\n--\n"))
		}
	})
}

// signedContent is what a signature covers, in SigV4's canonical form:
// method, host, path, sorted query (without the signature), body, and the
// trimmed, space-collapsed values of the headers SignedHeaders names.
func signedContent(r *http.Request, body []byte) string {
	sig, err := parse(r)
	if err != nil {
		return "unparsable"
	}
	q := r.URL.Query()
	q.Del("X-Amz-Signature")
	for _, vs := range q {
		slices.Sort(vs)
	}
	var b strings.Builder
	b.WriteString(r.Method + "\n" + r.Host + "\n" + r.URL.Path + "\n" + q.Encode() + "\n" + string(body) + "\n")
	for _, h := range sig.signedHeaders {
		if h == "host" {
			continue
		}
		vals := r.Header.Values(h)
		for i, v := range vals {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		// Header names are case-insensitive: SignedHeaders=x-amz-tArget
		// names the same header, so it is the same signed content.
		b.WriteString(strings.ToLower(h) + ":" + strings.Join(vals, ",") + "\n")
	}
	return b.String()
}
