package tokens

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
)

func decodePart(t *testing.T, part string) map[string]any {
	t.Helper()
	b, err := b64.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func TestIssueShapeAndVerify(t *testing.T) {
	clk := newClock()
	s := newService(t, Config{Now: clk.Now})
	r := sampleRequest()
	tok := issue(t, s, r)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	hdrJSON, _ := b64.DecodeString(parts[0])
	want := `{"kid":"` + s.state.Load().signer.kid + `","typ":"JWS","alg":"RS512"}`
	if string(hdrJSON) != want {
		t.Errorf("header = %s, want %s", hdrJSON, want)
	}
	claims := decodePart(t, parts[1])
	now := clk.Now().Unix()
	for k, v := range map[string]any{
		"iss": testIssuer, "aud": r.PoolID, "sub": r.IdentityID, ClaimPoolARN: r.PoolARN,
		"iat": float64(now), "exp": float64(now + 900),
	} {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	amr, _ := json.Marshal(claims["amr"])
	wantAMR, _ := json.Marshal(r.AMR)
	if string(amr) != string(wantAMR) {
		t.Errorf("amr = %s, want %s", amr, wantAMR)
	}
	tags, _ := json.Marshal(claims[ClaimTags])
	if string(tags) != `{"principal_tags":{"client":["app\"client"],"username":["1234"]}}` {
		t.Errorf("tags claim = %s", tags)
	}

	c, err := s.VerifyOpenIDToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != testIssuer || c.Audience != r.PoolID || c.Subject != r.IdentityID || c.PoolARN != r.PoolARN ||
		!slices.Equal(c.AMR, r.AMR) || !maps.Equal(c.PrincipalTags, r.PrincipalTags) ||
		c.IssuedAt.Unix() != now || c.Expiry.Unix() != now+900 || c.Raw["sub"] != r.IdentityID {
		t.Errorf("claims = %+v", c)
	}

	// A guest token: no tags claim, amr unauthenticated.
	g := sampleRequest()
	g.AMR, g.PrincipalTags, g.PoolARN = []string{"unauthenticated"}, nil, ""
	gc := decodePart(t, strings.Split(issue(t, s, g), ".")[1])
	if _, ok := gc[ClaimTags]; ok {
		t.Errorf("guest token has tags: %v", gc)
	}
	if _, ok := gc[ClaimPoolARN]; ok {
		t.Errorf("token without PoolARN has the claim: %v", gc)
	}
}

func TestIssueTTLBounds(t *testing.T) {
	s := newService(t, Config{})
	for _, ttl := range []time.Duration{0, time.Millisecond, -time.Second, MaxTTL + time.Second} {
		r := sampleRequest()
		r.TTL = ttl
		_, err := s.Issue(context.Background(), r)
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != apierr.InvalidParameter {
			t.Errorf("TTL %v: err = %v, want InvalidParameterException", ttl, err)
		}
	}
	for _, ttl := range []time.Duration{MinTTL, MaxTTL} {
		r := sampleRequest()
		r.TTL = ttl
		if _, err := s.Issue(context.Background(), r); err != nil {
			t.Errorf("TTL %v: %v", ttl, err)
		}
	}
}

// sign builds a token with an arbitrary header and payload, signed by fn.
func sign(hdr, payload string, fn func(signingInput []byte) []byte) string {
	in := b64.EncodeToString([]byte(hdr)) + "." + b64.EncodeToString([]byte(payload))
	return in + "." + b64.EncodeToString(fn([]byte(in)))
}

func TestVerifyRejects(t *testing.T) {
	clk := newClock()
	s := newService(t, Config{Now: clk.Now})
	good := issue(t, s, sampleRequest())
	ks := s.state.Load()
	kid := ks.signer.kid
	rs512 := func(key *rsa.PrivateKey) func([]byte) []byte {
		return func(in []byte) []byte {
			d := sha512.Sum512(in)
			sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA512, d[:])
			if err != nil {
				t.Fatal(err)
			}
			return sig
		}
	}
	ours := rs512(ks.signer.key)
	now := clk.Now().Unix()
	claims := func(extra string) string {
		return `{"sub":"us-east-1:x","aud":"us-east-1:p","amr":["unauthenticated"],"iss":"` + testIssuer + `"` + extra + `}`
	}
	okTimes := `,"iat":` + itoa(now) + `,"exp":` + itoa(now+600)
	hdr := `{"kid":"` + kid + `","typ":"JWS","alg":"RS512"}`
	pubDER, _ := x509.MarshalPKIXPublicKey(&ks.signer.key.PublicKey)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]string{
		"empty":      "",
		"garbage":    "not-a-token",
		"two parts":  "a.b",
		"four parts": good + ".x",
		"too long":   strings.Repeat("a", maxTokenLen+1),
		"alg none":   sign(`{"kid":"`+kid+`","alg":"none"}`, claims(okTimes), func([]byte) []byte { return nil }),
		"alg HS256 with public key as secret": sign(`{"kid":"`+kid+`","alg":"HS256"}`, claims(okTimes), func(in []byte) []byte {
			m := hmac.New(sha256.New, pubDER)
			m.Write(in)
			return m.Sum(nil)
		}),
		"alg RS256": sign(`{"kid":"`+kid+`","alg":"RS256"}`, claims(okTimes), func(in []byte) []byte {
			d := sha256.Sum256(in)
			sig, _ := rsa.SignPKCS1v15(nil, ks.signer.key, crypto.SHA256, d[:])
			return sig
		}),
		"crit header":      sign(`{"kid":"`+kid+`","alg":"RS512","crit":["exp"]}`, claims(okTimes), ours),
		"unknown kid":      sign(`{"kid":"nope","alg":"RS512"}`, claims(okTimes), ours),
		"foreign key":      sign(hdr, claims(okTimes), rs512(otherKey)),
		"wrong issuer":     sign(hdr, strings.Replace(claims(okTimes), testIssuer, "https://cognito-identity.amazonaws.com", 1), ours),
		"expired":          sign(hdr, claims(`,"iat":`+itoa(now-3600)+`,"exp":`+itoa(now-120)), ours),
		"expired 30s ago":  sign(hdr, claims(`,"iat":`+itoa(now-600)+`,"exp":`+itoa(now-30)), ours),
		"exp is now":       sign(hdr, claims(`,"iat":`+itoa(now-1)+`,"exp":`+itoa(now)), ours),
		"no exp":           sign(hdr, claims(`,"iat":`+itoa(now)), ours),
		"string exp":       sign(hdr, claims(`,"iat":`+itoa(now)+`,"exp":"`+itoa(now+600)+`"`), ours),
		"future iat":       sign(hdr, claims(`,"iat":`+itoa(now+600)+`,"exp":`+itoa(now+1200)), ours),
		"future nbf":       sign(hdr, claims(okTimes+`,"nbf":`+itoa(now+600)), ours),
		"payload not json": sign(hdr, `{"sub":`, ours),
		"no sub":           sign(hdr, `{"aud":"p","iss":"`+testIssuer+`"`+okTimes+`}`, ours),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := s.VerifyOpenIDToken(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
	// idpool is the clock of its own tokens: no allowance on exp (issue 15).
	for _, name := range []string{"expired", "expired 30s ago", "exp is now"} {
		if _, err := s.VerifyOpenIDToken(context.Background(), cases[name]); !errors.Is(err, ErrExpired) {
			t.Errorf("%s: err = %v, want ErrExpired", name, err)
		} else if ae := apierr.As(err); ae.Code != apierr.NotAuthorized || !strings.HasPrefix(ae.Message, "Invalid login token. Token expired: ") {
			t.Errorf("%s: %s %q, want AWS's NotAuthorizedException text", name, ae.Code, ae.Message)
		}
	}
	// Within their bounds the same shapes pass: the cases above fail for the
	// reason named (iat and nbf keep ClockSkew for nodes' clocks).
	for name, tok := range map[string]string{
		"self-made good":    sign(hdr, claims(okTimes), ours),
		"exp in 1 second":   sign(hdr, claims(`,"iat":`+itoa(now-600)+`,"exp":`+itoa(now+1)), ours),
		"nbf in skew":       sign(hdr, claims(okTimes+`,"nbf":`+itoa(now+30)), ours),
		"iat ahead in skew": sign(hdr, claims(`,"iat":`+itoa(now+30)+`,"exp":`+itoa(now+600)), ours),
	} {
		if _, err := s.VerifyOpenIDToken(context.Background(), tok); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestVerifyEveryByteMatters flips each byte of a token in turn.
func TestVerifyEveryByteMatters(t *testing.T) {
	s := newService(t, Config{})
	tok := issue(t, s, sampleRequest())
	if _, err := s.VerifyOpenIDToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(tok); i++ {
		b := []byte(tok)
		switch b[i] {
		case 'A':
			b[i] = 'B'
		case '.':
			b[i] = '_'
		default:
			b[i] = 'A'
		}
		if _, err := s.VerifyOpenIDToken(context.Background(), string(b)); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("byte %d changed: err = %v, want ErrInvalidToken", i, err)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
