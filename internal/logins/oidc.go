package logins

import (
	"context"
	"errors"
	"strings"

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
func (v *Verifier) openIDConnect(ctx context.Context, pool *storage.Pool, provider, token string) (*identity.VerifiedLogin, error) {
	arn := ""
	for _, a := range pool.OpenIDConnectProviderARNs {
		if oidcKeyOfARN(a) == provider {
			arn = a
			break
		}
	}
	if arn == "" {
		return nil, refuse(msgUnsupported)
	}
	doc, err := v.oidcProvider(ctx, arn)
	if err != nil {
		return nil, err
	}
	peek, err := peekClaims(token)
	if err != nil {
		return nil, err
	}
	iss := peek.str("iss")
	if !strings.HasPrefix(iss, "https://") || strings.TrimPrefix(iss, "https://") != provider {
		return nil, refuse(msgIssuer)
	}
	c, err := v.verifyIssuerToken(ctx, OIDCIssuer{Issuer: iss}, token)
	if err != nil {
		return nil, err
	}
	aud, ok := withAudience(c, doc.ClientIDList)
	if !ok {
		return nil, refuse(msgAudience)
	}
	return oidcLogin(provider, aud, c)
}

// verifyIssuerToken checks token's signature against is's keys (from its
// discovery document when is.JWKSURL is empty), its iss and its times.
func (v *Verifier) verifyIssuerToken(ctx context.Context, is OIDCIssuer, token string) (claims, error) {
	jwks := is.JWKSURL
	if jwks == "" {
		u, err := v.fetch.jwksURL(ctx, is.Issuer)
		if err != nil {
			return nil, refuseCause(msgSignature, err)
		}
		jwks = u
	}
	c, err := verifiedClaims(ctx, v.fetch.keySet(jwks), token)
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
func oidcLogin(provider, aud string, c claims) (*identity.VerifiedLogin, error) {
	sub := c.str("sub")
	if sub == "" {
		return nil, refuse("Invalid login token. Missing a required claim: sub")
	}
	return &identity.VerifiedLogin{
		Provider: provider,
		Subject:  sub,
		AMR:      provider + ":" + aud + ":" + sub,
		Claims:   c.plain(),
	}, nil
}

// oidcProvider loads the IAM OIDC provider of arn. A provider the pool
// names but IAM no longer has refuses the login [inf].
func (v *Verifier) oidcProvider(ctx context.Context, arn string) (*OIDCProviderDoc, error) {
	account, ok := accountOfARN(arn)
	if !ok || v.store == nil {
		return nil, refuseCause(msgUnsupported, errNoStore)
	}
	var doc *OIDCProviderDoc
	err := v.store.View(ctx, func(r storage.Reader) error {
		res, err := r.GetResource(account, KindOIDCProvider, oidcKeyOfARN(arn))
		if err != nil {
			return err
		}
		doc, err = decodeOIDCDoc(res.Doc)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, refuse(msgUnsupported)
	}
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// oidcKeyOfARN returns the Logins key of an OIDC provider ARN
// (arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH -> HOST/PATH), or "".
func oidcKeyOfARN(arn string) string {
	if _, ok := accountOfARN(arn); !ok {
		return ""
	}
	_, key, ok := strings.Cut(arn, ":oidc-provider/")
	if !ok {
		return ""
	}
	return key
}

// accountOfARN returns the account of an arn:aws:iam::ACCOUNT:... ARN.
func accountOfARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4] == "" {
		return "", false
	}
	return parts[4], true
}
