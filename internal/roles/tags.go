package roles

import (
	"slices"
	"unicode/utf8"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// STS session-tag limits (AssumeRoleWithWebIdentity: 50 tags, key ≤128,
// value ≤256 characters).
const (
	MaxTags        = 50
	MaxTagKeyLen   = 128
	MaxTagValueLen = 256
)

// Default principal-tag keys for UseDefaults. AWS does not document the key
// names; these are the ones community configurations show (api-notes §4.6).
const (
	DefaultTagClient   = "client"
	DefaultTagUsername = "username"
)

// SAML claim names of the default mapping (provider-mappings guide).
const (
	samlNameIdentifier = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"
	samlName           = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
)

// PrincipalTags returns the session tags from the pool's principal-tag
// attribute maps for these logins: tag key -> the login's claim value. A
// login's map is found by its provider key (else its RoleMappingKey).
// Missing or non-scalar claims are skipped, as are keys and values beyond the
// STS limits; when two logins give the same key the first wins; at most
// MaxTags tags are returned (lowest keys first). Developer-authenticated
// logins have no defaults (their tags come with the developer token).
// Returns nil when there are none.
func PrincipalTags(pool *storage.Pool, logins []*identity.VerifiedLogin) map[string]string {
	var out map[string]string
	for _, l := range logins {
		if l == nil || l.Provider == DeveloperProvider {
			continue
		}
		m, ok := pool.PrincipalTags[l.Provider]
		if !ok && l.RoleMappingKey != "" {
			m, ok = pool.PrincipalTags[l.RoleMappingKey]
		}
		if !ok {
			continue
		}
		mapping := m.Tags
		if m.UseDefaults {
			mapping = defaultTagMap(l.Provider)
		}
		for key, claim := range mapping {
			if _, dup := out[key]; dup || key == "" || utf8.RuneCountInString(key) > MaxTagKeyLen {
				continue
			}
			val, ok := scalarString(l.Claims[claim])
			if !ok || val == "" || utf8.RuneCountInString(val) > MaxTagValueLen {
				continue
			}
			if out == nil {
				out = make(map[string]string, len(mapping))
			}
			out[key] = val
		}
	}
	if len(out) > MaxTags {
		keys := make([]string, 0, len(out))
		for k := range out {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys[MaxTags:] {
			delete(out, k)
		}
	}
	return out
}

// defaultTagMap is the fixed UseDefaults mapping for a provider (the
// provider-mappings guide's "client ID, user ID" claims per provider type).
func defaultTagMap(provider string) map[string]string {
	switch {
	case isSAML(provider):
		// The guide lists nameidentifier then name, in the client, username
		// column order of the other providers.
		return map[string]string{DefaultTagClient: samlNameIdentifier, DefaultTagUsername: samlName}
	case provider == "www.amazon.com":
		return map[string]string{DefaultTagClient: "aud", DefaultTagUsername: "user_id"}
	}
	return map[string]string{DefaultTagClient: "aud", DefaultTagUsername: "sub"}
}
