package forgery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/test/harness"
)

// endpoint is one signed API of the server and the error codes its
// protocol answers signature failures with.
type endpoint struct {
	name, service string
	header        http.Header
	body          string
	// mismatch, unknown, incomplete, expired (token), presign (expired URL).
	mismatch, unknown, incomplete, expired, presign string
}

func endpoints() []endpoint {
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	return []endpoint{
		{name: "cognito ListIdentityPools", service: "cognito-identity",
			header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AWSCognitoIdentityService.ListIdentityPools"}},
			body:   `{"MaxResults":5}`, mismatch: "InvalidSignatureException", unknown: "UnrecognizedClientException",
			incomplete: "IncompleteSignatureException", expired: "ExpiredTokenException", presign: "InvalidSignatureException"},
		{name: "sts GetCallerIdentity", service: "sts", header: form, body: "Action=GetCallerIdentity&Version=2011-06-15",
			mismatch: "SignatureDoesNotMatch", unknown: "InvalidClientTokenId", incomplete: "IncompleteSignature", expired: "ExpiredToken", presign: "RequestExpired"},
		{name: "iam ListRoles", service: "iam", header: form, body: "Action=ListRoles&Version=2010-05-08",
			mismatch: "SignatureDoesNotMatch", unknown: "InvalidClientTokenId", incomplete: "IncompleteSignature", expired: "ExpiredToken", presign: "RequestExpired"},
	}
}

// signing says how to sign: credentials, scope and time.
type signing struct {
	creds   aws.Credentials
	region  string
	service string
	when    time.Time
}

func devSigning(e endpoint) signing {
	return signing{creds: aws.Credentials{AccessKeyID: harness.DevAccessKey, SecretAccessKey: harness.DevSecretKey},
		region: harness.Region, service: e.service, when: time.Now()}
}

// request builds e's request for url signed as sg says.
func (e endpoint) request(url string, sg signing) *http.Request {
	r, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(e.body))
	if err != nil {
		panic(err)
	}
	for k, v := range e.header {
		r.Header[k] = v
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), sg.creds, r, payloadHash(e.body), sg.service, sg.region, sg.when); err != nil {
		panic(err)
	}
	return r
}

// presigned builds e's request signed in its URL, valid for expires.
func (e endpoint) presigned(url string, sg signing, expires time.Duration) *http.Request {
	r, err := http.NewRequest(http.MethodPost, url+"/?X-Amz-Expires="+strconv.Itoa(int(expires/time.Second)), strings.NewReader(e.body))
	if err != nil {
		panic(err)
	}
	for k, v := range e.header {
		r.Header[k] = v
	}
	signedURL, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), sg.creds, r, payloadHash(e.body), sg.service, sg.region, sg.when)
	if err != nil {
		panic(err)
	}
	out, err := http.NewRequest(http.MethodPost, signedURL, strings.NewReader(e.body))
	if err != nil {
		panic(err)
	}
	for k, v := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = v
		}
	}
	for k, v := range e.header {
		out.Header[k] = v
	}
	return out
}

func payloadHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// nopBody is a request body holding s.
func nopBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// rewriteAuth replaces old with new in the Authorization header.
func rewriteAuth(r *http.Request, old, new string) {
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
}

// sigv4Forgeries: for the JSON service and both Query services, the
// genuine signature works and every forged one is refused.
func sigv4Forgeries(t *testing.T, w *world, n *tally) {
	url := w.s.URL
	for _, e := range endpoints() {
		if err := do(e.request(url, devSigning(e))); err != nil {
			t.Fatalf("%s: the genuine signature is refused: %v", e.name, err)
		}
		if err := do(e.presigned(url, devSigning(e), time.Minute)); err != nil {
			t.Fatalf("%s: the genuine presigned request is refused: %v", e.name, err)
		}
		type forgery struct {
			name string
			req  func() *http.Request
			want string
		}
		with := func(mut func(*signing)) func() *http.Request {
			return func() *http.Request {
				sg := devSigning(e)
				mut(&sg)
				return e.request(url, sg)
			}
		}
		after := func(mut func(*http.Request)) func() *http.Request {
			return func() *http.Request {
				r := e.request(url, devSigning(e))
				mut(r)
				return r
			}
		}
		day := time.Now().UTC().Format("20060102")
		list := []forgery{
			{"wrong secret", with(func(s *signing) { s.creds.SecretAccessKey = "test-but-wrong" }), e.mismatch},
			{"unknown access key", with(func(s *signing) { s.creds.AccessKeyID = "AKIAFORGEDFORGED0000" }), e.unknown},
			{"empty secret", with(func(s *signing) { s.creds.SecretAccessKey = "" }), e.mismatch},
			{"scope region rewritten", after(func(r *http.Request) { rewriteAuth(r, "/"+harness.Region+"/", "/eu-west-1/") }), e.mismatch},
			{"invalid region", with(func(s *signing) { s.region = "Moon_1" }), e.mismatch},
			{"region with slashes", with(func(s *signing) { s.region = "../../x" }), e.incomplete},
			{"wrong service", with(func(s *signing) { s.service = "s3" }), e.mismatch},
			{"scope service rewritten", after(func(r *http.Request) { rewriteAuth(r, "/"+e.service+"/", "/s3/") }), e.mismatch},
			{"signed 20 minutes ago (replay)", with(func(s *signing) { s.when = time.Now().Add(-20 * time.Minute) }), e.mismatch},
			{"signed a day ago (replay)", with(func(s *signing) { s.when = time.Now().Add(-24 * time.Hour) }), e.mismatch},
			{"signed 20 minutes ahead", with(func(s *signing) { s.when = time.Now().Add(20 * time.Minute) }), e.mismatch},
			{"scope date rewritten", after(func(r *http.Request) { rewriteAuth(r, "/"+day+"/", "/20200101/") }), e.mismatch},
			{"X-Amz-Date moved after signing", after(func(r *http.Request) {
				r.Header.Set("X-Amz-Date", time.Now().UTC().Add(time.Minute).Format("20060102T150405Z"))
			}), e.mismatch},
			{"host not signed", after(func(r *http.Request) { dropSigned(r, "host") }), e.incomplete},
			{"X-Amz-Date removed", after(func(r *http.Request) { r.Header.Del("X-Amz-Date") }), e.incomplete},
			{"body tampered", after(func(r *http.Request) {
				b := strings.Replace(e.body, "5", "6", 1) + "&Extra=1"
				if strings.HasPrefix(e.body, "{") {
					b = `{"MaxResults":6}`
				}
				r.Body, r.ContentLength = nopBody(b), int64(len(b))
			}), e.mismatch},
			{"signed header tampered", after(func(r *http.Request) { r.Header.Set("Content-Type", r.Header.Get("Content-Type")+";x=1") }), e.mismatch},
			{"host changed", after(func(r *http.Request) { r.Host = "evil.example:80" }), e.mismatch},
			{"signature truncated", after(func(r *http.Request) { a := r.Header.Get("Authorization"); r.Header.Set("Authorization", a[:len(a)-8]) }), e.mismatch},
			{"signature zeroed", after(func(r *http.Request) {
				a := r.Header.Get("Authorization")
				i := strings.Index(a, "Signature=") + len("Signature=")
				r.Header.Set("Authorization", a[:i]+strings.Repeat("0", 64))
			}), e.mismatch},
			{"signature of another request", after(func(r *http.Request) {
				other := endpoint{service: e.service, header: e.header, body: e.body + " "}
				r.Header.Set("Authorization", other.request(url, devSigning(e)).Header.Get("Authorization"))
			}), e.mismatch},
			{"SigV2-style header", after(func(r *http.Request) { r.Header.Set("Authorization", "AWS test:c2lnbmF0dXJl") }), e.incomplete},
			{"HMAC-SHA1 algorithm", after(func(r *http.Request) { rewriteAuth(r, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1") }), e.incomplete},
			{"no Signature part", after(func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			}), e.incomplete},
			{"presigned URL expired", func() *http.Request {
				sg := devSigning(e)
				sg.when = time.Now().Add(-10 * time.Minute)
				return e.presigned(url, sg, time.Minute)
			}, e.presign},
			{"presigned signature tampered", func() *http.Request {
				r := e.presigned(url, devSigning(e), time.Minute)
				q := r.URL.Query()
				sig := []byte(q.Get("X-Amz-Signature"))
				sig[0] ^= 1
				q.Set("X-Amz-Signature", string(sig))
				r.URL.RawQuery = q.Encode()
				return r
			}, e.mismatch},
			{"presigned and Authorization both", func() *http.Request {
				r := e.presigned(url, devSigning(e), time.Minute)
				r.Header.Set("Authorization", e.request(url, devSigning(e)).Header.Get("Authorization"))
				return r
			}, e.incomplete},
		}
		for _, f := range list {
			n.refuse(t, "sigv4", e.name+": "+f.name, do(f.req()), f.want)
		}
	}
}

// dropSigned removes h from the SignedHeaders list of the Authorization.
func dropSigned(r *http.Request, h string) {
	a := r.Header.Get("Authorization")
	a = strings.Replace(a, ";"+h+";", ";", 1)
	a = strings.Replace(a, "="+h+";", "=", 1)
	a = strings.Replace(a, ";"+h+",", ",", 1)
	r.Header.Set("Authorization", a)
}
