package ops

import (
	"context"
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	loginsvc "github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// CognitoProvider is the Logins key of tokens issued by this service
// (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity).
const CognitoProvider = identity.CognitoIdentity

// readLogins builds, inside the call's snapshot, the request to verify each
// Logins entry (in key order), with the IAM provider it is verified
// against, so verification itself needs no storage.
func readLogins(r storage.Reader, pool *storage.Pool, raw map[string]string) ([]identity.LoginRequest, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]identity.LoginRequest, 0, len(keys))
	for _, k := range keys {
		req := identity.LoginRequest{Pool: pool, Provider: k, Token: raw[k]}
		if arn := loginsvc.ProviderARN(pool, k); arn != "" {
			var err error
			if strings.Contains(arn, ":saml-provider/") {
				req.SAML, err = iam.SAMLProviderByARN(r, arn)
			} else {
				req.OIDC, err = iam.OIDCProviderByARN(r, arn)
			}
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			if err != nil {
				req.SAML, req.OIDC = nil, nil // the pool names a provider IAM no longer has
			}
		}
		out = append(out, req)
	}
	return out, nil
}

// verifyLogins verifies every Logins entry (in key order), outside any
// transaction: a provider's keys may have to be fetched. Any failure fails
// the call, as AWS documents ("if any of the tokens fail, the whole call
// fails"). The developer provider is never a token: in the public operations
// it is refused, and the developer operation takes it out before calling.
func (s *Service) verifyLogins(ctx context.Context, pool *storage.Pool, reqs []identity.LoginRequest) ([]*identity.VerifiedLogin, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	tr := trace.From(ctx)
	if s.logins == nil {
		tr.Step(trace.PhaseLogin, "provider", trace.Fail, "The server verifies no logins.")
		return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
	}
	out := make([]*identity.VerifiedLogin, 0, len(reqs))
	for _, req := range reqs {
		if pool.DeveloperProviderName != "" && req.Provider == pool.DeveloperProviderName {
			if tr.On() {
				tr.Step(trace.PhaseLogin, "provider", trace.Fail, "The developer provider name is only taken by GetOpenIdTokenForDeveloperIdentity.", "provider", req.Provider)
			}
			return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
		}
		v, err := s.logins.Verify(ctx, req)
		if err != nil {
			return nil, apierr.As(err)
		}
		if v == nil {
			return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
		}
		if v.Provider == "" {
			v.Provider = req.Provider
		}
		out = append(out, v)
	}
	return out, nil
}

// peekLogins is what the Logins entries claim before verification (see
// identity.LoginVerifier.Peek); ok is false when any entry cannot say.
func (s *Service) peekLogins(pool *storage.Pool, reqs []identity.LoginRequest) ([]*identity.VerifiedLogin, bool) {
	if len(reqs) > 0 && s.logins == nil {
		return nil, false
	}
	out := make([]*identity.VerifiedLogin, 0, len(reqs))
	for _, req := range reqs {
		if pool.DeveloperProviderName != "" && req.Provider == pool.DeveloperProviderName {
			return nil, false
		}
		l, ok := s.logins.Peek(req)
		if !ok {
			return nil, false
		}
		out = append(out, l)
	}
	return out, true
}

// sameLogins reports whether verification found the logins a peek claimed.
func sameLogins(peeked, verified []*identity.VerifiedLogin) bool {
	if len(peeked) != len(verified) {
		return false
	}
	for i, p := range peeked {
		v := verified[i]
		if p.Provider != v.Provider || p.Subject != v.Subject || p.IdentityID != v.IdentityID || v.Assertion != nil {
			return false
		}
	}
	return true
}

// authenticatedAMR is the amr of an authenticated token: "authenticated",
// the provider names, then the qualified per-login entries
// ("PROVIDER:QUALIFIER:SUBJECT"). A token of this service passed back in
// (cognito-identity.amazonaws.com) contributes the amr it was issued with.
func authenticatedAMR(logins []*identity.VerifiedLogin, dev *storage.Login, poolID string) []string {
	amr := []string{"authenticated"}
	add := func(v string) {
		if v != "" && !slices.Contains(amr, v) {
			amr = append(amr, v)
		}
	}
	for _, l := range logins {
		if l.IdentityID == "" {
			add(l.Provider)
		}
	}
	if dev != nil {
		add(dev.Provider)
	}
	for _, l := range logins {
		if l.IdentityID == "" {
			add(l.AMR)
			continue
		}
		for _, v := range claimStrings(l.Claims["amr"]) {
			if v != "unauthenticated" {
				add(v)
			}
		}
	}
	if dev != nil {
		add(dev.Provider + ":" + poolID + ":" + dev.Subject)
	}
	return amr
}

// claimStrings reads a claim that is a string or a list of strings.
func claimStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []string:
		return t
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
