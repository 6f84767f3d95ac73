package logins

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	gojson "github.com/goccy/go-json"
)

// signingAlgs are the JWS algorithms accepted from identity providers: the
// asymmetric ones STS also accepts. "none" and HS* are refused before any
// key is looked at, so a public key can never be used as an HMAC secret.
var signingAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.PS256, jose.PS384, jose.PS512,
}

// msgNotOIDC is AWS's answer for a value that is not a JWT at all [obs: AWS
// forum threads quote "Invalid login token. Not a valid OpenId Connect
// identity token."].
const msgNotOIDC = "Invalid login token. Not a valid OpenId Connect identity token."

// keySet verifies a compact JWS and returns its payload (remoteSet: cached
// keys, read again when none of them verifies the token).
type keySet interface {
	VerifySignature(ctx context.Context, jwt string) ([]byte, error)
}

// claims are a token's claims with numbers kept as json.Number.
type claims map[string]any

// jwtHeader returns the kid and alg of a compact JWS's protected header,
// read without verifying: to choose the key set (isTestToken) and for the
// trace; the signature check reads the header again. ok is false unless
// token has at least three dot-separated parts and a JSON header (the
// signature check refuses more than three). With go-json, as
// every login pays it (encoding/json was 2.4% of a GetId on a login).
func jwtHeader(token string) (kid, alg string, ok bool) {
	head, rest, found := strings.Cut(token, ".")
	if !found || !strings.Contains(rest, ".") {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", "", false
	}
	var h struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	if gojson.Unmarshal(raw, &h) != nil {
		return "", "", false
	}
	return h.Kid, h.Alg, true
}

// peekClaims parses token as a JWS with an accepted algorithm and returns its
// claims WITHOUT verifying the signature: only for choosing keys and
// reporting issuer mismatches. Everything that decides must come from a
// signature check (verifiedClaims, or remoteSet.verify through
// payloadClaims).
func peekClaims(token string) (claims, error) {
	jws, err := jose.ParseSigned(token, signingAlgs)
	if err != nil {
		if strings.Count(token, ".") == 2 {
			// A JWT with a refused algorithm (none, HS256, ...).
			return nil, refuseCause(msgSignature, err)
		}
		return nil, refuseCause(msgNotOIDC, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, refuse(msgSignature)
	}
	c, err := decodeClaims(jws.UnsafePayloadWithoutVerification())
	if err != nil {
		return nil, refuseCause(msgNotOIDC, err)
	}
	return c, nil
}

// verifiedClaims checks token's signature with ks and returns its claims.
func verifiedClaims(ctx context.Context, ks keySet, token string) (claims, error) {
	return payloadClaims(ks.VerifySignature(ctx, token))
}

// payloadClaims returns the claims of a verified payload, or the refusal
// of a failed signature check (err).
func payloadClaims(payload []byte, err error) (claims, error) {
	if err != nil {
		return nil, refuseCause(msgSignature, err)
	}
	c, err := decodeClaims(payload)
	if err != nil {
		return nil, refuseCause(msgNotOIDC, err)
	}
	return c, nil
}

func decodeClaims(payload []byte) (claims, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var c claims
	if err := d.Decode(&c); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("claims are not a JSON object")
	}
	return c, nil
}

// str returns a string claim, or "".
func (c claims) str(name string) string {
	s, _ := c[name].(string)
	return s
}

// audiences returns aud as a list (it may be a string or an array).
func (c claims) audiences() []string {
	switch a := c["aud"].(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, v := range a {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// unix returns a NumericDate claim in whole seconds; ok is false when it is
// absent or not a number.
func (c claims) unix(name string) (int64, bool) {
	n, ok := c[name].(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64/2 || f < math.MinInt64/2 {
		return 0, false
	}
	return int64(f), true
}

// plain returns the claims with numbers as int64 or float64, for callers
// outside the package (role rules, principal tags).
func (c claims) plain() map[string]any {
	out := make(map[string]any, len(c))
	for k, v := range c {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plainValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = plainValue(e)
		}
		return out
	}
	return v
}

// checkTimes applies exp (required), nbf and iat with skew of grace.
// AWS's expiry text puts the current time first: "Token expired: 1667365798
// >= 1667235770" was reported hours after the token's exp (qqaatw/JciHitachiHA#34).
func checkTimes(c claims, now time.Time, skew time.Duration) error {
	exp, ok := c.unix("exp")
	if !ok {
		return refuse("Invalid login token. Missing a required claim: exp")
	}
	n := now.Unix()
	grace := int64(skew / time.Second)
	if n >= exp+grace {
		return expired(n, exp)
	}
	if nbf, ok := c.unix("nbf"); ok && n+grace < nbf {
		return refuse(msgNotYetValid)
	}
	if iat, ok := c.unix("iat"); ok && n+grace < iat {
		return refuse(msgNotYetValid)
	}
	return nil
}
