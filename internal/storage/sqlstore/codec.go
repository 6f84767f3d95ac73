package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

// poolDoc is the JSON document of a pool's settings. Maps and slices carry
// no omitempty so nil and empty survive the round trip (null vs {} / []).
// The nested types are encoded by their Go field names: renaming one of
// their fields needs a schema migration that rewrites the documents.
type poolDoc struct {
	AllowUnauthenticated      bool                               `json:"allowUnauthenticated"`
	AllowClassicFlow          *bool                              `json:"allowClassicFlow"`
	SupportedLoginProviders   map[string]string                  `json:"supportedLoginProviders"`
	DeveloperProviderName     string                             `json:"developerProviderName"`
	OpenIDConnectProviderARNs []string                           `json:"openIdConnectProviderArns"`
	CognitoIdentityProviders  []storage.CognitoProvider          `json:"cognitoIdentityProviders"`
	SAMLProviderARNs          []string                           `json:"samlProviderArns"`
	Tags                      map[string]string                  `json:"tags"`
	Roles                     map[string]string                  `json:"roles"`
	RoleMappings              map[string]storage.RoleMapping     `json:"roleMappings"`
	PrincipalTags             map[string]storage.PrincipalTagMap `json:"principalTags"`
}

func encodePoolDoc(p *storage.Pool) ([]byte, error) {
	return json.Marshal(poolDoc{
		AllowUnauthenticated:      p.AllowUnauthenticated,
		AllowClassicFlow:          p.AllowClassicFlow,
		SupportedLoginProviders:   p.SupportedLoginProviders,
		DeveloperProviderName:     p.DeveloperProviderName,
		OpenIDConnectProviderARNs: p.OpenIDConnectProviderARNs,
		CognitoIdentityProviders:  p.CognitoIdentityProviders,
		SAMLProviderARNs:          p.SAMLProviderARNs,
		Tags:                      p.Tags,
		Roles:                     p.Roles,
		RoleMappings:              p.RoleMappings,
		PrincipalTags:             p.PrincipalTags,
	})
}

func decodePoolDoc(b []byte, p *storage.Pool) error {
	var d poolDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("storage: pool %s: corrupt document: %w", p.ID, err)
	}
	p.AllowUnauthenticated = d.AllowUnauthenticated
	p.AllowClassicFlow = d.AllowClassicFlow
	p.SupportedLoginProviders = d.SupportedLoginProviders
	p.DeveloperProviderName = d.DeveloperProviderName
	p.OpenIDConnectProviderARNs = d.OpenIDConnectProviderARNs
	p.CognitoIdentityProviders = d.CognitoIdentityProviders
	p.SAMLProviderARNs = d.SAMLProviderARNs
	p.Tags = d.Tags
	p.Roles = d.Roles
	p.RoleMappings = d.RoleMappings
	p.PrincipalTags = d.PrincipalTags
	return nil
}

// toMicros stores a time as Unix microseconds.
func toMicros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored time back in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nonNil stores a nil byte slice as an empty one (the columns are NOT NULL).
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
