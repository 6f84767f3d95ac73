package tokens

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"testing"
)

// BenchmarkRawSign is the floor: one RS512 signature of a token-sized input.
func BenchmarkRawSign(b *testing.B) {
	s := newService(b, Config{})
	key := s.state.Load().signer.key
	in := []byte(issue(b, s, sampleRequest()))
	b.ReportAllocs()
	for b.Loop() {
		d := sha512.Sum512(in[:600])
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA512, d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	s := newService(b, Config{})
	r := sampleRequest()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Issue(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawVerify is the floor of verification: one RS512 check.
func BenchmarkRawVerify(b *testing.B) {
	s := newService(b, Config{})
	key := s.state.Load().signer.key
	d := sha512.Sum512([]byte("x"))
	sig, _ := rsa.SignPKCS1v15(nil, key, crypto.SHA512, d[:])
	b.ReportAllocs()
	for b.Loop() {
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA512, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyOpenIDToken(b *testing.B) {
	s := newService(b, Config{})
	tok := issue(b, s, sampleRequest())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.VerifyOpenIDToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
