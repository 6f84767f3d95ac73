package logins

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// Logins keys of the providers AWS knows by name (api-notes §4.7).
const (
	ProviderCognitoIdentity = identity.CognitoIdentity
	ProviderFacebook        = "graph.facebook.com"
	ProviderGoogle          = "accounts.google.com"
	ProviderAmazon          = "www.amazon.com"
	ProviderApple           = "appleid.apple.com"
	ProviderTwitter         = "api.twitter.com"
)

// Verifier verifies Logins entries; it implements identity.LoginVerifier
// and is safe for concurrent use. It holds no storage handle: the IAM
// providers a login needs come with the request, read by the caller in its
// own snapshot, and SAML assertions are recorded by the caller's write.
type Verifier struct {
	tokens     identity.TokenVerifier
	fetch      *fetcher
	userPools  UserPoolConfig
	social     SocialConfig
	recipients []string
	skew       time.Duration
	now        func() time.Time
	log        *slog.Logger
	test       *TestIssuer
	// verified remembers verified tokens (nil: none are).
	verified *verifiedTokens
	observer atomic.Pointer[observerBox]
}

var _ identity.LoginVerifier = (*Verifier)(nil)

// New returns a Verifier for cfg.
func New(cfg Config) *Verifier {
	v := &Verifier{
		tokens: cfg.Tokens, userPools: cfg.UserPools, social: cfg.Social,
		skew: cfg.Skew, now: cfg.Now, log: cfg.Logger, test: cfg.TestIssuer,
	}
	if v.skew <= 0 {
		v.skew = DefaultSkew
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.FetchTimeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	v.fetch = newFetcher(cfg.HTTPClient, timeout, v.now)
	switch {
	case cfg.VerifiedTokens == 0:
		v.verified = newVerifiedTokens(DefaultVerifiedTokens)
	case cfg.VerifiedTokens > 0:
		v.verified = newVerifiedTokens(cfg.VerifiedTokens)
	}
	socialDefaults(&v.social)
	v.recipients = append([]string{"https://signin.aws.amazon.com/saml"}, cfg.SAMLRecipients...)
	return v
}

// Verify checks one Logins entry of a request against pool. Failures are
// *apierr.Error: NotAuthorizedException with AWS's text, or
// ExternalServiceException when a provider API cannot be reached.
func (v *Verifier) Verify(ctx context.Context, r identity.LoginRequest) (*identity.VerifiedLogin, error) {
	pool, provider := r.Pool, r.Provider
	l, err := v.verify(ctx, r)
	if tr := trace.From(ctx); tr.On() {
		if l != nil {
			l.RoleMappingKey = roleMappingKey(pool, l.RoleMappingKey, provider)
		}
		v.traceLogin(tr, r, l, err)
	}
	if err != nil {
		ae := apierr.As(err)
		// The cause may name a key id or URL, never the token itself.
		v.log.DebugContext(ctx, "login refused", "pool", pool.ID, "provider", provider, "error", ae.Error())
		return nil, ae
	}
	l.RoleMappingKey = roleMappingKey(pool, l.RoleMappingKey, provider)
	return l, nil
}

func (v *Verifier) verify(ctx context.Context, r identity.LoginRequest) (*identity.VerifiedLogin, error) {
	pool, provider, token := r.Pool, r.Provider, r.Token
	if token == "" {
		return nil, refuse(msgInvalid)
	}
	switch {
	case provider == ProviderCognitoIdentity:
		return v.cognitoIdentity(ctx, pool, token)
	case isUserPoolProvider(provider):
		return v.userPool(ctx, pool, provider, token)
	case strings.HasPrefix(provider, "arn:"):
		return v.saml(pool, provider, token, r.SAML)
	case provider == ProviderGoogle || provider == ProviderApple:
		return v.socialOIDC(ctx, pool, provider, token)
	case provider == ProviderFacebook:
		return v.facebook(ctx, pool, token)
	case provider == ProviderAmazon:
		return v.amazon(ctx, pool, token)
	case provider == ProviderTwitter:
		return v.twitter(ctx, pool, token)
	case pool.DeveloperProviderName != "" && provider == pool.DeveloperProviderName:
		return nil, developerRefusal(token)
	}
	return v.openIDConnect(ctx, pool, provider, token, r.OIDC)
}

// ProviderARN names the IAM provider a Logins entry is verified against:
// the SAML provider ARN the pool lists, or the pool's OIDC provider ARN
// whose Logins key (host and path) is provider; "" when it needs none.
// The caller reads that provider in its snapshot for the LoginRequest.
func ProviderARN(pool *storage.Pool, provider string) string {
	if strings.HasPrefix(provider, "arn:") {
		if slices.Contains(pool.SAMLProviderARNs, provider) {
			return provider
		}
		return ""
	}
	if isKnownProvider(pool, provider) {
		return ""
	}
	for _, arn := range pool.OpenIDConnectProviderARNs {
		if oidcKeyOfARN(arn) == provider {
			return arn
		}
	}
	return ""
}

// isKnownProvider reports a Logins key verified without an IAM provider.
func isKnownProvider(pool *storage.Pool, provider string) bool {
	switch provider {
	case ProviderCognitoIdentity, ProviderGoogle, ProviderApple, ProviderFacebook, ProviderAmazon, ProviderTwitter:
		return true
	}
	return isUserPoolProvider(provider) || (pool.DeveloperProviderName != "" && provider == pool.DeveloperProviderName)
}

// developerRefusal answers a developer provider name in GetId /
// GetOpenIdToken / GetCredentialsForIdentity: it is only accepted by
// GetOpenIdTokenForDeveloperIdentity. AWS treats the entry like an OpenID
// login whose issuer is not the key: aws/aws-sdk-net#1251 reports "Issuer
// doesn't match providerName" for a developer provider name given with a
// token. [inf] A plain developer user identifier is not from a provider the
// pool supports for these calls.
func developerRefusal(token string) error {
	if strings.Count(token, ".") == 2 {
		return refuse(msgIssuer)
	}
	return refuse(msgUnsupported)
}

// roleMappingKey returns the RoleMappings key that applies: the verifier's
// own choice (user pools: PROVIDER:CLIENTID), else the Logins key, else for
// IAM providers the ARN form the docs also use for OIDC rules.
func roleMappingKey(pool *storage.Pool, chosen, provider string) string {
	if chosen != "" {
		return chosen
	}
	if _, ok := pool.RoleMappings[provider]; ok {
		return provider
	}
	for _, arn := range pool.OpenIDConnectProviderARNs {
		if oidcKeyOfARN(arn) == provider {
			if _, ok := pool.RoleMappings[arn]; ok {
				return arn
			}
		}
	}
	return provider
}

// withAudience reports whether one of the token's audiences is in allowed.
func withAudience(c claims, allowed []string) (string, bool) {
	// OIDC: "azp (if present) else aud must be in the client ID list".
	if azp := c.str("azp"); azp != "" {
		return azp, slices.Contains(allowed, azp)
	}
	for _, a := range c.audiences() {
		if slices.Contains(allowed, a) {
			return a, true
		}
	}
	return "", false
}

// splitList splits a comma-separated SupportedLoginProviders value (the
// console accepts several Google client ids this way).
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
