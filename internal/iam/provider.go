package iam

import (
	"fmt"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/idpool/idpool/internal/storage"
)

// Storage kinds of IAM's identity providers; each is named only here.
const (
	// KindOIDCProvider is an IAM OIDC provider; name = its URL without scheme
	// (the Logins key), Doc = OIDCProvider.
	KindOIDCProvider = "iam-oidc-provider"
	// KindSAMLProvider is an IAM SAML provider; name = its name, Doc = SAMLProvider.
	KindSAMLProvider = "iam-saml-provider"
)

// OIDCProvider is the stored form of an IAM OIDC provider.
type OIDCProvider struct {
	URL            string    `json:"Url"` // as created, with https://
	ClientIDList   []string  `json:"ClientIDList"`
	ThumbprintList []string  `json:"ThumbprintList"`
	Tags           []Tag     `json:"Tags"`
	CreateDate     time.Time `json:"CreateDate"`
}

// SAMLProvider is the stored form of an IAM SAML provider.
type SAMLProvider struct {
	SAMLMetadataDocument string    `json:"SAMLMetadataDocument"`
	CreateDate           time.Time `json:"CreateDate"`
	ValidUntil           time.Time `json:"ValidUntil"`
	Tags                 []Tag     `json:"Tags"`
}

// Tag is one key/value pair of an IAM resource.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// OIDCProviderARN is arn:aws:iam::ACCOUNT:oidc-provider/NAME.
func OIDCProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + name
}

// SAMLProviderARN is arn:aws:iam::ACCOUNT:saml-provider/NAME.
func SAMLProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

// ParseProviderARN splits arn:PARTITION:iam::ACCOUNT:TYPE/NAME, where TYPE
// is "oidc-provider" or "saml-provider"; ok is false for anything else.
func ParseProviderARN(arn, typ string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" || !isDigits(parts[4], 12) {
		return "", "", false
	}
	name, ok = strings.CutPrefix(parts[5], typ+"/")
	if !ok || name == "" {
		return "", "", false
	}
	return parts[4], name, true
}

// GetOIDCProvider reads account's OIDC provider for the Logins key name
// (host and path): storage.ErrNotFound when there is none.
func GetOIDCProvider(r storage.Reader, account, name string) (*OIDCProvider, error) {
	return getDoc(r, account, KindOIDCProvider, name, DecodeOIDCProvider)
}

// GetSAMLProvider reads account's SAML provider name.
func GetSAMLProvider(r storage.Reader, account, name string) (*SAMLProvider, error) {
	return getDoc(r, account, KindSAMLProvider, name, DecodeSAMLProvider)
}

// OIDCProviderByARN reads the OIDC provider an ARN names.
func OIDCProviderByARN(r storage.Reader, arn string) (*OIDCProvider, error) {
	account, name, ok := ParseProviderARN(arn, "oidc-provider")
	if !ok {
		return nil, storage.ErrNotFound
	}
	return GetOIDCProvider(r, account, name)
}

// SAMLProviderByARN reads the SAML provider an ARN names.
func SAMLProviderByARN(r storage.Reader, arn string) (*SAMLProvider, error) {
	account, name, ok := ParseProviderARN(arn, "saml-provider")
	if !ok {
		return nil, storage.ErrNotFound
	}
	return GetSAMLProvider(r, account, name)
}

// getDoc reads account's stored document of kind and name with decode.
func getDoc[T any](r storage.Reader, account, kind, name string, decode func([]byte) (*T, error)) (*T, error) {
	res, err := r.GetResource(account, kind, name)
	if err != nil {
		return nil, err
	}
	d, err := decode(res.Doc)
	if err != nil {
		return nil, fmt.Errorf("iam: %s %s/%s: %w", kind, account, name, err)
	}
	return d, nil
}

// DecodeOIDCProvider decodes a stored OIDC provider document. The caller
// owns the result.
func DecodeOIDCProvider(b []byte) (*OIDCProvider, error) { return oidcDocs.decode(b) }

// DecodeSAMLProvider decodes a stored SAML provider document.
func DecodeSAMLProvider(b []byte) (*SAMLProvider, error) {
	var d SAMLProvider
	return &d, decodeDoc(b, &d)
}

// decodeDoc is the one reading of a stored provider document, with go-json:
// every login reads its provider, and encoding/json's decode of it was 4%
// of a GetId on a login. The documents are idpool's own (written by
// encoding/json); TestDocDecodersAgree keeps the two readings equal.
func decodeDoc(b []byte, v any) error { return gojson.Unmarshal(b, v) }
