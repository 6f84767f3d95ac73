package bench

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// TestIssuerTokensVerify: the issuer's certificate, as a server would trust
// it through SSL_CERT_FILE, reaches its discovery document and keys, and its
// tokens verify with those keys; the TLS identity is kept across runs.
func TestIssuerTokensVerify(t *testing.T) {
	dir := t.TempDir()
	certPath, err := IssuerCertPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	is, err := startIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer is.close()
	pemBytes, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatal("certificate file holds no certificate")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}, Timeout: 10 * time.Second}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, hc, is.url+"/.well-known/openid-configuration", &doc)
	if doc.Issuer != is.url {
		t.Fatalf("discovery names %q, want %q", doc.Issuer, is.url)
	}
	var jwks jose.JSONWebKeySet
	getJSON(t, hc, doc.JWKSURI, &jwks)

	tok, err := is.token("bench-user-1", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := jwks.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys", jws.Signatures[0].Header.KeyID, len(keys))
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if claims["iss"] != is.url || claims["sub"] != "bench-user-1" || claims["aud"] != loginAudience {
		t.Fatalf("claims: %v", claims)
	}

	again, err := startIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.close()
	if again.thumbprint() != is.thumbprint() {
		t.Error("a second run made a new certificate: the server would no longer trust it")
	}
}

func getJSON(t *testing.T, hc *http.Client, url string, out any) {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
