package logins

import (
	"strconv"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// traceLogin records how one Logins entry was decided: its provider's kind
// and the token's key id, then each check with the values it compared (the
// refusal's check alone when it failed). The token itself is never recorded;
// its claims are, as a decoded token shows them.
func (v *Verifier) traceLogin(tr *trace.Recorder, r identity.LoginRequest, l *identity.VerifiedLogin, err error) {
	kind := providerKind(r.Pool, r.Provider)
	kid, alg, _ := jwtHeader(r.Token)
	tr.Step(trace.PhaseLogin, "provider", trace.Info, "The login '"+r.Provider+"' is verified as a "+kind+" token.",
		"provider", r.Provider, "kind", kind, "kid", kid, "alg", alg)
	expected, clients := v.expectations(r, kind)
	if err != nil {
		ae := apierr.As(err)
		check, detail := refusalCheck(kind, ae)
		facts := []string{"provider", r.Provider, "error", ae.Message, "now", strconv.FormatInt(v.now().Unix(), 10)}
		if expected != "" {
			facts = append(facts, "expectedIssuer", expected)
		}
		if clients != "" || kind == kindOIDC || kind == kindUserPool {
			facts = append(facts, "clientIds", clients)
		}
		if c, perr := peekClaims(r.Token); perr == nil {
			facts = append(facts, claimFacts(c)...)
		}
		tr.Step(trace.PhaseLogin, check, trace.Fail, detail, facts...)
		return
	}
	if strings.Count(r.Token, ".") != 2 || l.Claims == nil {
		tr.Step(trace.PhaseLogin, "token", trace.Pass, "The provider accepted the login.", "provider", r.Provider, "subject", l.Subject)
		return
	}
	c := claims(l.Claims) // only read here
	if l.SignatureCached {
		tr.Step(trace.PhaseLogin, "signature", trace.Pass, "The token's signature verified with the provider's key "+kid+" on an earlier call (cached until its exp or a key change).", "kid", kid, "alg", alg, "cached", "true")
	} else {
		tr.Step(trace.PhaseLogin, "signature", trace.Pass, "The token's signature verifies with the provider's key "+kid+".", "kid", kid, "alg", alg)
	}
	if expected != "" {
		tr.Step(trace.PhaseLogin, "iss", trace.Pass, "The token's issuer is the provider's.", "iss", c.str("iss"), "expectedIssuer", expected)
	}
	tr.Step(trace.PhaseLogin, "exp", trace.Pass, "The token is within its validity.", append(timeFacts(c), "now", strconv.FormatInt(v.now().Unix(), 10))...)
	if kind != kindCognito {
		tr.Step(trace.PhaseLogin, "aud", trace.Pass, "The token's audience is one of the configured client ids.",
			"aud", strings.Join(audienceList(c), ","), "azp", c.str("azp"), "clientIds", clients)
	}
	if kind == kindUserPool {
		for _, cp := range r.Pool.CognitoIdentityProviders {
			if cp.ProviderName == r.Provider && cp.ClientID == c.str("aud") && cp.ServerSideTokenCheck {
				tr.Step(trace.PhaseLogin, "ServerSideTokenCheck", trace.Pass, "The user pool reports the user enabled.", "username", c.str("cognito:username"))
			}
		}
	}
	tr.Step(trace.PhaseLogin, "verified", trace.Pass, "The login is accepted for subject "+l.Subject+".",
		"provider", r.Provider, "subject", l.Subject, "roleMappingKey", l.RoleMappingKey)
}

// Kinds of provider, as a trace names them.
const (
	kindCognito   = "Cognito Identity (idpool's own)"
	kindUserPool  = "Cognito user pool"
	kindSAML      = "SAML"
	kindOIDC      = "OpenID Connect"
	kindSocial    = "social"
	kindDeveloper = "developer provider"
	kindUnknown   = "unknown provider"
)

func providerKind(pool *storage.Pool, provider string) string {
	switch {
	case provider == ProviderCognitoIdentity:
		return kindCognito
	case isUserPoolProvider(provider):
		return kindUserPool
	case strings.HasPrefix(provider, "arn:"):
		return kindSAML
	case provider == ProviderGoogle || provider == ProviderApple || provider == ProviderFacebook ||
		provider == ProviderAmazon || provider == ProviderTwitter:
		return kindSocial + " (" + provider + ")"
	case pool.DeveloperProviderName != "" && provider == pool.DeveloperProviderName:
		return kindDeveloper
	case ProviderARN(pool, provider) != "":
		return kindOIDC
	}
	return kindUnknown
}

// expectations are the issuer a token must name and the client ids its
// audience must be among, as the pool and its providers configure them.
func (v *Verifier) expectations(r identity.LoginRequest, kind string) (issuer, clients string) {
	p := r.Provider
	switch {
	case kind == kindOIDC:
		issuer = "https://" + p
		if r.OIDC != nil {
			clients = strings.Join(r.OIDC.ClientIDList, ",")
		}
	case kind == kindUserPool:
		if m := userPoolKey.FindStringSubmatch(p); m != nil {
			issuer = v.userPools.issuer(m[1], m[2])
		}
		var ids []string
		for _, cp := range r.Pool.CognitoIdentityProviders {
			if cp.ProviderName == p {
				ids = append(ids, cp.ClientID)
			}
		}
		clients = strings.Join(ids, ",")
	case p == ProviderGoogle:
		issuer, clients = v.social.Google.Issuer, r.Pool.SupportedLoginProviders[p]
	case p == ProviderApple:
		issuer, clients = v.social.Apple.Issuer, r.Pool.SupportedLoginProviders[p]
	case strings.HasPrefix(kind, kindSocial):
		clients = r.Pool.SupportedLoginProviders[p]
	}
	return issuer, clients
}

// refusalCheck names the check a refusal comes from, with a sentence.
func refusalCheck(kind string, e *apierr.Error) (check, detail string) {
	m := e.Message
	switch {
	case e.Code == apierr.ExternalService:
		return "provider-api", "The provider could not be reached to verify the token."
	case m == msgUnsupported && kind == kindUserPool:
		return "aud", "The token's client id (aud) is not one the pool lists for this user pool."
	case m == msgUnsupported && kind == kindDeveloper:
		return "provider", "The developer provider name is only taken by GetOpenIdTokenForDeveloperIdentity."
	case m == msgUnsupported:
		return "provider", "The pool does not list this provider (" + kind + ")."
	case m == msgIssuer:
		return "iss", "The token's issuer (iss) is not the provider's."
	case m == msgAudience || m == msgMissingAud:
		return "aud", "The token's audience (aud, or azp) is not one of the client ids configured for the provider."
	case m == msgSignature:
		return "signature", "The token's signature does not verify with the provider's keys (or its algorithm is refused)."
	case strings.HasPrefix(m, "Invalid login token. Token expired"):
		return "exp", "The token has expired: now is past its exp (plus the allowed clock skew)."
	case m == msgNotYetValid:
		return "nbf", "The token is used before its nbf or iat (beyond the allowed clock skew)."
	case m == msgUserNotAllowed:
		return "ServerSideTokenCheck", "The user pool reports the user signed out, disabled or deleted."
	case m == msgReplay:
		return "replay", "The SAML assertion was used before."
	case strings.Contains(m, "Missing a required claim"):
		return "claims", "The token lacks a required claim."
	}
	return "token", "The login token is refused: " + m
}

func audienceList(c claims) []string {
	if a := c.audiences(); len(a) > 0 {
		return a
	}
	return nil
}

// claimFacts are a token's identifying claims (unverified when the token
// was refused).
func claimFacts(c claims) []string {
	out := []string{"iss", c.str("iss"), "aud", strings.Join(audienceList(c), ","), "sub", c.str("sub")}
	if azp := c.str("azp"); azp != "" {
		out = append(out, "azp", azp)
	}
	return append(out, timeFacts(c)...)
}

// timeFacts are exp, nbf and iat as Unix seconds and RFC 3339.
func timeFacts(c claims) []string {
	var out []string
	var buf [48]byte
	for _, name := range [...]string{"exp", "nbf", "iat"} {
		n, ok := c.unix(name)
		switch t := c[name].(type) {
		case int64:
			n, ok = t, true
		case float64:
			n, ok = int64(t), true
		}
		if ok {
			if out == nil {
				out = make([]string, 0, 8) // and the caller's "now"
			}
			b := append(strconv.AppendInt(buf[:0], n, 10), " ("...)
			b = append(time.Unix(n, 0).UTC().AppendFormat(b, time.RFC3339), ')')
			out = append(out, name, string(b))
		}
	}
	return out
}
