package tokens

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// KeyBlob is the storage Blob holding the key set; the server lists it
// among the secret blobs it seals at rest.
const KeyBlob = blobKey

// keyBits is the RSA modulus size of signing keys.
const keyBits = 2048

// certValidity is the validity of a key's self-signed x5c certificate. Its
// dates carry no meaning for JWT verification; a long validity keeps
// verifiers that check them from failing while the key is still published.
const certValidity = 10 * 365 * 24 * time.Hour

// keyBlob is the stored form of the key set (the storage Blob's JSON value).
type keyBlob struct {
	// Active signs tokens now; Next is published and signs after the next
	// rotation; Retired keys only verify until their Expires.
	Active  *storedKey  `json:"active"`
	Next    *storedKey  `json:"next"`
	Retired []storedKey `json:"retired,omitempty"`
	// NextRotation is when Next becomes Active (Unix seconds).
	NextRotation int64 `json:"nextRotation"`
}

// storedKey is one key. Priv is left out of retired keys: they never sign again.
type storedKey struct {
	KID     string `json:"kid"`
	Created int64  `json:"created"`
	Pub     []byte `json:"pub"`  // PKIX DER
	Cert    []byte `json:"cert"` // self-signed certificate DER (x5c)
	// Priv is the PKCS#8 DER private key, AES-GCM sealed when Nonce is set.
	Priv    []byte `json:"priv,omitempty"`
	Nonce   []byte `json:"nonce,omitempty"`
	Expires int64  `json:"expires,omitempty"` // retired keys only
}

// newStoredKey generates an RSA key, its kid (the RFC 7638 thumbprint) and
// its self-signed certificate.
func newStoredKey(now time.Time, issuer string, aead cipher.AEAD) (*storedKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("tokens: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("tokens: key thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(thumb)
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("tokens: marshal public key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("tokens: certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: issuer, SerialNumber: kid},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("tokens: self-signed certificate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("tokens: marshal private key: %w", err)
	}
	k := &storedKey{KID: kid, Created: now.Unix(), Pub: pub, Cert: cert, Priv: der}
	if aead != nil {
		k.Nonce = make([]byte, aead.NonceSize())
		if _, err := rand.Read(k.Nonce); err != nil {
			return nil, fmt.Errorf("tokens: nonce: %w", err)
		}
		// The kid is bound as additional data: a sealed key cannot be
		// swapped under another key's entry.
		k.Priv = aead.Seal(nil, k.Nonce, der, []byte(kid))
	}
	return k, nil
}

// privateKey opens the stored private key. A key stored in the clear
// (generated before an encryption key was configured) is still accepted
// with one: the server seals the whole key blob at rest (internal/sealbox),
// so enabling encryption on an existing store needs no key rotation.
func (k *storedKey) privateKey(aead cipher.AEAD) (*rsa.PrivateKey, error) {
	der := k.Priv
	switch {
	case len(der) == 0:
		return nil, fmt.Errorf("tokens: key %s has no private key", k.KID)
	case k.Nonce != nil && aead == nil:
		return nil, fmt.Errorf("tokens: key %s is encrypted and no encryption key is configured", k.KID)
	case k.Nonce != nil:
		var err error
		if der, err = aead.Open(nil, k.Nonce, der, []byte(k.KID)); err != nil {
			return nil, fmt.Errorf("tokens: key %s: wrong encryption key or corrupt key", k.KID)
		}
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("tokens: key %s: %w", k.KID, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("tokens: key %s is not an RSA key", k.KID)
	}
	priv.Precompute()
	return priv, nil
}

// publicKey parses the stored public key and certificate.
func (k *storedKey) publicKey() (*rsa.PublicKey, *x509.Certificate, error) {
	parsed, err := x509.ParsePKIXPublicKey(k.Pub)
	if err != nil {
		return nil, nil, fmt.Errorf("tokens: key %s: %w", k.KID, err)
	}
	pub, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("tokens: key %s is not an RSA key", k.KID)
	}
	cert, err := x509.ParseCertificate(k.Cert)
	if err != nil {
		return nil, nil, fmt.Errorf("tokens: key %s certificate: %w", k.KID, err)
	}
	return pub, cert, nil
}

// retired returns k without its private key, published until expires.
func (k *storedKey) retired(expires time.Time) storedKey {
	r := *k
	r.Priv, r.Nonce = nil, nil
	r.Expires = expires.Unix()
	return r
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if key == nil {
		return nil, nil
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("tokens: encryption key: %w", err)
	}
	return cipher.NewGCM(block)
}

func decodeBlob(b []byte) (*keyBlob, error) {
	var kb keyBlob
	if err := json.Unmarshal(b, &kb); err != nil {
		return nil, fmt.Errorf("tokens: decode key blob: %w", err)
	}
	if kb.Active == nil || kb.Next == nil {
		return nil, errors.New("tokens: key blob has no active or next key")
	}
	return &kb, nil
}
