package forgery

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/go-jose/go-jose/v4"

	"github.com/idpool/idpool/test/harness"
)

var b64 = base64.RawURLEncoding

// jwtSigner signs JWTs by hand, so headers and algorithms can be anything.
type jwtSigner struct {
	key *rsa.PrivateKey
	kid string
	alg string // RS256 or RS512
}

func encodeJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b64.EncodeToString(b)
}

// sign makes header.claims.signature with the signer's RSA key; extra
// header fields are added (a nil value removes a field).
func (s jwtSigner) sign(claims map[string]any, extra map[string]any) string {
	h := map[string]any{"alg": s.alg, "typ": "JWT", "kid": s.kid}
	for k, v := range extra {
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	input := encodeJSON(h) + "." + encodeJSON(claims)
	hash, sum := crypto.SHA512, sha512.Sum512([]byte(input))
	digest := sum[:]
	if h["alg"] == "RS256" {
		s256 := sha256.Sum256([]byte(input))
		hash, digest = crypto.SHA256, s256[:]
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, hash, digest)
	if err != nil {
		panic(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// hmacToken signs with HMAC using secret: the "public key as HMAC secret"
// algorithm-confusion attack.
func hmacToken(alg, kid string, claims map[string]any, secret []byte) string {
	input := encodeJSON(map[string]any{"alg": alg, "typ": "JWT", "kid": kid}) + "." + encodeJSON(claims)
	mac := hmac.New(sha256.New, secret)
	if alg == "HS512" {
		mac = hmac.New(sha512.New, secret)
	}
	mac.Write([]byte(input))
	return input + "." + b64.EncodeToString(mac.Sum(nil))
}

// parts splits a compact JWT and decodes its header and claims.
func parts(t *testing.T, tok string) (header, claims map[string]any, p []string) {
	t.Helper()
	p = strings.Split(tok, ".")
	if len(p) != 3 {
		t.Fatalf("not a compact JWS: %q", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := b64.DecodeString(p[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims, p
}

// flipSig flips one bit of the decoded signature at byte i (from the end
// when negative): base64 characters' spare bits would hide a flip.
func flipSig(tok string, i int) string {
	p := strings.Split(tok, ".")
	sig, _ := b64.DecodeString(p[2])
	sig[(i+len(sig))%len(sig)] ^= 0x80
	return p[0] + "." + p[1] + "." + b64.EncodeToString(sig)
}

func with(claims map[string]any, k string, v any) map[string]any {
	c := clone(claims)
	if v == nil {
		delete(c, k)
	} else {
		c[k] = v
	}
	return c
}

type forgedToken struct{ name, token string }

// jwtForgeries are the mutations of genuine (a real token) tried against
// any verifier: real is the issuer's own signer, so claim checks are tried
// one by one with a valid signature; the rest are signed by an attacker.
func jwtForgeries(t *testing.T, genuine string, real jwtSigner, otherAud string) []forgedToken {
	t.Helper()
	_, claims, p := parts(t, genuine)
	attacker := jwtSigner{key: rsaKey(t), kid: real.kid, alg: real.alg}
	pubDER, err := x509.MarshalPKIXPublicKey(&real.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&real.key.PublicKey)})
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: &real.key.PublicKey, KeyID: real.kid})
	attackerJWK := jose.JSONWebKey{Key: &attacker.key.PublicKey, KeyID: "attacker"}
	now := time.Now()
	none := func(alg string) string {
		return encodeJSON(map[string]any{"alg": alg, "typ": "JWT", "kid": real.kid}) + "." + p[1] + "."
	}
	return []forgedToken{
		{"alg none", none("none")},
		{"alg None", none("None")},
		{"alg NONE with the original signature", none("NONE") + p[2]},
		{"HS256 keyed with the public key PEM", hmacToken("HS256", real.kid, claims, pubPEM)},
		{"HS256 keyed with the PKCS#1 PEM", hmacToken("HS256", real.kid, claims, pkcs1PEM)},
		{"HS256 keyed with the public key DER", hmacToken("HS256", real.kid, claims, pubDER)},
		{"HS512 keyed with the public JWK", hmacToken("HS512", real.kid, claims, jwk)},
		{"attacker key, unknown kid", attacker.sign(claims, map[string]any{"kid": "attacker-kid"})},
		{"attacker key, the real kid", attacker.sign(claims, nil)},
		{"attacker key, no kid", attacker.sign(claims, map[string]any{"kid": nil})},
		{"attacker key embedded as jwk", attacker.sign(claims, map[string]any{"kid": nil, "jwk": attackerJWK})},
		{"attacker key behind jku", attacker.sign(claims, map[string]any{"jku": "https://attacker.example/keys"})},
		{"attacker key in x5c", attacker.sign(claims, map[string]any{"x5c": []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}})},
		{"wrong iss", real.sign(with(claims, "iss", "https://evil.example"), nil)},
		{"no iss", real.sign(with(claims, "iss", nil), nil)},
		{"wrong aud", real.sign(with(claims, "aud", otherAud), nil)},
		{"aud list without ours", real.sign(with(claims, "aud", []string{otherAud, "x"}), nil)},
		{"expired an hour ago", real.sign(with(with(claims, "exp", now.Add(-time.Hour).Unix()), "iat", now.Add(-2*time.Hour).Unix()), nil)},
		{"expired a minute ago", real.sign(with(claims, "exp", now.Add(-6*time.Minute).Unix()), nil)},
		{"no exp", real.sign(with(claims, "exp", nil), nil)},
		{"exp as a string", real.sign(with(claims, "exp", "9999999999"), nil)},
		{"nbf in the future", real.sign(with(claims, "nbf", now.Add(time.Hour).Unix()), nil)},
		{"signature bit flipped (first byte)", flipSig(genuine, 0)},
		{"signature bit flipped (middle)", flipSig(genuine, 128)},
		{"signature bit flipped (last byte)", flipSig(genuine, -1)},
		{"claims tampered (sub)", p[0] + "." + encodeJSON(with(claims, "sub", "someone-else")) + "." + p[2]},
		{"header tampered", encodeJSON(map[string]any{"alg": real.alg, "kid": real.kid, "typ": "at+jwt"}) + "." + p[1] + "." + p[2]},
		{"signature truncated", genuine[:len(genuine)-10]},
		{"signature removed", p[0] + "." + p[1] + "."},
		{"two segments", p[0] + "." + p[1]},
		{"four segments", genuine + "." + p[2]},
		{"JWE-shaped", p[0] + "..x." + p[1] + "." + p[2]},
		{"not base64", p[0] + ".%%%." + p[2]},
	}
}

// serverSigner is the idpool's active token signing key, read from its
// store (unencrypted in development mode).
func serverSigner(t *testing.T, s *harness.Server, kid string) jwtSigner {
	t.Helper()
	var kb struct {
		Active struct {
			KID   string `json:"kid"`
			Priv  []byte `json:"priv"`
			Nonce []byte `json:"nonce"`
		} `json:"active"`
	}
	if err := json.Unmarshal(blob(t, s, signingKeyBlob), &kb); err != nil {
		t.Fatal(err)
	}
	if kb.Active.KID != kid || len(kb.Active.Nonce) != 0 {
		t.Fatalf("active key %s (encrypted %v), token kid %s", kb.Active.KID, len(kb.Active.Nonce) != 0, kid)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Active.Priv)
	if err != nil {
		t.Fatal(err)
	}
	return jwtSigner{key: k.(*rsa.PrivateKey), kid: kid, alg: "RS512"}
}

// openIDForgeries: idpool's own OpenID tokens, forged, given to its STS
// (classic flow) and back to Cognito Identity as a login.
func openIDForgeries(t *testing.T, w *world, n *tally) {
	ctx := context.Background()
	header, claims, _ := parts(t, w.token)
	real := serverSigner(t, w.s, header["kid"].(string))
	if header["alg"] != real.alg {
		t.Fatalf("token alg %v, want %s", header["alg"], real.alg)
	}
	anon := w.s.Anonymous(harness.Region)
	asLogin := func(tok string) error {
		_, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{
			IdentityId: aws.String(w.guest), Logins: map[string]string{"cognito-identity.amazonaws.com": tok},
		})
		return err
	}
	// Controls: the genuine token, and the same claims signed again with
	// the server's key, are accepted by both.
	resigned := real.sign(claims, nil)
	for _, tok := range []string{w.token, resigned} {
		if err := w.assume(w.poolRole, tok); err != nil {
			t.Fatalf("AssumeRoleWithWebIdentity refuses a genuine token: %v", err)
		}
		if err := asLogin(tok); err != nil {
			t.Fatalf("GetCredentialsForIdentity refuses a genuine token as a login: %v", err)
		}
	}
	otherPool := harness.Region + ":00000000-0000-4000-8000-000000000000"
	for _, f := range jwtForgeries(t, w.token, real, otherPool) {
		n.refuse(t, "openid", "sts AssumeRoleWithWebIdentity: "+f.name, w.assume(w.poolRole, f.token),
			"InvalidIdentityToken", "ExpiredTokenException", "AccessDenied")
		err := asLogin(f.token)
		n.refuse(t, "openid", "cognito login: "+f.name, err, "NotAuthorizedException")
		if strings.HasPrefix(f.name, "expired") && (err == nil || !strings.Contains(err.Error(), "Invalid login token. Token expired: ")) {
			t.Errorf("openid: cognito login: %s: refused as %v, want AWS's expiry text", f.name, err)
		}
	}
}

// oidcForgeries: login tokens of the fake OpenID Connect provider, forged,
// given to GetId and to STS through the IAM OIDC provider.
func oidcForgeries(t *testing.T, w *world, n *tally) {
	ctx := context.Background()
	real := jwtSigner{key: w.idp.Key, kid: w.idp.KID, alg: "RS256"}
	genuine := real.sign(w.idp.claims("oidc-user-1"), nil)
	anon := w.s.Anonymous(harness.Region)
	getID := func(tok string) error {
		_, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(w.pool), Logins: map[string]string{w.idp.Host(): tok}})
		return err
	}
	if err := getID(genuine); err != nil {
		t.Fatalf("GetId refuses a genuine OIDC token: %v", err)
	}
	if err := w.assume(w.oidcRole, genuine); err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity refuses a genuine OIDC token: %v", err)
	}
	// Claim mutations carry a valid signature: each must be refused for
	// its own reason, with AWS's text, or the check it targets is untried.
	reasons := map[string]string{
		"wrong iss": "Issuer doesn't match providerName", "no iss": "Issuer doesn't match providerName",
		"wrong aud": "Incorrect token audience.", "aud list without ours": "Incorrect token audience.",
		"expired an hour ago": "Token expired: ", "expired a minute ago": "Token expired: ",
		"no exp": "Missing a required claim: exp", "nbf in the future": "Token used before it is valid.",
	}
	for _, f := range jwtForgeries(t, genuine, real, "client-b") {
		err := getID(f.token)
		n.refuse(t, "oidc-login", "GetId: "+f.name, err, "NotAuthorizedException")
		if want, ok := reasons[f.name]; ok && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("oidc-login: GetId: %s: refused as %v, want a refusal for %q", f.name, err, want)
		}
		n.refuse(t, "oidc-login", "sts AssumeRoleWithWebIdentity: "+f.name, w.assume(w.oidcRole, f.token),
			"InvalidIdentityToken", "ExpiredTokenException", "AccessDenied")
	}
}
