package tokens

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

// Claim names of identity-pool tokens.
const (
	// ClaimPoolARN is AWS's private claim carrying the identity pool ARN.
	ClaimPoolARN = "https://cognito-identity.amazonaws.com/identity-pool-arn"
	// ClaimTags is the STS session-tags claim: {"principal_tags": {key: [value]}}.
	ClaimTags = "https://aws.amazon.com/tags"
	// tagsPrincipal is the member of ClaimTags holding the tags.
	tagsPrincipal = "principal_tags"

	algRS512 = "RS512"
)

var b64 = base64.RawURLEncoding

// Issue signs an identity-pool OpenID token for r. TTL must be within
// MinTTL..MaxTTL.
func (s *Service) Issue(ctx context.Context, r identity.TokenRequest) (string, error) {
	sg := s.keys().signer
	bp := s.bufs.Get().(*[]byte)
	payload, err := s.payload((*bp)[:0], &r)
	if err != nil {
		s.bufs.Put(bp)
		return "", err
	}

	sigLen := sg.key.Size()
	out := make([]byte, 0, len(sg.header)+2+b64.EncodedLen(len(payload))+b64.EncodedLen(sigLen))
	out = append(out, sg.header...)
	out = append(out, '.')
	out = b64.AppendEncode(out, payload)
	*bp = payload
	s.bufs.Put(bp)

	digest := sha512.Sum512(out)
	sig, err := rsa.SignPKCS1v15(nil, sg.key, crypto.SHA512, digest[:])
	if err != nil {
		return "", apierr.Internal(err)
	}
	out = append(out, '.')
	out = b64.AppendEncode(out, sig)
	return string(out), nil
}

// Claims returns the claims of the token Issue would sign for r, exactly
// as VerifyOpenIDToken returns them for that token: the same payload
// (appendClaims) goes through the same checks and parsing (checkClaims),
// only the signature is left out. It is for a consumer in this process
// that trusts this issuer without a signature (the embedded STS in the
// enhanced flow); anything that leaves the process gets Issue's token.
func (s *Service) Claims(_ context.Context, r identity.TokenRequest) (*identity.OpenIDClaims, error) {
	payload, err := s.payload(nil, &r)
	if err != nil {
		return nil, err
	}
	return s.checkClaims(payload)
}

// payload appends the JSON claims of the token for r, issued now.
func (s *Service) payload(b []byte, r *identity.TokenRequest) ([]byte, error) {
	if r.TTL < MinTTL || r.TTL > MaxTTL {
		return b, apierr.InvalidParameterf("Token duration must be between 1 and 86400 seconds.")
	}
	now := s.cfg.Now()
	return appendClaims(b, r, s.cfg.Issuer, now.Unix(), now.Add(r.TTL).Unix()), nil
}

// appendClaims writes the token's claims as JSON, in the order AWS's tokens
// show them.
func appendClaims(b []byte, r *identity.TokenRequest, iss string, iat, exp int64) []byte {
	b = append(b, `{"sub":`...)
	b = appendString(b, r.IdentityID)
	b = append(b, `,"aud":`...)
	b = appendString(b, r.PoolID)
	b = append(b, `,"amr":[`...)
	for i, a := range r.AMR {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a)
	}
	b = append(b, ']')
	if r.PoolARN != "" {
		b = append(b, `,"`+ClaimPoolARN+`":`...)
		b = appendString(b, r.PoolARN)
	}
	if len(r.PrincipalTags) > 0 {
		b = append(b, `,"`+ClaimTags+`":{"`+tagsPrincipal+`":{`...)
		for i, k := range slices.Sorted(maps.Keys(r.PrincipalTags)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ":["...)
			b = appendString(b, r.PrincipalTags[k])
			b = append(b, ']')
		}
		b = append(b, "}}"...)
	}
	b = append(b, `,"iss":`...)
	b = appendString(b, iss)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, exp, 10)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, iat, 10)
	return append(b, '}')
}

// appendString appends s as a JSON string. Plain ASCII (ids, ARNs, provider
// names) is copied; anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
