package logins

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/storage"
)

// IAM error codes used here (botocore's iam model).
const (
	codeNoSuchEntity        = "NoSuchEntity"
	codeEntityAlreadyExists = "EntityAlreadyExists"
	codeInvalidInput        = "InvalidInput"
	codeLimitExceeded       = "LimitExceeded"
)

// IAM limits (IAM model and quotas).
const (
	maxClientIDs   = 100
	maxThumbprints = 5
	maxTags        = 50
	listPage       = 100
)

// samlNamePattern is IAM's SAMLProviderName pattern.
const samlNamePattern = `[\w._-]+`

// iam implements the IAM provider actions.
type iam struct {
	store    storage.Store
	now      func() time.Time
	samlName *regexp.Regexp
	thumb    *regexp.Regexp
}

type actionFunc func(ctx context.Context, account string, form url.Values) (any, error)

// IAMActions returns IAM's OpenID Connect and SAML provider actions, for
// iam.Config.Extra. They read and write KindOIDCProvider and
// KindSAMLProvider resources, which Verifier checks logins against.
func IAMActions(store storage.Store, now func() time.Time) map[string]awsquery.Action {
	if now == nil {
		now = time.Now
	}
	s := &iam{store: store, now: now,
		samlName: regexp.MustCompile(`^` + samlNamePattern + `$`),
		thumb:    regexp.MustCompile(`^[0-9a-fA-F]{40}$`)}
	acts := map[string]actionFunc{
		"CreateOpenIDConnectProvider":        s.createOIDC,
		"GetOpenIDConnectProvider":           s.getOIDC,
		"ListOpenIDConnectProviders":         s.listOIDC,
		"DeleteOpenIDConnectProvider":        s.deleteOIDC,
		"AddClientIDToOpenIDConnectProvider": s.addClientID,
		"CreateSAMLProvider":                 s.createSAML,
		"GetSAMLProvider":                    s.getSAML,
		"ListSAMLProviders":                  s.listSAML,
		"DeleteSAMLProvider":                 s.deleteSAML,
	}
	out := make(map[string]awsquery.Action, len(acts))
	for name, fn := range acts {
		out[name] = awsquery.Action{Call: signed(name, fn)}
	}
	return out
}

// signed runs fn for a caller with the account's own keys. Vended
// (assumed-role) credentials have no IAM permissions in idpool, as in
// package iam.
func signed(action string, fn actionFunc) func(context.Context, *auth.Caller, url.Values) (any, error) {
	return func(ctx context.Context, c *auth.Caller, form url.Values) (any, error) {
		if c == nil || c.Principal == nil {
			return nil, accessDenied("anonymous", action, "*")
		}
		if c.Principal.Session != nil {
			return nil, accessDenied(c.Principal.ARN, action, "arn:aws:iam::"+c.Principal.AccountID+":*")
		}
		return fn(ctx, c.Principal.AccountID, form)
	}
}

func accessDenied(principal, action, resource string) error {
	return apierr.New(awsquery.CodeAccessDenied,
		"User: %s is not authorized to perform: iam:%s on resource: %s because no identity-based policy allows the iam:%s action",
		principal, action, resource, action)
}

// iamDate is IAM's timestamp format.
func iamDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// storeErr maps storage errors to IAM's answers; notFound is the NoSuchEntity text.
func storeErr(err error, notFound, exists string) error {
	var ae *apierr.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotFound):
		return apierr.New(codeNoSuchEntity, "%s", notFound)
	case errors.Is(err, storage.ErrAlreadyExists):
		return apierr.New(codeEntityAlreadyExists, "%s", exists)
	case errors.As(err, &ae):
		return err
	}
	return (&apierr.Error{Code: "ServiceFailure", Message: "An internal error occurred."}).Wrap(err)
}

// tags reads and checks Tags.member.N.
func tags(v *awsquery.Validation, form url.Values) []awsquery.Tag {
	ts := awsquery.Tags(form, "Tags")
	if len(ts) > maxTags {
		v.Length("tags", strings.Repeat("x", len(ts)), 0, maxTags, true)
	}
	for _, t := range ts {
		v.Length("tags.member.key", t.Key, 1, 128, false)
		v.Length("tags.member.value", t.Value, 0, 256, false)
	}
	return ts
}

// arnParam reads an IAM provider ARN of kind ("oidc-provider" or
// "saml-provider") that must belong to account; it returns the resource name.
func arnParam(v *awsquery.Validation, form url.Values, param, member, kind, account string) (arn, name string, err error) {
	arn, ok := awsquery.Get(form, param)
	if v.Required(member, ok) {
		v.Length(member, arn, 20, 2048, false)
	}
	if err := v.Err(); err != nil {
		return "", "", err
	}
	acct, ok := accountOfARN(arn)
	_, name, isKind := strings.Cut(arn, ":"+kind+"/")
	if !ok || !isKind || name == "" {
		return "", "", apierr.New(codeInvalidInput, "ARN %s is not valid.", arn)
	}
	if acct != account {
		// Another account's provider is invisible to this caller.
		return arn, "", nil
	}
	return arn, name, nil
}

func encodeDoc(d any) ([]byte, error) { return json.Marshal(d) }
