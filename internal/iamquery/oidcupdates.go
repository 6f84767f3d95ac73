package iamquery

import (
	"context"
	"net/url"
	"slices"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

// mutateOIDC changes the provider OpenIDConnectProviderArn names in one
// transaction; fn's error (an IAM answer) stops it with nothing written.
func (s *Service) mutateOIDC(ctx context.Context, account string, form url.Values, check func(*awsquery.Validation), fn func(*iam.OIDCProvider) error) error {
	var v awsquery.Validation
	arn, name, err := arnParam(&v, form, "OpenIDConnectProviderArn", "openIDConnectProviderArn", "oidc-provider", account)
	if err != nil {
		return err
	}
	if check != nil {
		check(&v)
	}
	if err := v.Err(); err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx storage.Tx) error {
		res, err := tx.GetResource(account, iam.KindOIDCProvider, name)
		if err != nil {
			return err
		}
		doc, err := iam.DecodeOIDCProvider(res.Doc)
		if err != nil {
			return err
		}
		if err := fn(doc); err != nil {
			return err
		}
		if res.Doc, err = encodeDoc(doc); err != nil {
			return err
		}
		return tx.PutResource(res)
	})
	return storeErr(err, oidcNotFound(arn), "")
}

func (s *Service) updateThumbprint(ctx context.Context, account string, form url.Values) (any, error) {
	thumbs := awsquery.Members(form, "ThumbprintList")
	err := s.mutateOIDC(ctx, account, form, func(v *awsquery.Validation) { v.Required("thumbprintList", len(thumbs) > 0) },
		func(doc *iam.OIDCProvider) error {
			if len(thumbs) > maxThumbprints {
				return apierr.Queryf(iam.CodeLimitExceeded, "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxThumbprints)
			}
			for _, t := range thumbs {
				if !s.thumb.MatchString(t) {
					return apierr.Queryf(iam.CodeInvalidInput, "Thumbprint must be 40 hexadecimal characters: %s", apierr.Echo(t))
				}
			}
			doc.ThumbprintList = thumbs
			return nil
		})
	return nil, err
}

// removeClientID is idempotent, as IAM's: a client id not listed is no error.
func (s *Service) removeClientID(ctx context.Context, account string, form url.Values) (any, error) {
	client, ok := awsquery.Get(form, "ClientID")
	err := s.mutateOIDC(ctx, account, form, func(v *awsquery.Validation) {
		if v.Required("clientID", ok) {
			v.Length("clientID", client, 1, 255, false)
		}
	}, func(doc *iam.OIDCProvider) error {
		doc.ClientIDList = slices.DeleteFunc(doc.ClientIDList, func(c string) bool { return c == client })
		return nil
	})
	return nil, err
}

func (s *Service) tagOIDC(ctx context.Context, account string, form url.Values) (any, error) {
	var ts []iam.Tag
	err := s.mutateOIDC(ctx, account, form, func(v *awsquery.Validation) {
		ts = s.valid.tags(v, form)
		v.Required("tags", len(ts) > 0)
	}, func(doc *iam.OIDCProvider) (err error) {
		doc.Tags, err = mergeTags(doc.Tags, ts, "OpenIdConnectProvider")
		return err
	})
	return nil, err
}

func (s *Service) untagOIDC(ctx context.Context, account string, form url.Values) (any, error) {
	var keys []string
	err := s.mutateOIDC(ctx, account, form, func(v *awsquery.Validation) { keys = s.tagKeysParam(v, form) },
		func(doc *iam.OIDCProvider) error {
			doc.Tags = dropTags(doc.Tags, keys)
			return nil
		})
	return nil, err
}

func (s *Service) listOIDCTags(ctx context.Context, account string, form url.Values) (any, error) {
	arn, _ := awsquery.Get(form, "OpenIDConnectProviderArn")
	scope := "iam:ListOpenIDConnectProviderTags:" + account + ":" + arn
	var v awsquery.Validation
	maxItems, after, err := s.listParams(&v, form, scope)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, _, doc, err := s.loadOIDC(ctx, account, form)
	if err != nil {
		return nil, err
	}
	got, marker := page(s, scope, doc.Tags, func(t iam.Tag) string { return t.Key }, after, maxItems)
	return listTagsResult{Tags: append([]iam.Tag{}, got...), IsTruncated: marker != "", Marker: marker}, nil
}
