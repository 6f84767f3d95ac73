package sigv4

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestComputeFastMatchesSDK generates requests of every kind the fast path
// takes (and some it must decline) and checks it returns exactly what the
// SDK signer path returns: odd header spacing, repeated and missing
// values, signed and unsigned content-length, default and other ports,
// IPv6 hosts, TLS, session tokens.
func TestComputeFastMatchesSDK(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	hosts := []string{"127.0.0.1:9350", "localhost", "example.com:80", "example.com:443", "[::1]:80", "[::1]:9350",
		"[::1]", " spaced.example ", "a  b:80", ""}
	values := []string{"application/x-amz-json-1.1", "  padded  ", "\tx  y\t", "a  b   c", "", " ", "x,y", "AWSCognitoIdentityService.GetId"}
	names := []string{"content-type", "x-amz-target", "x-amz-security-token", "user-agent", "x-custom", "content-length",
		"authorization", "expect", "x-amz-date", "host", "accept"}
	date := time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)
	fast, declined := 0, 0
	for n := 0; n < 3000; n++ {
		r := &http.Request{Method: []string{"POST", "GET", "PUT"}[rng.IntN(3)], Header: http.Header{},
			URL: &url.URL{Path: "/"}, Host: hosts[rng.IntN(len(hosts))]}
		switch rng.IntN(12) {
		case 0:
			r.URL.Path = "/other"
		case 1:
			r.URL.RawQuery = "a=b"
		}
		if rng.IntN(2) == 0 {
			r.TLS = &tls.ConnectionState{}
		}
		body := make([]byte, rng.IntN(40))
		for i := range body {
			body[i] = byte('a' + rng.IntN(26))
		}
		r.ContentLength = int64(rng.IntN(3)) * int64(len(body))
		for _, h := range names {
			if rng.IntN(2) == 0 {
				continue
			}
			for range 1 + rng.IntN(2) {
				r.Header.Add(h, values[rng.IntN(len(values))])
			}
		}
		if rng.IntN(2) == 0 {
			r.Header.Set("Content-Length", []string{"0", strconv.Itoa(len(body)), "abc", "-3"}[rng.IntN(4)])
		}
		var signed []string
		for _, h := range names {
			if rng.IntN(3) == 0 {
				signed = append(signed, h)
			}
		}
		slices.Sort(signed)
		switch rng.IntN(15) {
		case 0:
			signed = append(signed, "host") // duplicate or out of order
		case 1:
			if len(signed) > 0 {
				signed[0] = "Content-Type"
			}
		}
		sig := &signature{accessKeyID: "AKID", scope: Scope{Date: "20261122", Region: "us-east-1", Service: "cognito-identity"},
			terminator: terminator, signedHeaders: signed, date: date, rawDate: date.Format(amzDateForm),
			sessionToken: r.Header.Get("X-Amz-Security-Token")}

		want, err := computeSDK(context.Background(), r, body, sig, "secret")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := computeFast(r, body, sig, "secret")
		if !ok {
			declined++
			continue
		}
		fast++
		if got != want {
			t.Fatalf("request %d: fast %s, SDK %s\nmethod %s host %q tls %v signed %v header %v cl %d body %q",
				n, got, want, r.Method, r.Host, r.TLS != nil, signed, r.Header, r.ContentLength, body)
		}
	}
	t.Logf("fast path: %d requests equal to the SDK's signature, %d declined", fast, declined)
	if fast < 1000 || declined == 0 {
		t.Fatalf("coverage: %d fast, %d declined", fast, declined)
	}
}
