package ops

import (
	"context"
	"slices"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// CognitoProvider is the Logins key of tokens issued by this service
// (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity).
const CognitoProvider = "cognito-identity.amazonaws.com"

// verifyLogins verifies every Logins entry (in key order); any failure fails
// the call, as AWS documents ("if any of the tokens fail, the whole call
// fails"). The developer provider is never a token: in the public operations
// it is refused, and the developer operation takes it out before calling.
func (s *Service) verifyLogins(ctx context.Context, pool *storage.Pool, logins map[string]string) ([]*identity.VerifiedLogin, error) {
	if len(logins) == 0 {
		return nil, nil
	}
	if s.logins == nil {
		return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
	}
	keys := make([]string, 0, len(logins))
	for k := range logins {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*identity.VerifiedLogin, 0, len(keys))
	for _, k := range keys {
		if pool.DeveloperProviderName != "" && k == pool.DeveloperProviderName {
			return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
		}
		v, err := s.logins.Verify(ctx, pool, k, logins[k])
		if err != nil {
			return nil, apierr.As(err)
		}
		if v == nil {
			return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
		}
		if v.Provider == "" {
			v.Provider = k
		}
		out = append(out, v)
	}
	return out, nil
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
