package logins

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/go-jose/go-jose/v4"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/test/fakeidp"
)

// The fuzz targets build their fixtures with testing.TB (the unit tests'
// helpers take *testing.T, which a fuzz target's setup does not have).

func fuzzStore(tb testing.TB) storage.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func fuzzKey(tb testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// checkRefusal fails unless err is what Verify promises: a
// NotAuthorizedException, or ExternalServiceException for an unreachable
// provider; never an internal error.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	ae, ok := err.(*apierr.Error)
	if !ok || (ae.Code != apierr.NotAuthorized && ae.Code != apierr.ExternalService) {
		t.Fatalf("refusal is %T %v, want NotAuthorized or ExternalService", err, err)
	}
}

// FuzzJWT: any string given as the login token of an IAM OIDC provider
// (a real TLS issuer with an RS256 key). No input panics; refusals are
// NotAuthorizedException; and what is accepted carries exactly the signed
// claims of the one valid token (subject and audience unchanged).
func FuzzJWT(f *testing.F) {
	key := fuzzKey(f)
	mux := http.NewServeMux()
	srv := httptest.NewTLSServer(mux)
	f.Cleanup(srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"issuer": srv.URL, "jwks_uri": srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	st := fuzzStore(f)
	provider := strings.TrimPrefix(srv.URL, "https://")
	if _, err := iamCall(st, "CreateOpenIDConnectProvider", url.Values{"Url": {srv.URL}, "ClientIDList.member.1": {"client-a"}}); err != nil {
		f.Fatal(err)
	}
	pool := &storage.Pool{ID: "us-east-1:11111111-2222-3333-4444-555555555555", OpenIDConnectProviderARNs: []string{iam.OIDCProviderARN(testAccount, provider)}}
	v := newVerifier(st, srv.Client(), nil)

	sign := func(alg jose.SignatureAlgorithm, k any, kid string, c map[string]any) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
		if err != nil {
			f.Fatal(err)
		}
		b, _ := json.Marshal(c)
		jws, err := s.Sign(b)
		if err != nil {
			f.Fatal(err)
		}
		out, _ := jws.CompactSerialize()
		return out
	}
	claims := map[string]any{"iss": srv.URL, "sub": "user-1", "aud": "client-a", "iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix()}
	good := sign(jose.RS256, key, "k1", claims)
	if _, err := v.Verify(context.Background(), pool, provider, good); err != nil {
		f.Fatalf("the valid token is refused: %v", err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	f.Add(good)
	f.Add(sign(jose.HS256, pubDER, "k1", claims))
	f.Add(sign(jose.RS256, fuzzKey(f), "k1", claims))
	f.Add(sign(jose.RS256, key, "k9", claims))
	f.Add(unsigned(claims, srv.URL))
	admin := map[string]any{}
	for k, val := range claims {
		admin[k] = val
	}
	admin["sub"] = "admin"
	parts := strings.Split(good, ".")
	forged := strings.Split(sign(jose.RS256, key, "k1", admin), ".")
	f.Add(parts[0] + "." + forged[1] + "." + parts[2]) // changed payload, original signature
	f.Add(good + "." + good)
	f.Add("")
	f.Add("a.b.c")
	f.Add(`{"protected":"e30","payload":"e30","signature":""}`)
	f.Fuzz(func(t *testing.T, token string) {
		l, err := v.Verify(context.Background(), pool, provider, token)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if l.Subject != "user-1" || l.AMR != provider+":client-a:user-1" {
			t.Fatalf("accepted a login that was never signed: %+v (token %q)", l, token)
		}
	})
}

// FuzzSAML: any SAML response given as the login token of an IAM SAML
// provider, either base64-encoded by the harness (to reach XML parsing and
// signature checks) or passed as it is (to reach the base64 decoding). No
// input panics; refusals are NotAuthorizedException; and an accepted login
// is one that was signed (alice's or bob's), never altered content.
func FuzzSAML(f *testing.F) {
	key := fuzzKey(f)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz idp"},
		NotBefore: testNow.Add(-24 * time.Hour), NotAfter: testNow.Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	idp := &samlIdP{&fakeidp.SAML{Key: key, Cert: der, EntityID: "https://idp.example.com/saml"}}
	st := fuzzStore(f)
	if _, err := iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"corp"}, "SAMLMetadataDocument": {idp.metadata()}}); err != nil {
		f.Fatal(err)
	}
	arn := iam.SAMLProviderARN(testAccount, "corp")
	pool := &storage.Pool{ID: "us-east-1:11111111-2222-3333-4444-555555555555", SAMLProviderARNs: []string{arn}}
	v := newVerifier(st, nil, nil)

	signEl := func(el *etree.Element) *etree.Element {
		ctx, err := dsig.NewSigningContext(key, [][]byte{der})
		if err != nil {
			f.Fatal(err)
		}
		signed, err := ctx.SignEnveloped(el)
		if err != nil {
			f.Fatal(err)
		}
		return signed
	}
	xmlOf := func(el *etree.Element) []byte {
		doc := etree.NewDocument()
		doc.SetRoot(el.Copy())
		b, err := doc.WriteToBytes()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	signedAssertion := xmlOf(response("https://signin.aws.amazon.com/saml", signEl(idp.assertion("a-1", "alice"))))
	signedResponse := xmlOf(signEl(response("", idp.assertion("a-2", "bob"))))
	wrapped := signEl(idp.assertion("w-1", "alice"))
	evil := wrapped.Copy()
	evil.FindElement("./Subject/NameID").SetText("admin")
	evil.CreateElement("saml:Advice").AddChild(wrapped.Copy())
	f.Add(signedAssertion, false)
	f.Add(signedResponse, false)
	f.Add(xmlOf(response("", evil)), false)
	f.Add(xmlOf(response("", idp.assertion("e-1", "admin"), signEl(idp.assertion("s-1", "alice")))), false)
	f.Add(xmlOf(response("", idp.assertion("u-1", "alice"))), false)
	f.Add([]byte(base64.StdEncoding.EncodeToString(signedAssertion)), true)
	f.Add([]byte("PD94bWwg\n dmVyc2lvbj0iMS4wIj8+"), true)
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>`), false)
	f.Fuzz(func(t *testing.T, doc []byte, raw bool) {
		token := string(doc)
		if !raw {
			token = base64.StdEncoding.EncodeToString(doc)
		}
		l, err := v.Verify(context.Background(), pool, arn, token)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if (l.Subject != "alice" && l.Subject != "bob") || l.AMR != arn+":"+idp.EntityID+":"+l.Subject {
			t.Fatalf("accepted a login that was never signed: %+v", l)
		}
	})
}

// FuzzKeySet: any document served as a provider's JWKS. parseKeySet never
// panics, and every key it keeps is a public key.
func FuzzKeySet(f *testing.F) {
	key := fuzzKey(f)
	good, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	f.Add(good)
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""},{"kty":"oct","k":"AA"},{"kty":"RSA","alg":"HS256"}]}`))
	f.Add([]byte(`{"keys":null}`))
	private, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: "k2", Algorithm: "RS256"}}})
	f.Add(private) // a provider that publishes its private key by mistake
	f.Fuzz(func(t *testing.T, doc []byte) {
		keys, err := parseKeySet(doc)
		if err != nil {
			return
		}
		for _, k := range keys {
			if k.Key == nil || !k.IsPublic() {
				t.Fatalf("kept a key that is not public: %+v", k)
			}
		}
	})
}
