package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The resource types a template's stack file is made of; every other
// type is listed in Template.Skipped.
const (
	cfnPoolType       = "AWS::Cognito::IdentityPool"
	cfnAttachmentType = "AWS::Cognito::IdentityPoolRoleAttachment"
	cfnPrincipalType  = "AWS::Cognito::IdentityPoolPrincipalTag"
	cfnRoleType       = "AWS::IAM::Role"
	cfnOIDCType       = "AWS::IAM::OIDCProvider"
	cfnSAMLType       = "AWS::IAM::SAMLProvider"
)

// cfnBool and cfnInt take CloudFormation's scalars, which may be strings.
type cfnBool bool

func (b *cfnBool) UnmarshalJSON(data []byte) error {
	var s string
	if json.Unmarshal(data, &s) == nil {
		v, err := strconv.ParseBool(s)
		*b = cfnBool(v)
		return err
	}
	var v bool
	err := json.Unmarshal(data, &v)
	*b = cfnBool(v)
	return err
}

type cfnInt int32

func (n *cfnInt) UnmarshalJSON(data []byte) error {
	var s string
	if json.Unmarshal(data, &s) == nil {
		v, err := strconv.ParseInt(s, 10, 32)
		*n = cfnInt(v)
		return err
	}
	var v int32
	err := json.Unmarshal(data, &v)
	*n = cfnInt(v)
	return err
}

type cfnCognitoProvider struct {
	ProviderName         string
	ClientId             string
	ServerSideTokenCheck cfnBool
}

type cfnPool struct {
	IdentityPoolName               string
	AllowUnauthenticatedIdentities cfnBool
	AllowClassicFlow               cfnBool
	SupportedLoginProviders        map[string]string
	DeveloperProviderName          string
	OpenIdConnectProviderARNs      []string
	CognitoIdentityProviders       []cfnCognitoProvider
	SamlProviderARNs               []string
	IdentityPoolTags               []Tag
	// Not held by idpool (Cognito Sync and events): noted, not applied.
	CognitoEvents  any
	CognitoStreams any
	PushSync       any
}

type cfnRoleMapping struct {
	IdentityProvider        string
	Type                    string
	AmbiguousRoleResolution string
	RulesConfiguration      *RulesConfiguration
}

type cfnAttachment struct {
	IdentityPoolId string
	Roles          map[string]string
	RoleMappings   map[string]cfnRoleMapping
}

type cfnPrincipalTag struct {
	IdentityPoolId       string
	IdentityProviderName string
	PrincipalTags        map[string]string
	UseDefaults          cfnBool
}

type cfnInlinePolicy struct {
	PolicyName     string
	PolicyDocument any
}

type cfnRole struct {
	RoleName                 string
	AssumeRolePolicyDocument any
	Path                     string
	Description              string
	MaxSessionDuration       cfnInt
	ManagedPolicyArns        []string
	Policies                 []cfnInlinePolicy
	Tags                     []Tag
	PermissionsBoundary      string
}

type cfnOIDC struct {
	Url            string
	ClientIdList   []string
	ThumbprintList []string
	Tags           []Tag
}

type cfnSAML struct {
	Name                 string
	SamlMetadataDocument string
	Tags                 []Tag
}

// properties evaluates a resource's Properties into shape, refusing
// properties the type does not have.
func (c *cfn) properties(logical string, shape any) error {
	props, _ := c.resources[logical]["Properties"].(map[string]any)
	v, err := c.eval(props)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(shape); err != nil {
		return c.errorf("resource %s (%s): %s", logical, c.resources[logical]["Type"], strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// policyText is a policy document property as JSON text.
func policyText(v any) PolicyText {
	if s, ok := v.(string); ok {
		return PolicyText(s)
	}
	b, _ := json.Marshal(v)
	return PolicyText(b)
}

// file builds the stack file from the resources idpool holds.
func (c *cfn) file() (*File, error) {
	f := &File{Region: c.o.Region}
	logicals := make([]string, 0, len(c.resources))
	for l := range c.resources {
		logicals = append(logicals, l)
	}
	sort.Strings(logicals)
	pools := map[string]int{} // pool id -> index in f.IdentityPools
	var attachments, tags []string
	for _, l := range logicals {
		r := c.resources[l]
		typ := r["Type"].(string)
		if !reLogicalID.MatchString(l) {
			return nil, c.errorf("resource %q: a logical id is letters and digits", clip(l))
		}
		if cond, ok := r["Condition"].(string); ok {
			on, err := c.condition(cond)
			if err != nil {
				return nil, err
			}
			if !on {
				c.info.Skipped = append(c.info.Skipped, fmt.Sprintf("%s (%s): condition %s is false", l, typ, cond))
				continue
			}
		}
		switch typ {
		case cfnPoolType:
			var p cfnPool
			if err := c.properties(l, &p); err != nil {
				return nil, err
			}
			id, _ := c.resourceValue(l, "")
			name, err := c.poolName(l)
			if err != nil {
				return nil, err
			}
			pool := Pool{IdentityPoolId: id.(string), IdentityPoolName: name,
				AllowUnauthenticatedIdentities: bool(p.AllowUnauthenticatedIdentities), AllowClassicFlow: bool(p.AllowClassicFlow),
				SupportedLoginProviders: p.SupportedLoginProviders, DeveloperProviderName: p.DeveloperProviderName,
				OpenIdConnectProviderARNs: p.OpenIdConnectProviderARNs, SamlProviderARNs: p.SamlProviderARNs}
			for _, cp := range p.CognitoIdentityProviders {
				pool.CognitoIdentityProviders = append(pool.CognitoIdentityProviders,
					CognitoProvider{ProviderName: cp.ProviderName, ClientId: cp.ClientId, ServerSideTokenCheck: bool(cp.ServerSideTokenCheck)})
			}
			if len(p.IdentityPoolTags) > 0 {
				pool.IdentityPoolTags = map[string]string{}
				for _, t := range p.IdentityPoolTags {
					pool.IdentityPoolTags[t.Key] = t.Value
				}
			}
			for prop, v := range map[string]any{"CognitoEvents": p.CognitoEvents, "CognitoStreams": p.CognitoStreams, "PushSync": p.PushSync} {
				if v != nil {
					c.info.Skipped = append(c.info.Skipped, fmt.Sprintf("%s.%s: Cognito Sync is not part of idpool", l, prop))
				}
			}
			pools[pool.IdentityPoolId] = len(f.IdentityPools)
			f.IdentityPools = append(f.IdentityPools, pool)
		case cfnAttachmentType:
			attachments = append(attachments, l)
		case cfnPrincipalType:
			tags = append(tags, l)
		case cfnRoleType:
			var p cfnRole
			if err := c.properties(l, &p); err != nil {
				return nil, err
			}
			name, _ := c.resourceValue(l, "")
			role := Role{RoleName: name.(string), Path: p.Path, Description: p.Description, MaxSessionDuration: int32(p.MaxSessionDuration),
				AssumeRolePolicyDocument: policyText(p.AssumeRolePolicyDocument), Tags: p.Tags, ManagedPolicyArns: p.ManagedPolicyArns}
			if p.AssumeRolePolicyDocument == nil {
				role.AssumeRolePolicyDocument = ""
			}
			for _, ip := range p.Policies {
				role.Policies = append(role.Policies, InlinePolicy{PolicyName: ip.PolicyName, PolicyDocument: policyText(ip.PolicyDocument)})
			}
			if p.PermissionsBoundary != "" {
				c.info.Skipped = append(c.info.Skipped, l+".PermissionsBoundary: not applied (idpool's STS evaluates trust, not permissions)")
			}
			f.IAM.Roles = append(f.IAM.Roles, role)
		case cfnOIDCType:
			var p cfnOIDC
			if err := c.properties(l, &p); err != nil {
				return nil, err
			}
			f.IAM.OpenIDConnectProviders = append(f.IAM.OpenIDConnectProviders,
				OIDCProvider{Url: p.Url, ClientIDList: p.ClientIdList, ThumbprintList: p.ThumbprintList, Tags: p.Tags})
		case cfnSAMLType:
			var p cfnSAML
			if err := c.properties(l, &p); err != nil {
				return nil, err
			}
			name, err := c.samlName(l)
			if err != nil {
				return nil, err
			}
			f.IAM.SAMLProviders = append(f.IAM.SAMLProviders, SAMLProvider{Name: name, SAMLMetadataDocument: p.SamlMetadataDocument, Tags: p.Tags})
		default:
			c.info.Skipped = append(c.info.Skipped, fmt.Sprintf("%s (%s)", l, typ))
		}
	}
	poolOf := func(l, id string) (*Pool, error) {
		i, ok := pools[id]
		if !ok {
			return nil, c.errorf("resource %s: IdentityPoolId %q is not an identity pool of this template", l, clip(id))
		}
		return &f.IdentityPools[i], nil
	}
	for _, l := range attachments {
		var a cfnAttachment
		if err := c.properties(l, &a); err != nil {
			return nil, err
		}
		p, err := poolOf(l, a.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		if p.Roles != nil || p.RoleMappings != nil {
			return nil, c.errorf("resource %s: identity pool %s already has a role attachment", l, a.IdentityPoolId)
		}
		p.Roles = a.Roles
		for key, m := range a.RoleMappings {
			// The mapping's key is any name; IdentityProvider is the
			// provider it maps (localstack#5669), the key itself without one.
			provider := m.IdentityProvider
			if provider == "" {
				provider = key
			}
			if p.RoleMappings == nil {
				p.RoleMappings = map[string]RoleMapping{}
			}
			p.RoleMappings[provider] = RoleMapping{Type: m.Type, AmbiguousRoleResolution: m.AmbiguousRoleResolution, RulesConfiguration: m.RulesConfiguration}
		}
	}
	for _, l := range tags {
		var t cfnPrincipalTag
		if err := c.properties(l, &t); err != nil {
			return nil, err
		}
		p, err := poolOf(l, t.IdentityPoolId)
		if err != nil {
			return nil, err
		}
		p.PrincipalTags = append(p.PrincipalTags, PrincipalTagMap{IdentityProviderName: t.IdentityProviderName, UseDefaults: bool(t.UseDefaults), PrincipalTags: t.PrincipalTags})
	}
	return f, nil
}
