package logins

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// SAML namespaces and the values AWS accepts.
const (
	nsSAMLP     = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsSAML      = "urn:oasis:names:tc:SAML:2.0:assertion"
	statusOK    = "urn:oasis:names:tc:SAML:2.0:status:Success"
	maxSAMLSize = 1 << 20
	// RoleAttribute is the SAML attribute that lists role,provider ARN pairs.
	RoleAttribute = "https://aws.amazon.com/SAML/Attributes/Role"
)

// samlAudiences are the audiences AWS accepts in a SAML assertion.
var samlAudiences = []string{"urn:amazon:webservices", "https://signin.aws.amazon.com/saml"}

// regionalSignin matches AWS's regional sign-in endpoints, also valid
// Destination / Recipient values.
var regionalSignin = regexp.MustCompile(`^https://[a-z0-9-]+\.signin\.aws\.amazon\.com/saml$`)

// msgSAML is the refusal of a SAML response that is not acceptable. [inf]
// AWS's exact texts for SAML logins are not documented.
const msgSAML = "Invalid login token. Invalid SAML response."

// saml verifies a base64 SAMLResponse for an IAM SAML provider the pool
// names. Only content covered by a valid signature (the element goxmldsig
// returns after validation) is read, which defeats signature wrapping.
//
// prov is the IAM provider as the caller read it (nil: IAM has none). The
// assertion is returned for the caller to record as used (MarkAssertionUsed)
// in the write that accepts the login.
func (v *Verifier) saml(pool *storage.Pool, provider, token string, prov *iam.SAMLProvider) (*identity.VerifiedLogin, error) {
	if !slices.Contains(pool.SAMLProviderARNs, provider) || prov == nil {
		return nil, refuse(msgUnsupported)
	}
	md, err := iam.ParseMetadata(prov.SAMLMetadataDocument)
	if err != nil {
		return nil, refuseCause(msgSAML, err)
	}
	now := v.now()
	if !md.ValidUntil.IsZero() && now.After(md.ValidUntil) {
		return nil, refuseCause(msgSAML, errors.New("provider metadata is past validUntil"))
	}
	if len(token) > maxSAMLSize {
		return nil, refuse(msgSAML)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(token), ""))
	if err != nil {
		return nil, refuseCause(msgSAML, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, refuseCause(msgSAML, err)
	}
	account, _, _ := iam.ParseProviderARN(provider, "saml-provider")
	roots := md.Certs
	if v.test != nil {
		// The test issuer's certificate of the provider's account signs
		// the responses it minted for its SAML providers.
		if c := v.test.samlCert(account); c != nil {
			roots = append(slices.Clip(roots), c)
		}
	}
	a, err := v.validAssertion(doc.Root(), md, roots, now)
	if err != nil {
		return nil, err
	}
	c := map[string]any{}
	for k, vals := range a.attrs {
		if len(vals) == 1 {
			c[k] = vals[0]
		} else {
			list := make([]any, len(vals))
			for i, s := range vals {
				list[i] = s
			}
			c[k] = list
		}
	}
	for k, val := range map[string]string{"sub": a.subject, "iss": a.issuer} {
		if _, ok := c[k]; !ok {
			c[k] = val
		}
	}
	return &identity.VerifiedLogin{
		Provider: provider,
		Subject:  a.subject,
		// [inf] PROVIDER:QUALIFIER:SUBJECT with the IdP's entity id as qualifier.
		AMR:       provider + ":" + a.issuer + ":" + a.subject,
		Claims:    c,
		Assertion: &identity.Assertion{Account: account, Issuer: a.issuer, ID: a.id, Until: a.until},
	}, nil
}

// assertion is what a verified SAML assertion says.
type assertion struct {
	id, issuer, subject string
	until               time.Time // end of validity, for the replay cache
	attrs               map[string][]string
}

// validAssertion returns the single assertion of response, taken from the
// validated copy of whichever element is signed (the Response, else the
// Assertion), and checks its conditions.
func (v *Verifier) validAssertion(resp *etree.Element, md *iam.Metadata, roots []*x509.Certificate, now time.Time) (*assertion, error) {
	if resp == nil || resp.Tag != "Response" || resp.NamespaceURI() != nsSAMLP {
		return nil, refuseCause(msgSAML, errors.New("root is not a samlp:Response"))
	}
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: roots})
	vctx.Clock = dsig.NewFakeClockAt(now)

	// Status and Destination are read from the response as sent: they can
	// only make us refuse, never accept.
	if sc := resp.FindElement("./Status/StatusCode"); sc != nil && sc.SelectAttrValue("Value", "") != statusOK {
		return nil, refuseCause(msgSAML, fmt.Errorf("status %q", sc.SelectAttrValue("Value", "")))
	}
	if d := resp.SelectAttrValue("Destination", ""); d != "" && !v.recipientOK(d) {
		return nil, refuseCause(msgSAML, fmt.Errorf("destination %q", d))
	}
	if len(children(resp, nsSAML, "EncryptedAssertion")) > 0 {
		return nil, refuseCause(msgSAML, errors.New("encrypted assertions are not supported"))
	}

	var signed *etree.Element
	if len(children(resp, dsig.Namespace, "Signature")) > 0 {
		vr, err := vctx.Validate(resp)
		if err != nil {
			return nil, refuseCause(msgSignature, err)
		}
		as := children(vr, nsSAML, "Assertion")
		if len(as) != 1 {
			return nil, refuseCause(msgSAML, fmt.Errorf("%d assertions", len(as)))
		}
		signed = as[0]
	} else {
		as := children(resp, nsSAML, "Assertion")
		if len(as) != 1 {
			return nil, refuseCause(msgSAML, fmt.Errorf("%d assertions", len(as)))
		}
		va, err := vctx.Validate(as[0])
		if err != nil {
			return nil, refuseCause(msgSignature, err)
		}
		signed = va
	}
	return v.checkAssertion(signed, md, now)
}

// checkAssertion reads a validated assertion and applies its conditions.
func (v *Verifier) checkAssertion(a *etree.Element, md *iam.Metadata, now time.Time) (*assertion, error) {
	out := &assertion{id: a.SelectAttrValue("ID", ""), attrs: map[string][]string{}}
	if out.id == "" {
		return nil, refuseCause(msgSAML, errors.New("assertion has no ID"))
	}
	if is := a.FindElement("./Issuer"); is != nil {
		out.issuer = strings.TrimSpace(is.Text())
	}
	if md.EntityID != "" && out.issuer != md.EntityID {
		return nil, refuse(msgIssuer)
	}
	if n := a.FindElement("./Subject/NameID"); n != nil {
		out.subject = strings.TrimSpace(n.Text())
	}
	if out.subject == "" {
		return nil, refuseCause(msgSAML, errors.New("no NameID"))
	}
	grace := v.skew
	// Bearer confirmation: Recipient (when given) and NotOnOrAfter.
	for _, scd := range a.FindElements("./Subject/SubjectConfirmation/SubjectConfirmationData") {
		if r := scd.SelectAttrValue("Recipient", ""); r != "" && !v.recipientOK(r) {
			return nil, refuseCause(msgSAML, fmt.Errorf("recipient %q", r))
		}
		if err := out.window(scd, now, grace); err != nil {
			return nil, err
		}
	}
	cond := a.FindElement("./Conditions")
	if cond == nil {
		return nil, refuseCause(msgSAML, errors.New("no Conditions"))
	}
	if err := out.window(cond, now, grace); err != nil {
		return nil, err
	}
	if out.until.IsZero() {
		return nil, refuseCause(msgSAML, errors.New("no NotOnOrAfter"))
	}
	var auds []string
	for _, au := range cond.FindElements("./AudienceRestriction/Audience") {
		auds = append(auds, strings.TrimSpace(au.Text()))
	}
	if !slices.ContainsFunc(auds, func(s string) bool { return slices.Contains(samlAudiences, s) }) {
		return nil, refuseCause(msgSAML, fmt.Errorf("audiences %q", auds))
	}
	for _, attr := range a.FindElements("./AttributeStatement/Attribute") {
		name := attr.SelectAttrValue("Name", "")
		for _, val := range attr.FindElements("./AttributeValue") {
			out.attrs[name] = append(out.attrs[name], strings.TrimSpace(val.Text()))
		}
	}
	return out, nil
}

// window applies el's NotBefore / NotOnOrAfter and keeps the earliest end.
func (a *assertion) window(el *etree.Element, now time.Time, grace time.Duration) error {
	if s := el.SelectAttrValue("NotBefore", ""); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return refuseCause(msgSAML, err)
		}
		if now.Add(grace).Before(t) {
			return refuse(msgNotYetValid)
		}
	}
	if s := el.SelectAttrValue("NotOnOrAfter", ""); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return refuseCause(msgSAML, err)
		}
		if !now.Before(t.Add(grace)) {
			return expired(now.Unix(), t.Unix())
		}
		if end := t.Add(grace); a.until.IsZero() || end.Before(a.until) {
			a.until = end
		}
	}
	return nil
}

func (v *Verifier) recipientOK(u string) bool {
	return slices.Contains(v.recipients, u) || regionalSignin.MatchString(u)
}

// children returns el's child elements named tag in namespace ns.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}
