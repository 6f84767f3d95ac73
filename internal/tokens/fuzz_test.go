package tokens

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/identity"
)

// FuzzVerify: no input panics. With claimsOnly false the input is verified
// as a token, and only the token the issuer issued verifies (every byte is
// signed or strictly encoded, so any change must be refused). With
// claimsOnly true the input is a payload given to the claim checks that run
// after a valid signature: what passes has this issuer, an audience, a
// subject and times that hold at the clock.
func FuzzVerify(f *testing.F) {
	clk := newClock()
	s := newService(f, Config{Now: clk.Now})
	good := issue(f, s, sampleRequest())
	signer := s.state.Load().signer
	now := itoa(clk.Now().Unix())
	unsigned := func([]byte) []byte { return nil }
	f.Add(good, false)
	f.Add(good[:len(good)-1], false)
	f.Add(strings.Replace(good, ".", "..", 1), false)
	f.Add(sign(`{"kid":"`+signer.kid+`","alg":"none"}`, `{"sub":"s","aud":"a"}`, unsigned), false)
	f.Add(sign(`{"kid":"`+signer.kid+`","alg":"RS512","crit":[]}`, `[]`, unsigned), false)
	f.Add(sign(`{"kid":"nope","alg":"RS512"}`, `{}`, unsigned), false)
	f.Add(`{"iss":"`+testIssuer+`","sub":"s","aud":"a","iat":`+now+`,"exp":`+now+`}`, true)
	f.Add(`{"iss":"`+testIssuer+`","sub":"s","aud":"a","iat":1e300,"exp":-1e300,"nbf":"x"}`, true)
	f.Add(`{"iss":"`+testIssuer+`","sub":"s","aud":"a","iat":0.5,"exp":1e15,"amr":[1,"a"],"https://aws.amazon.com/tags":{"principal_tags":{"k":["v",2],"j":[]}}}`, true)
	f.Fuzz(func(t *testing.T, tok string, claimsOnly bool) {
		var c *identity.OpenIDClaims
		var err error
		if claimsOnly {
			// The checks behind a valid signature, without paying for an
			// RSA signature per input (slow under fuzz instrumentation).
			c, err = s.checkClaims([]byte(tok))
		} else {
			c, err = s.VerifyOpenIDToken(context.Background(), tok)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
			return
		}
		if !claimsOnly && tok != good {
			t.Fatalf("a token that was not issued verified: %q", tok)
		}
		switch {
		case c.Issuer != testIssuer, c.Audience == "", c.Subject == "":
			t.Fatalf("verified claims lack iss/aud/sub: %+v", c)
		case !clk.Now().Before(c.Expiry), c.IssuedAt.After(clk.Now().Add(ClockSkew)):
			t.Fatalf("verified a token outside its times: %+v", c)
		}
	})
}
