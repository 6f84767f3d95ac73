package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// STS error codes for web identity tokens (botocore's sts model).
const (
	codeInvalidIdentityToken  = "InvalidIdentityToken"
	codeExpiredToken          = "ExpiredTokenException"
	codeIDPRejectedClaim      = "IDPRejectedClaim"
	codeIDPCommunicationError = "IDPCommunicationError"
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

// webIdentity is a verified web identity token and how trust policies
// name its issuer.
type webIdentity struct {
	claims *identity.OpenIDClaims
	// principals are the Federated principal names that match the issuer.
	principals []string
	// prefixes are the condition-key prefixes (PREFIX:aud, PREFIX:sub, ...).
	prefixes []string
	// provider is the response's Provider.
	provider string
	// own is set for idpool's own tokens; poolAccount is then the account
	// of the identity pool that asked for the token (from its signed
	// identity-pool-arn claim; empty when the token has none, which counts
	// as another account's).
	own         bool
	poolAccount string
}

// verifyToken verifies a web identity token for a role in account and
// answers AWS's errors for one that fails. idpool's own tokens are checked
// by Config.Tokens; tokens of other issuers by Config.Logins against the
// account's IAM OIDC provider for the issuer, as AWS STS does. In-process
// claims (AssumeInput.Claims) stand for one of idpool's own tokens whose
// signature needs no check; every other check is the same.
func (s *Service) verifyToken(ctx context.Context, token string, inProcess *identity.OpenIDClaims, account string, provider *iam.OIDCProvider) (*webIdentity, error) {
	if inProcess != nil {
		wi, err := s.ownIdentity(inProcess, account)
		if err != nil {
			return nil, err
		}
		return s.checkIdentity(wi)
	}
	u, ok := peek(token)
	if !ok {
		return nil, apierr.Queryf(codeInvalidIdentityToken, "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	var wi *webIdentity
	var err error
	if strings.TrimSuffix(u.Issuer, "/") == s.issuer {
		wi, err = s.verifyOwn(ctx, token, account)
	} else {
		wi, err = s.verifyOIDC(ctx, token, u.Issuer, account, provider)
	}
	if err != nil {
		// Only a token that failed verification (the error has a cause) may
		// be reported as expired; "no provider" and the like stand.
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != codeInvalidIdentityToken || ae.Unwrap() == nil {
			return nil, err
		}
		if now := s.now().Unix(); u.Expiry != nil && *u.Expiry <= now {
			return nil, apierr.Queryf(codeExpiredToken, "Token expired: current date/time %d must be before the expiration date/time %d", now, *u.Expiry).Wrap(err)
		}
		return nil, err
	}
	return s.checkIdentity(wi)
}

// checkIdentity applies the checks every verified web identity passes.
func (s *Service) checkIdentity(wi *webIdentity) (*webIdentity, error) {
	if wi.claims.Audience == "" {
		return nil, apierr.Queryf(codeInvalidIdentityToken, "Incorrect token audience")
	}
	if wi.claims.Subject == "" {
		return nil, apierr.Queryf(codeIDPRejectedClaim, "The web identity token has no sub claim.")
	}
	return wi, nil
}

func (s *Service) verifyOwn(ctx context.Context, token, account string) (*webIdentity, error) {
	claims, err := s.tokens.VerifyOpenIDToken(ctx, token)
	if err != nil {
		// [inf] AWS's text for a token whose signature does not verify.
		return nil, apierr.Queryf(codeInvalidIdentityToken, "Couldn't verify the signature of the web identity token.").Wrap(err)
	}
	return s.ownIdentity(claims, account)
}

// ownIdentity is the web identity of idpool's own token with claims, verified
// (verifyOwn) or handed over in process. Claims of another issuer are refused:
// only this issuer's Claims stand for a token without a signature.
func (s *Service) ownIdentity(claims *identity.OpenIDClaims, account string) (*webIdentity, error) {
	if strings.TrimSuffix(claims.Issuer, "/") != s.issuer {
		return nil, apierr.Queryf(codeInvalidIdentityToken, "Couldn't verify the signature of the web identity token.")
	}
	host := s.issuerHost()
	return &webIdentity{
		claims: claims,
		// Trust policies written for AWS name cognito-identity.amazonaws.com;
		// idpool's issuer host (or an IAM OIDC provider for it) works too.
		principals: iam.PoolTokenPrincipals(account, host),
		prefixes:   iam.PoolTokenKeyPrefixes(host),
		// [inf] AWS reports Cognito tokens' provider by its principal name.
		provider:    identity.CognitoIdentity,
		own:         true,
		poolAccount: poolAccountOf(claims.PoolARN),
	}, nil
}

// poolAccountOf is the account of arn:PARTITION:cognito-identity:REGION:ACCOUNT:identitypool/ID,
// or "" for anything else.
func poolAccountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-identity" || !strings.HasPrefix(parts[5], "identitypool/") {
		return ""
	}
	if a := parts[4]; len(a) == 12 && strings.Trim(a, "0123456789") == "" {
		return a
	}
	return ""
}

// ProviderOf names the IAM OIDC provider a token of another issuer is
// verified against: the role's account and the issuer's host (IAM's
// provider name). ok is false for idpool's own tokens and for anything
// that is not a JWT of an https issuer; no provider is needed then.
func (s *Service) ProviderOf(token, roleARN string) (account, name string, ok bool) {
	u, isJWT := peek(token)
	arn, err := iam.ParseRoleARN(roleARN)
	if !isJWT || err != nil || strings.TrimSuffix(u.Issuer, "/") == s.issuer {
		return "", "", false
	}
	host, isHTTPS := oidcHost(u.Issuer)
	return arn.AccountID, host, isHTTPS
}

// oidcHost is an https issuer's IAM provider name (host and path).
func oidcHost(issuer string) (string, bool) {
	host := strings.TrimSuffix(strings.TrimPrefix(issuer, "https://"), "/")
	return host, strings.HasPrefix(issuer, "https://") && host != ""
}

// verifyOIDC verifies a token of another issuer through the account's IAM
// OIDC provider for it (its keys, and aud in its client id list).
func (s *Service) verifyOIDC(ctx context.Context, token, issuer, account string, provider *iam.OIDCProvider) (*webIdentity, error) {
	host, isHTTPS := oidcHost(issuer)
	arn := iam.OIDCProviderARN(account, host)
	noProvider := apierr.Queryf(codeInvalidIdentityToken, "No OpenIDConnect provider found in your account for %s", apierr.Echo(issuer))
	if s.logins == nil || !isHTTPS || provider == nil {
		return nil, noProvider
	}
	pool := &storage.Pool{AccountID: account, OpenIDConnectProviderARNs: []string{arn}}
	l, err := s.logins.Verify(ctx, identity.LoginRequest{Pool: pool, Provider: host, Token: token, OIDC: provider})
	if err != nil {
		ae := apierr.As(err)
		if ae.Code == apierr.ExternalService {
			return nil, apierr.Queryf(codeIDPCommunicationError, "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements").Wrap(err)
		}
		return nil, apierr.Queryf(codeInvalidIdentityToken, "%s", ae.Message).Wrap(err)
	}
	aud := strings.TrimSuffix(strings.TrimPrefix(l.AMR, host+":"), ":"+l.Subject)
	if a, ok := l.Claims["aud"].(string); ok && (aud == l.AMR || aud == "") {
		aud = a
	}
	c := &identity.OpenIDClaims{Issuer: issuer, Audience: aud, Subject: l.Subject, Raw: l.Claims}
	if amr, ok := l.Claims["amr"].([]any); ok {
		for _, a := range amr {
			if str, ok := a.(string); ok {
				c.AMR = append(c.AMR, str)
			}
		}
	}
	return &webIdentity{claims: c, principals: []string{arn}, prefixes: []string{host}, provider: arn}, nil
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
