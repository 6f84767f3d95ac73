package iamquery

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

type oidcArnResult struct {
	OpenIDConnectProviderArn string    `xml:"OpenIDConnectProviderArn"`
	Tags                     []iam.Tag `xml:"Tags>member,omitempty"`
}

type getOIDCResult struct {
	URL            string    `xml:"Url"`
	ClientIDList   []string  `xml:"ClientIDList>member"`
	ThumbprintList []string  `xml:"ThumbprintList>member"`
	CreateDate     string    `xml:"CreateDate"`
	Tags           []iam.Tag `xml:"Tags>member,omitempty"`
}

type listOIDCResult struct {
	List []oidcListEntry `xml:"OpenIDConnectProviderList>member"`
}

type oidcListEntry struct {
	Arn string `xml:"Arn"`
}

func oidcNotFound(arn string) string { return "OpenIDConnect Provider not found for arn " + arn }

func (s *Service) createOIDC(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	raw, ok := awsquery.Get(form, "Url")
	if v.Required("url", ok) {
		v.Length("url", raw, 1, 255, false)
	}
	clients := awsquery.Members(form, "ClientIDList")
	for _, c := range clients {
		v.Length("clientIDList.member", c, 1, 255, false)
	}
	thumbs := awsquery.Members(form, "ThumbprintList")
	ts := tags(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		// [inf] IAM's text for a URL that is not https://host[/path].
		return nil, apierr.Queryf(iam.CodeInvalidInput, "Invalid Open ID Connect Provider URL")
	}
	if len(clients) > maxClientIDs {
		return nil, apierr.Queryf(iam.CodeLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
	}
	if len(thumbs) > maxThumbprints {
		return nil, apierr.Queryf(iam.CodeLimitExceeded, "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxThumbprints)
	}
	for _, t := range thumbs {
		if !s.thumb.MatchString(t) {
			return nil, apierr.Queryf(iam.CodeInvalidInput, "Thumbprint must be 40 hexadecimal characters: %s", apierr.Echo(t))
		}
	}
	name := strings.TrimSuffix(u.Host+u.Path, "/")
	providerURL := "https://" + name
	doc := iam.OIDCProvider{URL: providerURL, ClientIDList: dedupe(clients), ThumbprintList: thumbs, Tags: ts, CreateDate: s.now().UTC()}
	b, err := encodeDoc(doc)
	if err != nil {
		return nil, apierr.InternalIn(apierr.Query, err)
	}
	err = s.store.Update(ctx, func(tx storage.Tx) error {
		return tx.CreateResource(&storage.Resource{AccountID: account, Kind: iam.KindOIDCProvider, Name: name, Doc: b, CreatedAt: doc.CreateDate})
	})
	if err := storeErr(err, "", "Provider with url "+providerURL+" already exists."); err != nil {
		return nil, err
	}
	return oidcArnResult{OpenIDConnectProviderArn: iam.OIDCProviderARN(account, name), Tags: ts}, nil
}

// loadOIDC reads the provider named by OpenIDConnectProviderArn.
func (s *Service) loadOIDC(ctx context.Context, account string, form url.Values) (string, string, *iam.OIDCProvider, error) {
	var v awsquery.Validation
	arn, name, err := arnParam(&v, form, "OpenIDConnectProviderArn", "openIDConnectProviderArn", "oidc-provider", account)
	if err != nil {
		return "", "", nil, err
	}
	var doc *iam.OIDCProvider
	err = s.store.View(ctx, func(r storage.Reader) error {
		res, err := r.GetResource(account, iam.KindOIDCProvider, name)
		if err != nil {
			return err
		}
		doc, err = iam.DecodeOIDCProvider(res.Doc)
		return err
	})
	if err := storeErr(err, oidcNotFound(arn), ""); err != nil {
		return "", "", nil, err
	}
	return arn, name, doc, nil
}

func (s *Service) getOIDC(ctx context.Context, account string, form url.Values) (any, error) {
	_, _, doc, err := s.loadOIDC(ctx, account, form)
	if err != nil {
		return nil, err
	}
	return getOIDCResult{
		// IAM answers the URL without its scheme.
		URL:            strings.TrimPrefix(doc.URL, "https://"),
		ClientIDList:   doc.ClientIDList,
		ThumbprintList: doc.ThumbprintList,
		CreateDate:     iamDate(doc.CreateDate),
		Tags:           doc.Tags,
	}, nil
}

func (s *Service) listOIDC(ctx context.Context, account string, _ url.Values) (any, error) {
	names, err := s.listNames(ctx, account, iam.KindOIDCProvider)
	if err != nil {
		return nil, err
	}
	out := listOIDCResult{List: []oidcListEntry{}}
	for _, n := range names {
		out.List = append(out.List, oidcListEntry{Arn: iam.OIDCProviderARN(account, n.Name)})
	}
	return out, nil
}

// listNames returns every resource of kind in account, in name order.
func (s *Service) listNames(ctx context.Context, account, kind string) ([]*storage.Resource, error) {
	var all []*storage.Resource
	err := s.store.View(ctx, func(r storage.Reader) error {
		all = nil
		after := ""
		for {
			page, err := r.ListResources(account, kind, after, listPage)
			if err != nil {
				return err
			}
			all = append(all, page...)
			if len(page) < listPage {
				return nil
			}
			after = page[len(page)-1].Name
		}
	})
	if err != nil {
		return nil, storeErr(err, "", "")
	}
	return all, nil
}

func (s *Service) deleteOIDC(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	arn, name, err := arnParam(&v, form, "OpenIDConnectProviderArn", "openIDConnectProviderArn", "oidc-provider", account)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx storage.Tx) error { return tx.DeleteResource(account, iam.KindOIDCProvider, name) })
	return nil, storeErr(err, oidcNotFound(arn), "")
}

func (s *Service) addClientID(ctx context.Context, account string, form url.Values) (any, error) {
	client, ok := awsquery.Get(form, "ClientID")
	err := s.mutateOIDC(ctx, account, form, func(v *awsquery.Validation) {
		if v.Required("clientID", ok) {
			v.Length("clientID", client, 1, 255, false)
		}
	}, func(doc *iam.OIDCProvider) error {
		if slices.Contains(doc.ClientIDList, client) {
			return nil // IAM succeeds quietly for a client id already listed
		}
		if len(doc.ClientIDList) >= maxClientIDs {
			return apierr.Queryf(iam.CodeLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
		}
		doc.ClientIDList = append(doc.ClientIDList, client)
		return nil
	})
	return nil, err
}

func dedupe(list []string) []string {
	out := []string{}
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
