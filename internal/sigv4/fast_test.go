package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	// Several secrets, days, regions and services, so that the signing key
	// cache is hit, missed and never confuses one key with another.
	secrets := []string{"secret", "secret2", "", strings.Repeat("s", 70), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	days := []time.Time{time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 1, 0, time.UTC),
		time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC)}
	regions := []string{"us-east-1", "eu-west-1", "us-east-12"}
	services := []string{"cognito-identity", "sts", "iam", strings.Repeat("x", 300)}
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
		date := days[rng.IntN(len(days))]
		secret := secrets[rng.IntN(len(secrets))]
		sig := &signature{accessKeyID: "AKID",
			scope:      Scope{Date: date.Format(dateForm), Region: regions[rng.IntN(len(regions))], Service: services[rng.IntN(len(services))]},
			terminator: terminator, signedHeaders: signed, date: date, rawDate: date.Format(amzDateForm),
			sessionToken: r.Header.Get("X-Amz-Security-Token")}

		want, err := computeSDK(context.Background(), r, body, sig, secret)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := computeFast(r, body, sig, secret)
		if !ok {
			declined++
			continue
		}
		fast++
		if got != want {
			t.Fatalf("request %d: fast %s, SDK %s\nsecret %q scope %+v method %s host %q tls %v signed %v header %v cl %d body %q",
				n, got, want, secret, sig.scope, r.Method, r.Host, r.TLS != nil, signed, r.Header, r.ContentLength, body)
		}
	}
	t.Logf("fast path: %d requests equal to the SDK's signature, %d declined", fast, declined)
	if fast < 1000 || declined == 0 {
		t.Fatalf("coverage: %d fast, %d declined", fast, declined)
	}
}

// TestHMACKey32 compares the allocation-free HMAC of a signing key with
// crypto/hmac on messages of every length around the block size.
func TestHMACKey32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for n := range 300 {
		var key [sha256.Size]byte
		for i := range key {
			key[i] = byte(rng.IntN(256))
		}
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.IntN(256))
		}
		m := hmac.New(sha256.New, key[:])
		m.Write(msg)
		want := m.Sum(nil)
		buf := append(make([]byte, sha256.BlockSize), msg...)
		if got := hmacKey32(&key, buf); !bytes.Equal(got[:], want) {
			t.Fatalf("length %d: %x, crypto/hmac %x", n, got, want)
		}
	}
}

// TestSigningKeyCache: a cached signing key is the one derived from the
// same secret, day, region and service, whatever was cached before, and the
// cache stays bounded.
func TestSigningKeyCache(t *testing.T) {
	c := keyCache{m: map[keyID][sha256.Size]byte{}}
	for i := range 3 * maxSigningKeys {
		secret := "s" + strconv.Itoa(i%(maxSigningKeys+7))
		day := []byte("2026112" + strconv.Itoa(i%3))
		region := []string{"us-east-1", "eu-west-1"}[i%2]
		want := deriveKey(secret, string(day), region, "sts")
		if got := c.get(secret, day, region, "sts"); got != want {
			t.Fatalf("entry %d: cached key differs from the derived one", i)
		}
		if len(c.m) > maxSigningKeys {
			t.Fatalf("%d entries", len(c.m))
		}
	}
	long := strings.Repeat("k", maxSigningKeyID)
	if got, want := c.get(long, []byte("20261122"), "us-east-1", "sts"), deriveKey(long, "20261122", "us-east-1", "sts"); got != want {
		t.Fatal("long secret")
	}
	if _, ok := c.m[keyID{secret: long, region: "us-east-1", service: "sts", day: [8]byte([]byte("20261122"))}]; ok {
		t.Fatal("an oversized entry was kept")
	}
}

// TestKnownKeysAreCanonical: a wrong entry in knownKeys would read a header
// the request does not have and refuse its signature.
func TestKnownKeysAreCanonical(t *testing.T) {
	for lower, canon := range knownKeys {
		if want := http.CanonicalHeaderKey(lower); canon != want || strings.ToLower(canon) != lower {
			t.Errorf("knownKeys[%q] = %q, want %q", lower, canon, want)
		}
	}
	if got := canonicalKey("x-custom-thing"); got != "X-Custom-Thing" {
		t.Errorf("canonicalKey of an unknown header = %q", got)
	}
}
