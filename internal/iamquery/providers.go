package iamquery

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
)

// IAM limits (IAM model and quotas).
const (
	maxClientIDs   = 100
	maxThumbprints = 5
	maxTags        = 50
	// providerPage is how many providers a List action reads at a time.
	providerPage = 100
)

// samlNamePattern is IAM's SAMLProviderName pattern.
const samlNamePattern = `[\w._-]+`

// iamDate is IAM's timestamp format.
func iamDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// tags reads and checks Tags.member.N.
func tags(v *awsquery.Validation, form url.Values) []iam.Tag {
	ts := formTags(form)
	if len(ts) > maxTags {
		v.Length("tags", strings.Repeat("x", len(ts)), 0, maxTags, true)
	}
	for _, t := range ts {
		v.Length("tags.member.key", t.Key, 1, 128, false)
		v.Length("tags.member.value", t.Value, 0, 256, false)
	}
	return ts
}

// formTags reads the Tags.member.N list of a form.
func formTags(form url.Values) []iam.Tag {
	pairs := awsquery.Tags(form, "Tags")
	if pairs == nil {
		return nil
	}
	out := make([]iam.Tag, len(pairs))
	for i, p := range pairs {
		out[i] = iam.Tag{Key: p.Key, Value: p.Value}
	}
	return out
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
	acct, name, ok := iam.ParseProviderARN(arn, kind)
	if !ok {
		return "", "", apierr.Queryf(iam.CodeInvalidInput, "ARN %s is not valid.", apierr.Echo(arn))
	}
	if acct != account {
		// Another account's provider is invisible to this caller.
		return arn, "", nil
	}
	return arn, name, nil
}

func encodeDoc(d any) ([]byte, error) { return json.Marshal(d) }
