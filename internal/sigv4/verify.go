package sigv4

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
)

// DefaultMaxSkew is how far X-Amz-Date may be from the server's clock, as AWS.
const DefaultMaxSkew = 15 * time.Minute

// Verifier verifies SigV4 signatures. The zero value of Now and MaxSkew
// means time.Now and DefaultMaxSkew. A Verifier is safe for concurrent use.
type Verifier struct {
	Keyring auth.Keyring
	Now     func() time.Time
	MaxSkew time.Duration
	// Regions reports whether the server answers service in region; nil:
	// every well-formed region.
	Regions func(service, region string) bool
}

// Scope is the credential scope of a verified request.
type Scope struct {
	Date, Region, Service string
}

// regionPattern keeps regions usable inside identity ids
// (REGION:UUID, pattern [\w-]+:[0-9a-f-]+) and ARNs.
var regionPattern = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// Verify checks the Authorization header (or presigned query) of r, whose
// full body is body, for any service. It returns an *Error of Kind
// NoSignature when r carries no signature at all.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*auth.Principal, Scope, error) {
	return v.VerifyService(ctx, r, body, "")
}

// VerifyService is Verify that also requires the credential scope to name
// service (when service is not empty).
func (v *Verifier) VerifyService(ctx context.Context, r *http.Request, body []byte, service string) (*auth.Principal, Scope, error) {
	sig, ferr := parse(r)
	if ferr != nil {
		return nil, Scope{}, ferr
	}
	if err := v.checkScope(sig, service); err != nil {
		return nil, sig.scope, err
	}
	if err := v.checkTime(sig); err != nil {
		return nil, sig.scope, err
	}
	p, secret, err := v.Keyring.Lookup(ctx, sig.accessKeyID, sig.sessionToken)
	switch {
	case errors.Is(err, auth.ErrExpiredKey):
		return nil, sig.scope, fail(ExpiredToken, msgExpiredToken)
	case errors.Is(err, auth.ErrUnknownKey), errors.Is(err, auth.ErrBadSessionToken):
		return nil, sig.scope, fail(UnknownKey, msgInvalidToken)
	case err != nil:
		return nil, sig.scope, err // a keyring failure, not the client's
	}
	want, err := compute(ctx, r, body, sig, secret)
	if err != nil {
		return nil, sig.scope, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig.signature)) != 1 {
		return nil, sig.scope, fail(Mismatch, msgMismatch)
	}
	return &p, sig.scope, nil
}

func (v *Verifier) checkScope(sig *signature, service string) *Error {
	if !slices.Contains(sig.signedHeaders, "host") {
		return fail(Incomplete, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if day := sig.date.Format(dateForm); sig.scope.Date != day {
		return fail(Mismatch, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from 'X-Amz-Date'.", apierr.Echo(sig.scope.Date), day))
	}
	if !regionPattern.MatchString(sig.scope.Region) {
		return fail(Mismatch, "Credential should be scoped to a valid region. ")
	}
	if v.Regions != nil && !v.Regions(sig.scope.Service, sig.scope.Region) {
		// AWS's text from a regional endpoint signed for another region.
		return fail(Mismatch, "Credential should be scoped to a valid region, not '"+sig.scope.Region+"'. ")
	}
	if service != "" && sig.scope.Service != service {
		return fail(Mismatch, "Credential should be scoped to correct service: '"+service+"'. ")
	}
	if sig.terminator != terminator {
		return fail(Mismatch, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+apierr.Echo(sig.terminator)+"'. ")
	}
	return nil
}

func (v *Verifier) checkTime(sig *signature) *Error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	t := now().UTC()
	mins := strconv.Itoa(int(skew / time.Minute))
	if sig.presigned && sig.expires > 0 {
		// Valid for X-Amz-Expires seconds from X-Amz-Date: refused from
		// date+expires on, as every expiry in idpool is ([inf] AWS's
		// behaviour at the exact second is not documented).
		if !t.Before(sig.date.Add(sig.expires)) {
			return fail(PresignExpired, "Signature expired: "+sig.rawDate+" is now earlier than "+
				t.Add(-sig.expires).Format(amzDateForm)+" ("+t.Format(amzDateForm)+" - "+strconv.Itoa(int(sig.expires/time.Second))+" sec.)")
		}
	} else if early := t.Add(-skew); sig.date.Before(early) {
		return fail(Skew, "Signature expired: "+sig.rawDate+" is now earlier than "+early.Format(amzDateForm)+
			" ("+t.Format(amzDateForm)+" - "+mins+" min.)")
	}
	if late := t.Add(skew); sig.date.After(late) {
		return fail(Skew, "Signature not yet current: "+sig.rawDate+" is still later than "+late.Format(amzDateForm)+
			" ("+t.Format(amzDateForm)+" + "+mins+" min.)")
	}
	return nil
}

// compute returns the signature r should carry: computeFast for the common
// shape, computeSDK for the rest.
func compute(ctx context.Context, r *http.Request, body []byte, sig *signature, secret string) (string, error) {
	if got, ok := computeFast(r, body, sig, secret); ok {
		return got, nil
	}
	return computeSDK(ctx, r, body, sig, secret)
}

// computeSDK signs a copy of r that carries only the signed headers, with the
// SDK's signer, and returns the signature it produced. Header keys are put
// in lower case on purpose: the SDK skips a few canonical keys
// (User-Agent, Expect, ...) that some clients (Java SDK v1) do sign, and its
// exclusion list matches canonical keys only.
func computeSDK(ctx context.Context, r *http.Request, body []byte, sig *signature, secret string) (string, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	rr := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	for _, h := range sig.signedHeaders {
		switch h {
		case "host", "x-amz-date":
			// The signer writes these itself (from Host and the signing time).
		case "content-length":
			n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
			if err != nil {
				n = r.ContentLength
			}
			rr.ContentLength = n
		case "x-amz-security-token":
			if !sig.presigned {
				rr.Header[h] = r.Header.Values(h)
			}
		default:
			rr.Header[h] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: sig.accessKeyID, SecretAccessKey: secret, SessionToken: sig.sessionToken}
	// A fresh signer per request: the SDK's key cache is keyed by access key
	// id, not secret, which is wrong for a verifier whose secrets may change.
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableSessionToken = true // the token is signed only when listed in SignedHeaders
		o.DisableHeaderHoisting = true
	})
	if sig.presigned {
		q := u.Query()
		q.Del("X-Amz-Signature")
		u.RawQuery = q.Encode()
		signed, _, err := signer.PresignHTTP(ctx, creds, rr, payload, sig.scope.Service, sig.scope.Region, sig.date)
		if err != nil {
			return "", err
		}
		su, err := url.Parse(signed)
		if err != nil {
			return "", err
		}
		return su.Query().Get("X-Amz-Signature"), nil
	}
	if err := signer.SignHTTP(ctx, creds, rr, payload, sig.scope.Service, sig.scope.Region, sig.date); err != nil {
		return "", err
	}
	// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=HEX"
	_, got, _ := strings.Cut(rr.Header.Get("Authorization"), "Signature=")
	return got, nil
}
