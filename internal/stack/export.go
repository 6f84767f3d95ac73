package stack

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"gopkg.in/yaml.v3"
)

// Export reads the identity pools of the clients' account and region,
// with their roles, role mappings, principal tag maps and tags, and the
// IAM roles and providers they name, as a stack file. Every pool keeps
// its id, so applying the file elsewhere gives the same ids. Nothing
// secret is read or written (IAM stores no secret of these objects).
func Export(ctx context.Context, c Clients) (*File, error) {
	f := &File{Region: c.Cognito.Options().Region}
	listed, err := listPools(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("listing identity pools: %w", err)
	}
	roles, oidc, saml := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, lp := range listed {
		p, err := exportPool(ctx, c, aws.ToString(lp.IdentityPoolId))
		if err != nil {
			return nil, err
		}
		for _, arn := range p.Roles {
			roles[arn] = true
		}
		for _, m := range p.RoleMappings {
			if m.RulesConfiguration != nil {
				for _, r := range m.RulesConfiguration.Rules {
					roles[r.RoleARN] = true
				}
			}
		}
		for _, arn := range p.OpenIdConnectProviderARNs {
			oidc[arn] = true
		}
		for _, arn := range p.SamlProviderARNs {
			saml[arn] = true
		}
		f.IdentityPools = append(f.IdentityPools, *p)
	}
	sort.SliceStable(f.IdentityPools, func(i, j int) bool {
		a, b := f.IdentityPools[i], f.IdentityPools[j]
		return a.IdentityPoolName < b.IdentityPoolName || a.IdentityPoolName == b.IdentityPoolName && a.IdentityPoolId < b.IdentityPoolId
	})
	for _, arn := range slices.Sorted(maps.Keys(roles)) {
		r, err := exportRole(ctx, c, arn)
		if err != nil {
			return nil, err
		}
		if r != nil && !slices.ContainsFunc(f.IAM.Roles, func(x Role) bool { return strings.EqualFold(x.RoleName, r.RoleName) }) {
			f.IAM.Roles = append(f.IAM.Roles, *r)
		}
	}
	for _, arn := range slices.Sorted(maps.Keys(oidc)) {
		out, err := c.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if isCode(err, "NoSuchEntity") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading OpenID Connect provider %s: %w", arn, err)
		}
		f.IAM.OpenIDConnectProviders = append(f.IAM.OpenIDConnectProviders, OIDCProvider{
			Url: "https://" + strings.TrimPrefix(aws.ToString(out.Url), "https://"), ClientIDList: out.ClientIDList,
			ThumbprintList: out.ThumbprintList, Tags: stackTags(out.Tags)})
	}
	for _, arn := range slices.Sorted(maps.Keys(saml)) {
		out, err := c.IAM.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		if isCode(err, "NoSuchEntity") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading SAML provider %s: %w", arn, err)
		}
		_, name, _ := strings.Cut(arn, ":saml-provider/")
		f.IAM.SAMLProviders = append(f.IAM.SAMLProviders, SAMLProvider{Name: name, SAMLMetadataDocument: aws.ToString(out.SAMLMetadataDocument), Tags: stackTags(out.Tags)})
	}
	return f, nil
}

func exportPool(ctx context.Context, c Clients, id string) (*Pool, error) {
	desc, err := c.Cognito.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("reading identity pool %s: %w", id, err)
	}
	p := &Pool{}
	if err := convert(p, desc); err != nil {
		return nil, err
	}
	r, err := readRoles(ctx, c, id)
	if err != nil {
		return nil, fmt.Errorf("reading the roles of identity pool %s: %w", id, err)
	}
	p.Roles, p.RoleMappings = r.Roles, r.RoleMappings
	if len(p.Roles) == 0 {
		p.Roles = nil
	}
	if len(p.RoleMappings) == 0 {
		p.RoleMappings = nil
	}
	if len(p.IdentityPoolTags) == 0 {
		p.IdentityPoolTags = nil
	}
	var providers []string
	for name := range p.SupportedLoginProviders {
		providers = append(providers, name)
	}
	for _, cp := range p.CognitoIdentityProviders {
		providers = append(providers, cp.ProviderName)
	}
	for _, arn := range p.OpenIdConnectProviderARNs {
		if _, name, ok := strings.Cut(arn, ":oidc-provider/"); ok {
			providers = append(providers, name)
		}
	}
	providers = append(providers, p.SamlProviderARNs...)
	slices.Sort(providers)
	for _, name := range slices.Compact(providers) {
		out, err := c.Cognito.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: aws.String(id), IdentityProviderName: aws.String(name)})
		if isCode(err, "InvalidParameterException", "ResourceNotFoundException") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading principal tags of identity pool %s: %w", id, err)
		}
		if aws.ToBool(out.UseDefaults) || len(out.PrincipalTags) > 0 {
			p.PrincipalTags = append(p.PrincipalTags, PrincipalTagMap{IdentityProviderName: name, UseDefaults: aws.ToBool(out.UseDefaults), PrincipalTags: out.PrincipalTags})
		}
	}
	return p, nil
}

// exportRole reads the role an ARN names; nil when IAM does not hold it
// (a development server trusts role ARNs it does not know).
func exportRole(ctx context.Context, c Clients, arn string) (*Role, error) {
	_, res, ok := strings.Cut(arn, ":role/")
	if !ok {
		return nil, nil
	}
	name := res[strings.LastIndex(res, "/")+1:]
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if isCode(err, "NoSuchEntity") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading role %s: %w", name, err)
	}
	r := out.Role
	doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
	role := &Role{RoleName: aws.ToString(r.RoleName), Description: aws.ToString(r.Description),
		AssumeRolePolicyDocument: PolicyText(doc), Tags: stackTags(r.Tags)}
	if p := aws.ToString(r.Path); p != "/" {
		role.Path = p
	}
	if d := aws.ToInt32(r.MaxSessionDuration); d != 3600 {
		role.MaxSessionDuration = d
	}
	if err := exportPolicies(ctx, c, role); err != nil {
		return nil, fmt.Errorf("reading the policies of role %s: %w", name, err)
	}
	return role, nil
}

// Marshal writes f as YAML.
func (f *File) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
