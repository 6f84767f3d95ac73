package iam

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"strings"
	"time"
)

// Metadata is what a SAML provider's metadata document tells us: the
// identity provider's entity id and signing certificates.
type Metadata struct {
	EntityID   string
	Certs      []*x509.Certificate // signing certificates
	ValidUntil time.Time           // zero when the document has none
}

type mdEntity struct {
	EntityID   string `xml:"entityID,attr"`
	ValidUntil string `xml:"validUntil,attr"`
	IDP        []struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
	} `xml:"IDPSSODescriptor"`
}

// MaxMetadata is IAM's limit on SAMLMetadataDocument (1000..10000000 chars).
const MaxMetadata = 10000000

// ParseMetadata reads an IdP's SAML 2.0 metadata: the first
// EntityDescriptor (alone or inside EntitiesDescriptor) with an
// IDPSSODescriptor, and its signing certificates (KeyDescriptors with
// use="signing" or no use).
func ParseMetadata(doc string) (*Metadata, error) {
	if len(doc) > MaxMetadata {
		return nil, errors.New("metadata document too large")
	}
	var root struct {
		XMLName  xml.Name
		mdEntity            // when the root is EntityDescriptor
		Entities []mdEntity `xml:"EntityDescriptor"`
	}
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		return nil, err
	}
	entities := root.Entities
	switch root.XMLName.Local {
	case "EntityDescriptor":
		entities = []mdEntity{root.mdEntity}
	case "EntitiesDescriptor":
	default:
		return nil, errors.New("root element is not EntityDescriptor")
	}
	for _, e := range entities {
		if len(e.IDP) == 0 {
			continue
		}
		md := &Metadata{EntityID: e.EntityID}
		if e.ValidUntil != "" {
			t, err := time.Parse(time.RFC3339, e.ValidUntil)
			if err != nil {
				return nil, errors.New("bad validUntil")
			}
			md.ValidUntil = t
		}
		for _, idp := range e.IDP {
			for _, k := range idp.Keys {
				if k.Use != "" && k.Use != "signing" {
					continue
				}
				for _, c := range k.Certs {
					der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
					if err != nil {
						return nil, errors.New("bad X509Certificate encoding")
					}
					cert, err := x509.ParseCertificate(der)
					if err != nil {
						return nil, err
					}
					md.Certs = append(md.Certs, cert)
				}
			}
		}
		if len(md.Certs) == 0 {
			return nil, errors.New("no signing certificate in IDPSSODescriptor")
		}
		return md, nil
	}
	return nil, errors.New("no IDPSSODescriptor")
}

// MetadataDocument writes a SAML 2.0 IdP metadata document: entityID, one
// signing certificate (DER) and the single sign-on URL sso.
func MetadataDocument(entityID string, cert []byte, sso string) string {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + esc(entityID) + `">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(cert) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + esc(sso) + `"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}
