package tokens

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Well-known paths served by Handler. AWS publishes its JWKS at jwks_uri;
// jwks.json is the name most OIDC tooling guesses.
const (
	PathDiscovery = "/.well-known/openid-configuration"
	PathJWKS      = "/.well-known/jwks_uri"
	PathJWKSJSON  = "/.well-known/jwks.json"
)

// jwksMaxAge is how long clients may cache the JWKS. Keys are published a
// whole rotation period before they sign, so a cached copy never lacks the
// active key as long as this is shorter than the rotation period.
const jwksMaxAge = time.Hour

// Paths returns the paths Handler serves.
func (s *Service) Paths() []string { return []string{PathDiscovery, PathJWKS, PathJWKSJSON} }

// Handler serves the OpenID discovery document and the JWKS.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var etag string
	switch r.URL.Path {
	case PathDiscovery:
		body = s.discovery
	case PathJWKS, PathJWKSJSON:
		ks := s.keys()
		body, etag = ks.jwks, ks.etag
	default:
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Public documents: browsers verifying tokens fetch them cross-origin.
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Content-Type", "application/json")
	maxAge := min(jwksMaxAge, s.cfg.Rotation/2)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	if etag != "" {
		h.Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// discoveryDocument is the OpenID Provider metadata for issuer.
func discoveryDocument(issuer string) ([]byte, error) {
	return json.Marshal(struct {
		Issuer        string   `json:"issuer"`
		JWKSURI       string   `json:"jwks_uri"`
		AuthEndpoint  string   `json:"authorization_endpoint"`
		ResponseTypes []string `json:"response_types_supported"`
		SubjectTypes  []string `json:"subject_types_supported"`
		SigningAlgs   []string `json:"id_token_signing_alg_values_supported"`
		Scopes        []string `json:"scopes_supported"`
		Claims        []string `json:"claims_supported"`
	}{
		Issuer:  issuer,
		JWKSURI: issuer + PathJWKS,
		// Tokens come from the GetOpenIdToken API, not a browser flow;
		// the field is required by the discovery spec, so it names the API
		// endpoint.
		AuthEndpoint:  issuer + "/",
		ResponseTypes: []string{"id_token"},
		SubjectTypes:  []string{"public"},
		SigningAlgs:   []string{algRS512},
		Scopes:        []string{"openid"},
		Claims:        []string{"sub", "aud", "amr", "iss", "exp", "iat", ClaimPoolARN, ClaimTags},
	})
}
