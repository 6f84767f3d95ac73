package logins

import (
	"encoding/json"
	"time"

	"github.com/idpool/idpool/internal/awsquery"
)

// Resource kinds this package owns in storage.
const (
	// KindOIDCProvider is an IAM OIDC provider; name = its URL without scheme
	// (the Logins key), Doc = OIDCProviderDoc.
	KindOIDCProvider = "iam-oidc-provider"
	// KindSAMLProvider is an IAM SAML provider; name = its name, Doc = SAMLProviderDoc.
	KindSAMLProvider = "iam-saml-provider"
	// KindSAMLAssertion records a SAML assertion that was used (replay cache);
	// see replay.go.
	KindSAMLAssertion = "saml-assertion"
)

// OIDCProviderDoc is the stored form of an IAM OIDC provider.
type OIDCProviderDoc struct {
	URL            string         `json:"Url"` // as created, with https://
	ClientIDList   []string       `json:"ClientIDList"`
	ThumbprintList []string       `json:"ThumbprintList"`
	Tags           []awsquery.Tag `json:"Tags"`
	CreateDate     time.Time      `json:"CreateDate"`
}

// SAMLProviderDoc is the stored form of an IAM SAML provider.
type SAMLProviderDoc struct {
	SAMLMetadataDocument string         `json:"SAMLMetadataDocument"`
	CreateDate           time.Time      `json:"CreateDate"`
	ValidUntil           time.Time      `json:"ValidUntil"`
	Tags                 []awsquery.Tag `json:"Tags"`
}

func decodeOIDCDoc(b []byte) (*OIDCProviderDoc, error) {
	var d OIDCProviderDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func decodeSAMLDoc(b []byte) (*SAMLProviderDoc, error) {
	var d SAMLProviderDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	return &d, nil
}
