package iamquery

import (
	"net/url"
	"regexp"

	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
)

// Patterns of IAM's model, quoted in ValidationError messages as written there.
const (
	roleNamePattern   = `[\w+=,.@-]+`
	pathPattern       = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	pathPrefixPattern = `\u002F[\u0021-\u007F]*`
	policyPattern     = `[\u0009\u000A\u000D\u0020-\u00FF]+`
	descPattern       = `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`
	tagPattern        = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	tagValuePattern   = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
)

// validators holds the compiled patterns; built once per Service.
type validators struct {
	roleName, path, pathPrefix, policy, desc, tagKey, tagValue *regexp.Regexp
}

func newValidators() *validators {
	full := func(p string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + p + `)$`) }
	return &validators{
		roleName:   full(roleNamePattern),
		path:       full(`/|/[\x{21}-\x{7E}]+/`),
		pathPrefix: full(`/[\x{21}-\x{7F}]*`),
		policy:     full(`[\t\n\r\x{20}-\x{FF}]+`),
		desc:       full(`[\t\n\r\x{20}-\x{7E}\x{A1}-\x{FF}]*`),
		tagKey:     full(tagPattern),
		tagValue:   full(tagValuePattern),
	}
}

func (vs *validators) roleNameParam(v *awsquery.Validation, form url.Values) string {
	name, ok := awsquery.Get(form, "RoleName")
	if v.Required("roleName", ok) {
		v.Length("roleName", name, 1, 64, false)
		v.Pattern("roleName", name, vs.roleName, roleNamePattern)
	}
	return name
}

func (vs *validators) policyParam(v *awsquery.Validation, form url.Values, param, member string) string {
	doc, ok := awsquery.Get(form, param)
	if v.Required(member, ok) {
		v.Length(member, doc, 1, 131072, false)
		v.Pattern(member, doc, vs.policy, policyPattern)
	}
	return doc
}

func (vs *validators) tags(v *awsquery.Validation, form url.Values) []iam.Tag {
	tags := formTags(form)
	v.MaxItems("tags", len(tags), 50)
	for _, t := range tags {
		v.Length("tags.member.key", t.Key, 1, 128, false)
		v.Pattern("tags.member.key", t.Key, vs.tagKey, tagPattern)
		v.Length("tags.member.value", t.Value, 0, 256, false)
		v.Pattern("tags.member.value", t.Value, vs.tagValue, tagValuePattern)
	}
	return tags
}
