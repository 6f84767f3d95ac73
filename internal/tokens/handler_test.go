package tokens

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// serve starts a service whose issuer is an httptest server serving Handler.
func serve(t *testing.T, cfg Config) (*Service, *httptest.Server) {
	t.Helper()
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg.Issuer = srv.URL
	s := newService(t, cfg)
	h = s.Handler()
	return s, srv
}

// TestGoOIDCVerifies: a third-party verifier (go-oidc, via discovery and
// via the JWKS URL) accepts our tokens and refuses a changed one.
func TestGoOIDCVerifies(t *testing.T) {
	s, srv := serve(t, Config{})
	ctx := context.Background()
	r := sampleRequest()
	tok := issue(t, s, r)

	provider, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	byDiscovery := provider.Verifier(&oidc.Config{ClientID: r.PoolID})
	byJWKS := oidc.NewVerifier(srv.URL, oidc.NewRemoteKeySet(ctx, srv.URL+PathJWKS),
		&oidc.Config{ClientID: r.PoolID, SupportedSigningAlgs: []string{oidc.RS512}})
	for name, v := range map[string]*oidc.IDTokenVerifier{"discovery": byDiscovery, "jwks": byJWKS} {
		idt, err := v.Verify(ctx, tok)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if idt.Subject != r.IdentityID || idt.Issuer != srv.URL {
			t.Errorf("%s: sub %q iss %q", name, idt.Subject, idt.Issuer)
		}
		var claims struct {
			AMR  []string `json:"amr"`
			Tags struct {
				Principal map[string][]string `json:"principal_tags"`
			} `json:"https://aws.amazon.com/tags"`
		}
		if err := idt.Claims(&claims); err != nil || len(claims.AMR) != 3 || claims.Tags.Principal["username"][0] != "1234" {
			t.Errorf("%s: claims %+v, %v", name, claims, err)
		}
		// One changed byte in the payload fails.
		parts := strings.Split(tok, ".")
		p := []byte(parts[1])
		p[10] ^= 1
		if _, err := v.Verify(ctx, parts[0]+"."+string(p)+"."+parts[2]); err == nil {
			t.Errorf("%s: tampered token verified", name)
		}
		if _, err := oidc.NewVerifier(srv.URL, oidc.NewRemoteKeySet(ctx, srv.URL+PathJWKSJSON),
			&oidc.Config{ClientID: "us-east-1:other", SupportedSigningAlgs: []string{oidc.RS512}}).Verify(ctx, tok); err == nil {
			t.Errorf("%s: token accepted for another audience", name)
		}
	}
}

func TestHandler(t *testing.T) {
	s, srv := serve(t, Config{})
	get := func(path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}

	resp, body := get(PathDiscovery, nil)
	var disc map[string]any
	if err := json.Unmarshal(body, &disc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery: %d %s", resp.StatusCode, body)
	}
	if disc["issuer"] != srv.URL || disc["jwks_uri"] != srv.URL+PathJWKS {
		t.Errorf("discovery = %s", body)
	}
	if algs, _ := json.Marshal(disc["id_token_signing_alg_values_supported"]); string(algs) != `["RS512"]` {
		t.Errorf("algs = %s", algs)
	}

	for _, path := range []string{PathJWKS, PathJWKSJSON} {
		resp, body := get(path, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" ||
			resp.Header.Get("Cache-Control") != "public, max-age=3600" || resp.Header.Get("ETag") == "" {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, resp.Header)
		}
		var raw struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal(body, &raw); err != nil || len(raw.Keys) != 2 {
			t.Fatalf("%s: %s", path, body)
		}
		for _, k := range raw.Keys {
			for _, f := range []string{"kid", "kty", "alg", "use", "n", "e", "x5c"} {
				if k[f] == nil {
					t.Errorf("%s: key lacks %s: %v", path, f, k)
				}
			}
			if k["alg"] != "RS512" || k["use"] != "sig" || k["kty"] != "RSA" || k["d"] != nil {
				t.Errorf("%s: key %v", path, k)
			}
		}
		// go-jose parses it, and each x5c certificate holds the key itself.
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(body, &set); err != nil {
			t.Fatal(err)
		}
		for _, k := range set.Keys {
			pub := k.Key.(*rsa.PublicKey)
			if len(k.Certificates) != 1 || !k.Certificates[0].PublicKey.(*rsa.PublicKey).Equal(pub) {
				t.Errorf("key %s: x5c does not match", k.KeyID)
			}
			c := k.Certificates[0]
			if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
				t.Errorf("key %s: certificate not self-signed: %v", k.KeyID, err)
			}
		}
		if r2, _ := get(path, map[string]string{"If-None-Match": resp.Header.Get("ETag")}); r2.StatusCode != http.StatusNotModified {
			t.Errorf("%s: conditional GET answered %d", path, r2.StatusCode)
		}
	}
	if resp, _ := get("/.well-known/other", nil); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	resp2, err := http.Post(srv.URL+PathJWKS, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp2.StatusCode)
	}
	if got := s.Paths(); len(got) != 3 {
		t.Errorf("Paths = %v", got)
	}
}
