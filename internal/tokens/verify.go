package tokens

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

// Verification errors. Every failure wraps ErrInvalidToken; an expired token
// also wraps ErrExpired. Details in the wrapped text are for logs.
var (
	ErrInvalidToken = errors.New("tokens: invalid token")
	ErrExpired      = errors.New("tokens: token expired")
)

// b64strict rejects non-zero padding bits, so no two encodings of a token
// verify.
var b64strict = b64.Strict()

// maxTokenLen bounds the input (STS accepts WebIdentityToken up to 20000).
const maxTokenLen = 20000

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}

// VerifyOpenIDToken checks tok's RS512 signature against a published key,
// its issuer, exp (with no allowance: idpool is the clock of its own tokens,
// so a token is refused from its exp second on), and iat and nbf (with
// ClockSkew, for nodes whose clocks differ a little), and returns its claims.
// The audience is the caller's to check.
func (s *Service) VerifyOpenIDToken(ctx context.Context, tok string) (*identity.OpenIDClaims, error) {
	if len(tok) > maxTokenLen {
		return nil, invalid("token too long")
	}
	hdrPart, rest, ok1 := strings.Cut(tok, ".")
	payloadPart, sigPart, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sigPart, ".") {
		return nil, invalid("not a compact JWS")
	}
	hdrJSON, err := b64strict.DecodeString(hdrPart)
	if err != nil {
		return nil, invalid("header encoding")
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		KID  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(hdrJSON, &hdr); err != nil {
		return nil, invalid("header: %v", err)
	}
	if hdr.Alg != algRS512 {
		return nil, invalid("algorithm %q is not RS512", hdr.Alg)
	}
	if hdr.Crit != nil {
		return nil, invalid("critical header parameters are not supported")
	}
	pub, err := s.publicKey(ctx, hdr.KID)
	if err != nil {
		return nil, err
	}
	sig, err := b64strict.DecodeString(sigPart)
	if err != nil {
		return nil, invalid("signature encoding")
	}
	digest := sha512.Sum512([]byte(tok[:len(hdrPart)+1+len(payloadPart)]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA512, digest[:], sig); err != nil {
		return nil, invalid("bad signature")
	}
	payload, err := b64strict.DecodeString(payloadPart)
	if err != nil {
		return nil, invalid("payload encoding")
	}
	return s.checkClaims(payload)
}

// publicKey finds the key for kid, re-reading storage (rate-limited) when it
// is unknown: another process may have rotated.
func (s *Service) publicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if pub := s.keys().verify[kid]; pub != nil {
		return pub, nil
	}
	now := s.cfg.Now().UnixNano()
	last := s.lastUnknownKid.Load()
	if now-last >= int64(unknownKidInterval) && s.lastUnknownKid.CompareAndSwap(last, now) {
		if err := s.sync(ctx); err != nil {
			return nil, fmt.Errorf("tokens: reload keys: %w", err)
		}
		if pub := s.state.Load().verify[kid]; pub != nil {
			return pub, nil
		}
	}
	return nil, invalid("unknown key id %q", kid)
}

func (s *Service) checkClaims(payload []byte) (*identity.OpenIDClaims, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, invalid("claims: %v", err)
	}
	c := &identity.OpenIDClaims{Raw: raw}
	c.Issuer, _ = raw["iss"].(string)
	if c.Issuer != s.cfg.Issuer {
		return nil, invalid("issuer %q", c.Issuer)
	}
	now := s.cfg.Now()
	exp, ok := numericDate(raw["exp"])
	if !ok {
		return nil, invalid("missing exp")
	}
	if !now.Before(exp) {
		// No skew allowance on exp: the token is refused at exp, wherever
		// it is presented (STS, or as a cognito-identity.amazonaws.com
		// login), so no path turns an expired token into a fresh one.
		// AWS's answer when an expired Cognito token comes back as a login
		// (cognito-identity.amazonaws.com); it still wraps ErrExpired.
		return nil, apierr.New(apierr.NotAuthorized, "Invalid login token. Token expired: %d >= %d", now.Unix(), exp.Unix()).
			Wrap(fmt.Errorf("%w: %w: exp %d", ErrInvalidToken, ErrExpired, exp.Unix()))
	}
	iat, ok := numericDate(raw["iat"])
	if !ok || iat.After(now.Add(ClockSkew)) {
		return nil, invalid("missing or future iat")
	}
	if v, present := raw["nbf"]; present {
		if nbf, ok := numericDate(v); !ok || nbf.After(now.Add(ClockSkew)) {
			return nil, invalid("not valid yet")
		}
	}
	c.Expiry, c.IssuedAt = exp, iat
	c.Audience, _ = raw["aud"].(string)
	c.Subject, _ = raw["sub"].(string)
	if c.Audience == "" || c.Subject == "" {
		return nil, invalid("missing aud or sub")
	}
	c.PoolARN, _ = raw[ClaimPoolARN].(string)
	if amr, ok := raw["amr"].([]any); ok {
		c.AMR = make([]string, 0, len(amr))
		for _, a := range amr {
			if s, ok := a.(string); ok {
				c.AMR = append(c.AMR, s)
			}
		}
	}
	if tags, ok := raw[ClaimTags].(map[string]any); ok {
		if pt, ok := tags[tagsPrincipal].(map[string]any); ok && len(pt) > 0 {
			c.PrincipalTags = make(map[string]string, len(pt))
			for k, v := range pt {
				if vs, ok := v.([]any); ok && len(vs) > 0 {
					if s, ok := vs[0].(string); ok {
						c.PrincipalTags[k] = s
					}
				}
			}
		}
	}
	return c, nil
}

// numericDate reads a JWT NumericDate (integer or fractional seconds).
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	if i, err := n.Int64(); err == nil {
		return time.Unix(i, 0), true
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}
