package logins

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
)

// MintKind is the kind of provider a test login is minted for.
type MintKind int

// The kinds the test issuer mints for: the providers whose logins are
// verified with keys. Facebook, Login with Amazon and Twitter are verified
// by calling their APIs, so no key of idpool's can stand in for them.
const (
	MintSocial   MintKind = iota + 1 // accounts.google.com, appleid.apple.com: SupportedLoginProviders
	MintUserPool                     // cognito-idp.REGION.amazonaws.com/POOL: CognitoIdentityProviders
	MintOIDC                         // an IAM OpenID Connect provider: host/path
	MintSAML                         // an IAM SAML provider: its ARN
)

// SAMLAudience is the audience of minted SAML assertions unless one is given.
const SAMLAudience = "https://signin.aws.amazon.com/saml"

// Bounds of a minted login's input.
const (
	maxMintSubject = 256
	maxMintClaims  = 50
	maxMintValue   = 2048
)

// mintReserved are the claims the test issuer sets itself.
var mintReserved = map[string]string{
	"iss": "--provider", "aud": "--audience", "azp": "--audience", "sub": "--sub",
	"exp": "--expires-in", "iat": "--expires-in", "nbf": "--expires-in", "auth_time": "--expires-in",
}

// ErrTestIssuerOff refuses minting when the test issuer is off.
var ErrTestIssuerOff = apierr.InvalidParameterf("Test logins are off: idpool is a test identity provider in development mode, or with testIssuer.enabled: true in the config file.")

// MintTarget says which kind of login provider is and its Logins key (an
// OIDC issuer may be given as its https:// URL).
func MintTarget(provider string) (MintKind, string, error) {
	switch {
	case provider == "":
		return 0, "", apierr.InvalidParameterf("Provider is required: accounts.google.com, appleid.apple.com, cognito-idp.REGION.amazonaws.com/POOL_ID, an OpenID Connect provider registered in IAM, or a SAML provider ARN.")
	case provider == ProviderGoogle || provider == ProviderApple:
		return MintSocial, provider, nil
	case isUserPoolProvider(provider):
		return MintUserPool, provider, nil
	case strings.HasPrefix(provider, "arn:"):
		if _, _, ok := iam.ParseProviderARN(provider, "saml-provider"); !ok {
			return 0, "", apierr.InvalidParameterf("Provider '%s' is not a SAML provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME).", apierr.Echo(provider))
		}
		return MintSAML, provider, nil
	case provider == ProviderFacebook || provider == ProviderAmazon || provider == ProviderTwitter:
		return 0, "", apierr.InvalidParameterf("Test logins are not available for %s: idpool verifies its tokens by calling the provider's API, not with keys.", provider)
	case provider == ProviderCognitoIdentity:
		return 0, "", apierr.InvalidParameterf("Test logins are not available for %s: GetOpenIdToken gives idpool's own tokens.", provider)
	case strings.HasPrefix(provider, "cognito-idp."):
		return 0, "", apierr.InvalidParameterf("Provider '%s' is not a user pool provider name (cognito-idp.REGION.amazonaws.com/POOL_ID).", apierr.Echo(provider))
	}
	key := strings.TrimSuffix(strings.TrimPrefix(provider, "https://"), "/")
	if key == "" || strings.Contains(key, "://") {
		return 0, "", apierr.InvalidParameterf("Provider '%s' is not a provider idpool can mint a login for.", apierr.Echo(provider))
	}
	return MintOIDC, key, nil
}

// Mint returns a login token for r, signed by the test issuer with the
// account's key: a JWT ID token for Google, Apple, a user pool or an IAM
// OIDC provider, a base64 SAML response for a SAML provider. It carries
// what the real provider's would (iss, aud, sub, iat, exp, and for user
// pools token_use and cognito:username) plus r.Claims, and is verified by
// Verify like the real provider's, with the test key as the key source.
func (v *Verifier) Mint(r identity.MintRequest) (string, error) {
	if v.test == nil {
		return "", ErrTestIssuerOff
	}
	kind, key, err := MintTarget(r.Provider)
	if err != nil {
		return "", err
	}
	if err := checkMint(r); err != nil {
		return "", err
	}
	now := v.now()
	if kind == MintSAML {
		return v.mintSAML(r, now)
	}
	if kind == MintOIDC && r.OIDC == nil {
		return "", apierr.InvalidParameterf("No OpenID Connect provider '%s' in IAM: create it (aws iam create-open-id-connect-provider) or name another provider.", apierr.Echo(key))
	}
	if r.Audience == "" {
		return "", apierr.InvalidParameterf("Audience is required for %s: give --audience.", apierr.Echo(key))
	}
	c := map[string]any{}
	for k, val := range r.Claims {
		c[k] = val
	}
	c["sub"], c["aud"], c["iat"], c["exp"], c["auth_time"] = r.Subject, r.Audience, now.Unix(), r.Expires.Unix(), now.Unix()
	switch kind {
	case MintSocial:
		c["iss"] = v.social.Google.Issuer
		if key == ProviderApple {
			c["iss"] = v.social.Apple.Issuer
		} else {
			c["azp"] = r.Audience
		}
	case MintUserPool:
		m := userPoolKey.FindStringSubmatch(key)
		c["iss"] = v.userPools.issuer(m[1], m[2])
		if _, ok := c["token_use"]; !ok {
			c["token_use"] = "id"
		}
		if _, ok := c["cognito:username"]; !ok {
			c["cognito:username"] = r.Subject
		}
	case MintOIDC:
		c["iss"] = "https://" + key
	}
	tok, err := v.test.signJWT(r.Account, c)
	if err != nil {
		return "", apierr.Internal(err)
	}
	return tok, nil
}

// checkMint bounds the subject and claims.
func checkMint(r identity.MintRequest) error {
	if r.Subject == "" || len(r.Subject) > maxMintSubject || !printable(r.Subject) {
		return apierr.InvalidParameterf("Subject is required: at most %d printable characters.", maxMintSubject)
	}
	if len(r.Claims) > maxMintClaims {
		return apierr.InvalidParameterf("At most %d claims may be added.", maxMintClaims)
	}
	for k, val := range r.Claims {
		if flag, ok := mintReserved[k]; ok {
			return apierr.InvalidParameterf("Claim '%s' is set by %s, not --claim.", apierr.Echo(k), flag)
		}
		if k == "" || len(k) > 256 || len(val) > maxMintValue || !printable(k) || !printable(val) {
			return apierr.InvalidParameterf("A claim needs a name of at most 256 printable characters and a value of at most %d.", maxMintValue)
		}
	}
	return nil
}

// mintSAML builds a SAML response with one assertion signed by the
// account's test key: the IAM provider's entity id as issuer, the subject
// as a persistent NameID, r.Claims as attributes.
func (v *Verifier) mintSAML(r identity.MintRequest, now time.Time) (string, error) {
	if r.SAML == nil {
		return "", apierr.InvalidParameterf("No SAML provider '%s' in IAM: create it (aws iam create-saml-provider) or name another provider.", apierr.Echo(r.Provider))
	}
	md, err := iam.ParseMetadata(r.SAML.SAMLMetadataDocument)
	if err != nil {
		return "", apierr.InvalidParameterf("The metadata document of SAML provider '%s' does not parse.", apierr.Echo(r.Provider)).Wrap(err)
	}
	k, err := v.test.key(r.Account, true)
	if err != nil {
		return "", apierr.Internal(err)
	}
	aud := r.Audience
	if aud == "" {
		aud = SAMLAudience
	}
	issuer := md.EntityID
	if issuer == "" {
		issuer = r.Provider
	}
	at, until := now.UTC().Format(time.RFC3339), r.Expires.UTC().Format(time.RFC3339)
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsSAML)
	a.CreateAttr("ID", "_"+randomHex())
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", at)
	a.CreateElement("saml:Issuer").SetText(issuer)
	subj := a.CreateElement("saml:Subject")
	nameID := subj.CreateElement("saml:NameID")
	nameID.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
	nameID.SetText(r.Subject)
	conf := subj.CreateElement("saml:SubjectConfirmation")
	conf.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	data := conf.CreateElement("saml:SubjectConfirmationData")
	data.CreateAttr("NotOnOrAfter", until)
	data.CreateAttr("Recipient", SAMLAudience)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", at)
	cond.CreateAttr("NotOnOrAfter", until)
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(aud)
	authn := a.CreateElement("saml:AuthnStatement")
	authn.CreateAttr("AuthnInstant", at)
	authn.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified")
	if len(r.Claims) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		names := make([]string, 0, len(r.Claims))
		for n := range r.Claims {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			attr := st.CreateElement("saml:Attribute")
			attr.CreateAttr("Name", n)
			attr.CreateElement("saml:AttributeValue").SetText(r.Claims[n])
		}
	}
	sctx, err := dsig.NewSigningContext(k.priv, [][]byte{k.cert.Raw})
	if err != nil {
		return "", apierr.Internal(err)
	}
	if err := sctx.SetSignatureMethod(dsig.ECDSASHA256SignatureMethod); err != nil {
		return "", apierr.Internal(err)
	}
	signed, err := sctx.SignEnveloped(a)
	if err != nil {
		return "", apierr.Internal(err)
	}
	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", nsSAMLP)
	resp.CreateAttr("xmlns:saml", nsSAML)
	resp.CreateAttr("ID", "_"+randomHex())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", at)
	resp.CreateAttr("Destination", SAMLAudience)
	resp.CreateElement("saml:Issuer").SetText(issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", statusOK)
	resp.AddChild(signed)
	doc := etree.NewDocument()
	doc.SetRoot(resp)
	out, err := doc.WriteToBytes()
	if err != nil {
		return "", apierr.Internal(err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// printable reports valid UTF-8 without control characters (which a SAML
// response could not carry).
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

func randomHex() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
