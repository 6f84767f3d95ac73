package bench

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Files of the issuer's TLS identity in --issuer-dir. The server under load
// must trust the certificate (SSL_CERT_FILE=DIR/issuer-cert.pem), so it is
// kept across runs instead of being made anew each time.
const (
	issuerCertFile = "issuer-cert.pem"
	issuerKeyFile  = "issuer-key.pem"
	// loginAudience is the client id the bench's tokens name and its IAM
	// OIDC provider lists.
	loginAudience = "idpool-bench"
)

// DefaultIssuerDir is where the issuer's TLS certificate lives by default.
func DefaultIssuerDir() string { return filepath.Join(os.TempDir(), "idpool-bench-issuer") }

// issuer is a real OpenID Connect provider over TLS on loopback: discovery
// document, an RSA JWKS, and RS256 ID tokens signed with its key.
type issuer struct {
	srv    *http.Server
	url    string // https://127.0.0.1:PORT
	cert   []byte // DER of the TLS certificate
	signer jose.Signer
}

// startIssuer serves the issuer on a loopback port with the TLS identity in
// dir (created when missing).
func startIssuer(dir string) (*issuer, error) {
	tlsCert, der, err := issuerTLS(dir)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "bench"))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	is := &issuer{url: "https://" + ln.Addr().String(), cert: der, signer: signer}
	discovery, _ := json.Marshal(map[string]string{"issuer": is.url, "jwks_uri": is.url + "/keys"})
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "bench", Algorithm: "RS256", Use: "sig"}}})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", jsonBytes(discovery))
	mux.HandleFunc("GET /keys", jsonBytes(jwks))
	is.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{tlsCert}, MinVersion: tls.VersionTLS12}}
	go is.srv.ServeTLS(ln, "", "") //nolint:errcheck // ends with Close
	return is, nil
}

func jsonBytes(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
}

func (is *issuer) close() { _ = is.srv.Close() }

// host is the issuer without its scheme: the Logins key and the IAM
// provider's name.
func (is *issuer) host() string { return strings.TrimPrefix(is.url, "https://") }

// thumbprint is the SHA-1 of the TLS certificate, as IAM lists it.
func (is *issuer) thumbprint() string {
	sum := sha1.Sum(is.cert)
	return hex.EncodeToString(sum[:])
}

// token signs an ID token for sub that expires at exp.
func (is *issuer) token(sub string, exp time.Time) (string, error) {
	claims, _ := json.Marshal(map[string]any{"iss": is.url, "sub": sub, "aud": loginAudience,
		"iat": time.Now().Unix(), "exp": exp.Unix()})
	jws, err := is.signer.Sign(claims)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// IssuerCertPath makes sure dir holds the issuer's TLS identity and returns
// the certificate's path, for the server's SSL_CERT_FILE.
func IssuerCertPath(dir string) (string, error) {
	if _, _, err := issuerTLS(dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, issuerCertFile), nil
}

// issuerTLS loads the TLS identity in dir, creating a self-signed
// certificate for 127.0.0.1, ::1 and localhost when there is none.
func issuerTLS(dir string) (tls.Certificate, []byte, error) {
	certPath, keyPath := filepath.Join(dir, issuerCertFile), filepath.Join(dir, issuerKeyFile)
	c, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil {
		return c, c.Certificate[0], nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, nil, fmt.Errorf("issuer TLS identity in %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "idpool bench issuer"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, nil, err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return tls.Certificate{}, nil, err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, nil, err
	}
	c, err = tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return c, der, nil
}
