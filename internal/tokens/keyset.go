package tokens

import (
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keySet is an immutable snapshot of the stored keys, ready to use: the
// parsed signing key, the public keys by kid and the JWKS document.
type keySet struct {
	version      int64     // Blob version it was built from
	checked      time.Time // when the blob was last read
	nextRotation time.Time
	// firstExpiry is the earliest Expires of a published retired key: the
	// set must be rebuilt then to unpublish it.
	firstExpiry time.Time

	signer *signer
	verify map[string]*rsa.PublicKey

	jwks []byte
	etag string
}

// signer is the active key with its encoded JWS header.
type signer struct {
	kid    string
	key    *rsa.PrivateKey
	header []byte // base64url of {"kid":…,"typ":"JWS","alg":"RS512"}
}

// jwsHeader is the protected header, in the member order AWS's tokens use.
type jwsHeader struct {
	KID string `json:"kid"`
	Typ string `json:"typ"`
	Alg string `json:"alg"`
}

// buildKeySet parses kb into a usable set at time now. Retired keys past
// their expiry are left out.
func buildKeySet(kb *keyBlob, version int64, now time.Time, aead cipher.AEAD) (*keySet, error) {
	priv, err := kb.Active.privateKey(aead)
	if err != nil {
		return nil, err
	}
	hdr, err := json.Marshal(jwsHeader{KID: kb.Active.KID, Typ: "JWS", Alg: algRS512})
	if err != nil {
		return nil, err
	}
	ks := &keySet{
		version:      version,
		checked:      now,
		nextRotation: time.Unix(kb.NextRotation, 0),
		signer: &signer{
			kid:    kb.Active.KID,
			key:    priv,
			header: base64.RawURLEncoding.AppendEncode(nil, hdr),
		},
		verify: make(map[string]*rsa.PublicKey, 2+len(kb.Retired)),
	}
	var set jose.JSONWebKeySet
	add := func(k *storedKey) error {
		pub, cert, err := k.publicKey()
		if err != nil {
			return err
		}
		ks.verify[k.KID] = pub
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: pub, KeyID: k.KID, Algorithm: algRS512, Use: "sig",
			Certificates: []*x509.Certificate{cert},
		})
		return nil
	}
	if err := add(kb.Active); err != nil {
		return nil, err
	}
	if err := add(kb.Next); err != nil {
		return nil, err
	}
	for i := range kb.Retired {
		k := &kb.Retired[i]
		exp := time.Unix(k.Expires, 0)
		if !now.Before(exp) {
			continue
		}
		if ks.firstExpiry.IsZero() || exp.Before(ks.firstExpiry) {
			ks.firstExpiry = exp
		}
		if err := add(k); err != nil {
			return nil, err
		}
	}
	if ks.jwks, err = json.Marshal(set); err != nil {
		return nil, fmt.Errorf("tokens: encode JWKS: %w", err)
	}
	sum := sha256.Sum256(ks.jwks)
	ks.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	return ks, nil
}

// stale reports whether the set must be re-read from storage at now.
func (ks *keySet) stale(now time.Time) bool {
	return now.Sub(ks.checked) >= refreshInterval || !now.Before(ks.nextRotation) ||
		(!ks.firstExpiry.IsZero() && !now.Before(ks.firstExpiry))
}
