package logins

import (
	"context"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// msgAudience answers a token for a client the provider does not list.
// [inf] AWS forum reports quote "Invalid login token. Incorrect token
// audience." for OIDC and Google tokens of another client.
const msgAudience = "Invalid login token. Incorrect token audience."

// openIDConnect verifies an ID token of an IAM OIDC provider the pool names.
// The Logins key is the provider URL without scheme and must equal the
// token's iss without https://. Keys come from the issuer's discovery
// document; azp (else aud) must be in the provider's ClientIDList.
// Thumbprints are stored but not enforced: the issuer's TLS certificate is
// checked against the system trust store, as AWS does today for providers
// with publicly trusted certificates.
//
// doc is the IAM provider as the caller read it; nil (the pool names none
// for this key, or IAM no longer has it [inf]) refuses the login.
func (v *Verifier) openIDConnect(ctx context.Context, pool *storage.Pool, provider, token string, doc *iam.OIDCProvider) (*identity.VerifiedLogin, error) {
	if ProviderARN(pool, provider) == "" || doc == nil {
		return nil, refuse(msgUnsupported)
	}
	j := v.jwt(token)
	peek, err := j.peek()
	if err != nil {
		return nil, err
	}
	iss := peek.str("iss")
	if !strings.HasPrefix(iss, "https://") || strings.TrimPrefix(iss, "https://") != provider {
		return nil, refuse(msgIssuer)
	}
	c, err := v.verifyIssuerToken(ctx, pool.AccountID, OIDCIssuer{Issuer: iss}, providerScope(doc), j)
	if err != nil {
		return nil, err
	}
	aud, ok := withAudience(c, doc.ClientIDList)
	if !ok {
		return nil, refuse(msgAudience)
	}
	return oidcLogin(provider, aud, c, j.cached)
}

// providerScope names an IAM OIDC provider's record as it is now: a
// verification made under another record (the provider deleted and
// created again, its thumbprints or client ids updated) is not reused.
func providerScope(doc *iam.OIDCProvider) string {
	return doc.URL + "\x00" + doc.CreateDate.UTC().Format(time.RFC3339Nano) + "\x00" +
		strings.Join(doc.ThumbprintList, ",") + "\x00" + strings.Join(doc.ClientIDList, ",")
}

// verifyIssuerToken checks the token's signature against is's keys (from
// its discovery document when is.JWKSURL is empty; the test issuer's key
// of account for a login it minted), or finds this node's verification of
// it under the same keys and scope, then checks its iss and its times.
func (v *Verifier) verifyIssuerToken(ctx context.Context, account string, is OIDCIssuer, scope string, j *jwtLogin) (claims, error) {
	token := j.token
	// A token this node remembers was verified with a provider's remote
	// keys, so it is not the test issuer's (which is on or off for the
	// Verifier's life, and whose tokens are never remembered): its header
	// need not be decoded again.
	var ks keySet
	ok := false
	if j.seen == nil {
		ks, ok = v.testKeys(account, token)
	}
	if !ok {
		jwks := is.JWKSURL
		if jwks == "" {
			u, err := v.fetch.jwksURL(ctx, is.Issuer)
			if err != nil {
				return nil, refuseCause(msgSignature, err)
			}
			jwks = u
		}
		ks = v.fetch.keySet(jwks)
	}
	c, err := v.signedClaims(ctx, ks, scope, j)
	if err != nil {
		return nil, err
	}
	// Google's tokens may carry iss without scheme ("accounts.google.com").
	if iss := c.str("iss"); iss != is.Issuer && "https://"+iss != is.Issuer {
		return nil, refuse(msgIssuer)
	}
	if err := checkTimes(c, v.now(), v.skew); err != nil {
		return nil, err
	}
	return c, nil
}

// oidcLogin is the VerifiedLogin of an OpenID Connect ID token. [inf] The
// amr entry follows the observed PROVIDER:APPID:SUBJECT form of Facebook
// and user pools, with the client id as qualifier.
func oidcLogin(provider, aud string, c claims, cached bool) (*identity.VerifiedLogin, error) {
	sub := c.str("sub")
	if sub == "" {
		return nil, refuse("Invalid login token. Missing a required claim: sub")
	}
	return &identity.VerifiedLogin{
		Provider:        provider,
		Subject:         sub,
		AMR:             provider + ":" + aud + ":" + sub,
		Claims:          c.plain(),
		SignatureCached: cached,
	}, nil
}

// oidcKeyOfARN returns the Logins key of an OIDC provider ARN
// (arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH -> HOST/PATH), or "".
func oidcKeyOfARN(arn string) string {
	_, key, _ := iam.ParseProviderARN(arn, "oidc-provider")
	return key
}
