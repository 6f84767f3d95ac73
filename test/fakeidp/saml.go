package fakeidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/iam"
)

// SAML is a SAML identity provider's signing key and self-signed
// certificate, made at test time (no fixture files).
type SAML struct {
	Key      *rsa.PrivateKey
	Cert     []byte // DER
	EntityID string
}

// NewSAML returns an IdP whose certificate is valid around now.
func NewSAML(t testing.TB, now time.Time) *SAML {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test idp"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &SAML{Key: key, Cert: der, EntityID: "https://idp.example.com/saml"}
}

// Metadata is the IdP's SAML 2.0 metadata document.
func (s *SAML) Metadata() string {
	return iam.MetadataDocument(s.EntityID, s.Cert, "https://idp.example.com/sso")
}
