package iamquery

import (
	"context"
	"net/url"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

type samlArnResult struct {
	SAMLProviderArn string    `xml:"SAMLProviderArn"`
	Tags            []iam.Tag `xml:"Tags>member,omitempty"`
}

type getSAMLResult struct {
	SAMLMetadataDocument string    `xml:"SAMLMetadataDocument"`
	CreateDate           string    `xml:"CreateDate"`
	ValidUntil           string    `xml:"ValidUntil,omitempty"`
	Tags                 []iam.Tag `xml:"Tags>member,omitempty"`
}

type listSAMLResult struct {
	List []samlListEntry `xml:"SAMLProviderList>member"`
}

type samlListEntry struct {
	Arn        string `xml:"Arn"`
	ValidUntil string `xml:"ValidUntil,omitempty"`
	CreateDate string `xml:"CreateDate"`
}

// samlNotFound is IAM's NoSuchEntity text for SAML providers [obs: IAM
// answers "Manifest not found for arn ..."].
func samlNotFound(arn string) string { return "Manifest not found for arn " + arn }

func optDate(d iam.SAMLProvider) string {
	if d.ValidUntil.IsZero() {
		return ""
	}
	return iamDate(d.ValidUntil)
}

func (s *Service) createSAML(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	meta, ok := awsquery.Get(form, "SAMLMetadataDocument")
	if v.Required("sAMLMetadataDocument", ok) {
		v.Length("sAMLMetadataDocument", meta, 1000, iam.MaxMetadata, false)
	}
	name, ok := awsquery.Get(form, "Name")
	if v.Required("name", ok) {
		v.Length("name", name, 1, 128, false)
		v.Pattern("name", name, s.samlName, samlNamePattern)
	}
	ts := tags(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	md, err := iam.ParseMetadata(meta)
	if err != nil {
		return nil, apierr.Queryf(iam.CodeInvalidInput, "Could not parse metadata").Wrap(err)
	}
	doc := iam.SAMLProvider{SAMLMetadataDocument: meta, CreateDate: s.now().UTC(), ValidUntil: md.ValidUntil, Tags: ts}
	b, err := encodeDoc(doc)
	if err != nil {
		return nil, apierr.InternalIn(apierr.Query, err)
	}
	err = s.store.Update(ctx, func(tx storage.Tx) error {
		return tx.CreateResource(&storage.Resource{AccountID: account, Kind: iam.KindSAMLProvider, Name: name, Doc: b, CreatedAt: doc.CreateDate})
	})
	// [inf] IAM's text for a duplicate SAML provider name.
	if err := storeErr(err, "", "SAMLProvider "+name+" already exists."); err != nil {
		return nil, err
	}
	return samlArnResult{SAMLProviderArn: iam.SAMLProviderARN(account, name), Tags: ts}, nil
}

func (s *Service) getSAML(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	arn, name, err := arnParam(&v, form, "SAMLProviderArn", "sAMLProviderArn", "saml-provider", account)
	if err != nil {
		return nil, err
	}
	var doc *iam.SAMLProvider
	err = s.store.View(ctx, func(r storage.Reader) error {
		res, err := r.GetResource(account, iam.KindSAMLProvider, name)
		if err != nil {
			return err
		}
		doc, err = iam.DecodeSAMLProvider(res.Doc)
		return err
	})
	if err := storeErr(err, samlNotFound(arn), ""); err != nil {
		return nil, err
	}
	return getSAMLResult{
		SAMLMetadataDocument: doc.SAMLMetadataDocument,
		CreateDate:           iamDate(doc.CreateDate),
		ValidUntil:           optDate(*doc),
		Tags:                 doc.Tags,
	}, nil
}

func (s *Service) listSAML(ctx context.Context, account string, _ url.Values) (any, error) {
	all, err := s.listNames(ctx, account, iam.KindSAMLProvider)
	if err != nil {
		return nil, err
	}
	out := listSAMLResult{List: []samlListEntry{}}
	for _, r := range all {
		d, err := iam.DecodeSAMLProvider(r.Doc)
		if err != nil {
			return nil, apierr.InternalIn(apierr.Query, err)
		}
		out.List = append(out.List, samlListEntry{Arn: iam.SAMLProviderARN(account, r.Name), ValidUntil: optDate(*d), CreateDate: iamDate(d.CreateDate)})
	}
	return out, nil
}

func (s *Service) deleteSAML(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	arn, name, err := arnParam(&v, form, "SAMLProviderArn", "sAMLProviderArn", "saml-provider", account)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx storage.Tx) error { return tx.DeleteResource(account, iam.KindSAMLProvider, name) })
	return nil, storeErr(err, samlNotFound(arn), "")
}
