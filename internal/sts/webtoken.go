package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

// STS error codes for web identity tokens (botocore's sts model).
const (
	codeInvalidIdentityToken = "InvalidIdentityToken"
	codeExpiredToken         = "ExpiredTokenException"
	codeIDPRejectedClaim     = "IDPRejectedClaim"
)

// unverified are the claims read before the signature is checked, only to
// choose AWS's error for a token that fails.
type unverified struct {
	Issuer string `json:"iss"`
	Expiry *int64 `json:"exp"`
}

func peek(token string) (*unverified, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var u unverified
	if json.Unmarshal(payload, &u) != nil {
		return nil, false
	}
	return &u, true
}

// verifyToken verifies an idpool identity-pool token and answers AWS's
// errors for one that fails.
func (s *Service) verifyToken(ctx context.Context, token string) (*identity.OpenIDClaims, error) {
	u, ok := peek(token)
	if !ok {
		return nil, apierr.New(codeInvalidIdentityToken, "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	if strings.TrimSuffix(u.Issuer, "/") != s.issuer {
		// AWS names the issuer it found no IAM OIDC provider for.
		return nil, apierr.New(codeInvalidIdentityToken, "No OpenIDConnect provider found in your account for %s", u.Issuer)
	}
	claims, err := s.tokens.VerifyOpenIDToken(ctx, token)
	if err != nil {
		now := s.now().Unix()
		if u.Expiry != nil && *u.Expiry <= now {
			return nil, apierr.New(codeExpiredToken, "Token expired: current date/time %d must be before the expiration date/time %d", now, *u.Expiry).Wrap(err)
		}
		// [inf] AWS's text for a token whose signature does not verify.
		return nil, apierr.New(codeInvalidIdentityToken, "Couldn't verify the signature of the web identity token.").Wrap(err)
	}
	if claims.Audience == "" {
		return nil, apierr.New(codeInvalidIdentityToken, "Incorrect token audience")
	}
	if claims.Subject == "" {
		return nil, apierr.New(codeIDPRejectedClaim, "The web identity token has no sub claim.")
	}
	return claims, nil
}

// tagsClaim is the claim that carries session tags.
const tagsClaim = "https://aws.amazon.com/tags"

// principalTags returns the token's session tags: the verifier's parsed
// PrincipalTags, or the raw {"principal_tags": {"k": ["v"]}} claim.
func principalTags(c *identity.OpenIDClaims) map[string]string {
	if len(c.PrincipalTags) > 0 {
		return c.PrincipalTags
	}
	m, _ := c.Raw[tagsClaim].(map[string]any)
	pt, _ := m["principal_tags"].(map[string]any)
	if len(pt) == 0 {
		return nil
	}
	out := make(map[string]string, len(pt))
	for k, v := range pt {
		switch vv := v.(type) {
		case []any:
			if len(vv) > 0 {
				if str, ok := vv[0].(string); ok {
					out[k] = str
				}
			}
		case string:
			out[k] = vv
		}
	}
	return out
}
