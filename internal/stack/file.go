// Package stack reads idpool stack files (YAML or JSON declaring identity
// pools, IAM roles and IAM identity providers with the APIs' own member
// names) and makes a target match one, as a client of the wire: every
// change is an AWS SDK call, so the same file applies to idpool (any
// store) or to any other Cognito Identity + IAM endpoint. "idpool apply"
// and "idpool serve --seed" run it. docs/stack-files.md describes the
// format.
package stack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"
)

// File is a stack file.
type File struct {
	// Region is where the pools live; the client's region when empty.
	Region        string `yaml:"Region,omitempty"`
	IdentityPools []Pool `yaml:"IdentityPools,omitempty"`
	IAM           IAM    `yaml:"IAM,omitempty"`

	path string
}

// IAM holds the IAM objects of a stack.
type IAM struct {
	Roles                  []Role         `yaml:"Roles,omitempty"`
	OpenIDConnectProviders []OIDCProvider `yaml:"OpenIDConnectProviders,omitempty"`
	SAMLProviders          []SAMLProvider `yaml:"SAMLProviders,omitempty"`
}

// Pool is an identity pool with its roles, role mappings and principal
// tag maps. Members are the IdentityPool structure's, plus Roles and
// RoleMappings (SetIdentityPoolRoles) and PrincipalTags
// (SetPrincipalTagAttributeMap, one entry per provider).
type Pool struct {
	IdentityPoolId                 string                 `yaml:"IdentityPoolId,omitempty" json:",omitempty"`
	IdentityPoolName               string                 `yaml:"IdentityPoolName"`
	AllowUnauthenticatedIdentities bool                   `yaml:"AllowUnauthenticatedIdentities,omitempty"`
	AllowClassicFlow               bool                   `yaml:"AllowClassicFlow,omitempty"`
	SupportedLoginProviders        map[string]string      `yaml:"SupportedLoginProviders,omitempty" json:",omitempty"`
	DeveloperProviderName          string                 `yaml:"DeveloperProviderName,omitempty" json:",omitempty"`
	OpenIdConnectProviderARNs      []string               `yaml:"OpenIdConnectProviderARNs,omitempty" json:",omitempty"`
	CognitoIdentityProviders       []CognitoProvider      `yaml:"CognitoIdentityProviders,omitempty" json:",omitempty"`
	SamlProviderARNs               []string               `yaml:"SamlProviderARNs,omitempty" json:",omitempty"`
	IdentityPoolTags               map[string]string      `yaml:"IdentityPoolTags,omitempty"`
	Roles                          map[string]string      `yaml:"Roles,omitempty" json:"-"`
	RoleMappings                   map[string]RoleMapping `yaml:"RoleMappings,omitempty" json:"-"`
	PrincipalTags                  []PrincipalTagMap      `yaml:"PrincipalTags,omitempty" json:"-"`

	at pos
}

// CognitoProvider is a CognitoIdentityProvider.
type CognitoProvider struct {
	ProviderName         string `yaml:"ProviderName,omitempty"`
	ClientId             string `yaml:"ClientId,omitempty"`
	ServerSideTokenCheck bool   `yaml:"ServerSideTokenCheck,omitempty"`
}

// RoleMapping is a RoleMapping of SetIdentityPoolRoles.
type RoleMapping struct {
	Type                    string              `yaml:"Type,omitempty"`
	AmbiguousRoleResolution string              `yaml:"AmbiguousRoleResolution,omitempty" json:",omitempty"`
	RulesConfiguration      *RulesConfiguration `yaml:"RulesConfiguration,omitempty" json:",omitempty"`
}

// RulesConfiguration is a RulesConfigurationType.
type RulesConfiguration struct {
	Rules []MappingRule `yaml:"Rules,omitempty"`
}

// MappingRule is a MappingRule.
type MappingRule struct {
	Claim     string `yaml:"Claim,omitempty"`
	MatchType string `yaml:"MatchType,omitempty"`
	Value     string `yaml:"Value,omitempty"`
	RoleARN   string `yaml:"RoleARN,omitempty"`
}

// PrincipalTagMap is the input of SetPrincipalTagAttributeMap for one
// provider of the pool.
type PrincipalTagMap struct {
	IdentityProviderName string            `yaml:"IdentityProviderName,omitempty"`
	UseDefaults          bool              `yaml:"UseDefaults,omitempty"`
	PrincipalTags        map[string]string `yaml:"PrincipalTags,omitempty" json:",omitempty"`
}

// Role is an IAM role.
type Role struct {
	RoleName                 string     `yaml:"RoleName,omitempty"`
	Path                     string     `yaml:"Path,omitempty"`
	Description              string     `yaml:"Description,omitempty"`
	MaxSessionDuration       int32      `yaml:"MaxSessionDuration,omitempty"`
	AssumeRolePolicyDocument PolicyText `yaml:"AssumeRolePolicyDocument,omitempty"`
	Tags                     []Tag      `yaml:"Tags,omitempty"`
	// Policies are the role's inline permission policies, and
	// ManagedPolicyArns the managed ones attached (CloudFormation's names).
	Policies          []InlinePolicy `yaml:"Policies,omitempty"`
	ManagedPolicyArns []string       `yaml:"ManagedPolicyArns,omitempty"`

	at pos
}

// InlinePolicy is one of a role's inline permission policies.
type InlinePolicy struct {
	PolicyName     string     `yaml:"PolicyName,omitempty"`
	PolicyDocument PolicyText `yaml:"PolicyDocument,omitempty"`
}

// Tag is an IAM tag.
type Tag struct {
	Key   string `yaml:"Key,omitempty"`
	Value string `yaml:"Value,omitempty"`
}

// OIDCProvider is an IAM OpenID Connect provider.
type OIDCProvider struct {
	Url            string   `yaml:"Url,omitempty"`
	ClientIDList   []string `yaml:"ClientIDList,omitempty"`
	ThumbprintList []string `yaml:"ThumbprintList,omitempty"`
	Tags           []Tag    `yaml:"Tags,omitempty"`

	at pos
}

// SAMLProvider is an IAM SAML provider.
type SAMLProvider struct {
	Name                 string `yaml:"Name,omitempty"`
	SAMLMetadataDocument string `yaml:"SAMLMetadataDocument,omitempty"`
	Tags                 []Tag  `yaml:"Tags,omitempty"`

	at pos
}

// PolicyText is a policy document: JSON text, or the document itself as
// YAML/JSON structure (turned into JSON text).
type PolicyText string

// UnmarshalYAML accepts a string or a mapping.
func (p *PolicyText) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*p = PolicyText(s)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return &lineError{line: n.Line, msg: "the policy document cannot be written as JSON: " + err.Error()}
	}
	*p = PolicyText(b)
	return nil
}

// pos is where an object and its keys are in the file.
type pos struct {
	line int
	keys map[string]int
}

func (p pos) key(k string) int {
	if l, ok := p.keys[k]; ok {
		return l
	}
	return p.line
}

// Error is a problem with a stack file, at a line of it.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// ReadFile reads and checks a stack file.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// maxFile bounds a stack file.
const maxFile = 8 << 20

// Parse reads a stack file's text (YAML, or JSON, which is YAML) and
// checks what can be checked without a server. Unknown keys, wrong types
// and duplicate keys are errors; the first problem is returned, at its
// line.
func Parse(path string, text []byte) (*File, error) {
	if len(text) > maxFile {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("the file is larger than %d bytes", maxFile)}
	}
	f := &File{path: path}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Path: path, Msg: "the file is empty"}
		}
		return nil, yamlError(path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Path: path, Line: extra.Line, Msg: "a stack file holds one document; remove the second one"}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(text, &root); err != nil {
		return nil, yamlError(path, err)
	}
	f.locate(&root)
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

var (
	reLine      = regexp.MustCompile(`line (\d+): (.*)`)
	reUnknown   = regexp.MustCompile(`^field (\S+) not found in type stack\.(\w+)$`)
	reWrongType = regexp.MustCompile("^cannot unmarshal !!(\\w+) (`.*` )?into (.*)$")
)

// yamlError turns yaml.v3's first error into one message at a line,
// naming the key or the expected type, never Go's type names.
func yamlError(path string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &Error{Path: path, Line: le.line, Msg: le.msg}
	}
	text := err.Error()
	m := reLine.FindStringSubmatch(text)
	if m == nil {
		return &Error{Path: path, Msg: strings.TrimPrefix(text, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	msg := strings.SplitN(m[2], "\n", 2)[0]
	if u := reUnknown.FindStringSubmatch(msg); u != nil {
		msg = fmt.Sprintf("unknown key %q in %s (known keys: %s)", u[1], typeWord(u[2]), strings.Join(knownKeys(u[2]), ", "))
	} else if w := reWrongType.FindStringSubmatch(msg); w != nil {
		msg = fmt.Sprintf("wrong type: %s where %s is expected", kindWord(w[1]), goTypeWord(w[3]))
	}
	return &Error{Path: path, Line: line, Msg: msg}
}

var typeWords = map[string]any{
	"File": File{}, "IAM": IAM{}, "Pool": Pool{}, "CognitoProvider": CognitoProvider{}, "RoleMapping": RoleMapping{},
	"RulesConfiguration": RulesConfiguration{}, "MappingRule": MappingRule{}, "PrincipalTagMap": PrincipalTagMap{},
	"Role": Role{}, "Tag": Tag{}, "OIDCProvider": OIDCProvider{}, "SAMLProvider": SAMLProvider{},
}

func typeWord(t string) string {
	switch t {
	case "File":
		return "the stack file"
	case "Pool":
		return "an identity pool"
	case "OIDCProvider":
		return "an OpenID Connect provider"
	case "SAMLProvider":
		return "a SAML provider"
	case "Role":
		return "an IAM role"
	}
	return "a " + t
}

func knownKeys(t string) []string {
	v, ok := typeWords[t]
	if !ok {
		return nil
	}
	out := yamlKeys(v)
	sort.Strings(out)
	return out
}

func kindWord(tag string) string {
	switch tag {
	case "str":
		return "a string"
	case "int", "float":
		return "a number"
	case "bool":
		return "a boolean"
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	return "a " + tag
}

func goTypeWord(t string) string {
	switch {
	case t == "string" || t == "stack.PolicyText":
		return "a string"
	case t == "bool":
		return "a boolean (true or false)"
	case strings.HasPrefix(t, "int"):
		return "a whole number"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "stack."), strings.HasPrefix(t, "*stack."):
		return "a mapping"
	}
	return t
}

// locate records the lines of the objects and their keys.
func (f *File) locate(root *yaml.Node) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	items := func(n *yaml.Node, key string) []pos {
		seq := child(n, key)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			return nil
		}
		out := make([]pos, len(seq.Content))
		for i, it := range seq.Content {
			out[i] = pos{line: it.Line, keys: map[string]int{}}
			if it.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(it.Content); j += 2 {
					out[i].keys[it.Content[j].Value] = it.Content[j].Line
				}
			}
		}
		return out
	}
	for i, p := range items(doc, "IdentityPools") {
		f.IdentityPools[i].at = p
	}
	iamNode := child(doc, "IAM")
	for i, p := range items(iamNode, "Roles") {
		f.IAM.Roles[i].at = p
	}
	for i, p := range items(iamNode, "OpenIDConnectProviders") {
		f.IAM.OpenIDConnectProviders[i].at = p
	}
	for i, p := range items(iamNode, "SAMLProviders") {
		f.IAM.SAMLProviders[i].at = p
	}
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var (
	rePoolName   = regexp.MustCompile(`^[\w ]{1,128}$`)
	reRegion     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	reRoleName   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	rePolicyName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
)

// check validates what needs no server, so a bad file changes nothing.
func (f *File) check() error {
	bad := func(line int, format string, args ...any) error {
		return &Error{Path: f.path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if f.Region != "" && !reRegion.MatchString(f.Region) {
		return bad(1, "Region %q is not a region name (e.g. us-east-1)", clip(f.Region))
	}
	names, ids := map[string]int{}, map[string]int{}
	for i := range f.IdentityPools {
		p := &f.IdentityPools[i]
		if !rePoolName.MatchString(p.IdentityPoolName) {
			return bad(p.at.key("IdentityPoolName"), "IdentityPoolName %q must be 1 to 128 letters, digits, underscores or spaces", clip(p.IdentityPoolName))
		}
		if p.IdentityPoolId != "" {
			region, u, ok := strings.Cut(p.IdentityPoolId, ":")
			if parsed, err := uuid.Parse(u); !ok || err != nil || parsed.String() != u || !reRegion.MatchString(region) {
				return bad(p.at.key("IdentityPoolId"), "IdentityPoolId %q must be REGION:uuid (lower-case), e.g. us-east-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10", clip(p.IdentityPoolId))
			}
			if f.Region != "" && region != f.Region {
				return bad(p.at.key("IdentityPoolId"), "IdentityPoolId %q is in region %s, but the file's Region is %s", clip(p.IdentityPoolId), region, f.Region)
			}
			if l, dup := ids[p.IdentityPoolId]; dup {
				return bad(p.at.key("IdentityPoolId"), "IdentityPoolId %s is also given at line %d", p.IdentityPoolId, l)
			}
			ids[p.IdentityPoolId] = p.at.key("IdentityPoolId")
		} else {
			if l, dup := names[p.IdentityPoolName]; dup {
				return bad(p.at.key("IdentityPoolName"), "a second pool named %q without an IdentityPoolId (the first is at line %d): give each an IdentityPoolId or a unique name", p.IdentityPoolName, l)
			}
			names[p.IdentityPoolName] = p.at.key("IdentityPoolName")
		}
		for k := range p.Roles {
			if k != "authenticated" && k != "unauthenticated" {
				return bad(p.at.key("Roles"), "Roles key %q must be authenticated or unauthenticated", clip(k))
			}
		}
		for k, m := range p.RoleMappings {
			if m.Type != "Token" && m.Type != "Rules" {
				return bad(p.at.key("RoleMappings"), "RoleMappings[%q].Type must be Token or Rules", clip(k))
			}
			if m.AmbiguousRoleResolution != "" && m.AmbiguousRoleResolution != "AuthenticatedRole" && m.AmbiguousRoleResolution != "Deny" {
				return bad(p.at.key("RoleMappings"), "RoleMappings[%q].AmbiguousRoleResolution must be AuthenticatedRole or Deny", clip(k))
			}
		}
		seen := map[string]bool{}
		for _, t := range p.PrincipalTags {
			if t.IdentityProviderName == "" {
				return bad(p.at.key("PrincipalTags"), "each PrincipalTags entry needs an IdentityProviderName")
			}
			if seen[t.IdentityProviderName] {
				return bad(p.at.key("PrincipalTags"), "PrincipalTags names %q twice", clip(t.IdentityProviderName))
			}
			seen[t.IdentityProviderName] = true
		}
	}
	roles := map[string]int{}
	for i := range f.IAM.Roles {
		r := &f.IAM.Roles[i]
		if !reRoleName.MatchString(r.RoleName) {
			return bad(r.at.key("RoleName"), "RoleName %q must be 1 to 64 of letters, digits and +=,.@_-", clip(r.RoleName))
		}
		key := strings.ToLower(r.RoleName)
		if l, dup := roles[key]; dup {
			return bad(r.at.key("RoleName"), "role %s is also declared at line %d (IAM role names ignore case)", r.RoleName, l)
		}
		roles[key] = r.at.key("RoleName")
		if r.AssumeRolePolicyDocument == "" {
			return bad(r.at.line, "role %s needs an AssumeRolePolicyDocument", r.RoleName)
		}
		if !json.Valid([]byte(r.AssumeRolePolicyDocument)) {
			return bad(r.at.key("AssumeRolePolicyDocument"), "AssumeRolePolicyDocument of role %s is not valid JSON", r.RoleName)
		}
		names := map[string]bool{}
		for _, p := range r.Policies {
			if !rePolicyName.MatchString(p.PolicyName) {
				return bad(r.at.key("Policies"), "a policy of role %s needs a PolicyName of 1 to 128 letters, digits and +=,.@_- (%q)", r.RoleName, clip(p.PolicyName))
			}
			if names[p.PolicyName] {
				return bad(r.at.key("Policies"), "role %s names policy %s twice", r.RoleName, p.PolicyName)
			}
			names[p.PolicyName] = true
			if !json.Valid([]byte(p.PolicyDocument)) {
				return bad(r.at.key("Policies"), "PolicyDocument of policy %s of role %s is not valid JSON", p.PolicyName, r.RoleName)
			}
		}
		for _, arn := range r.ManagedPolicyArns {
			if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":policy/") {
				return bad(r.at.key("ManagedPolicyArns"), "ManagedPolicyArns of role %s: %q is not a policy ARN", r.RoleName, clip(arn))
			}
		}
	}
	oidc := map[string]int{}
	for i := range f.IAM.OpenIDConnectProviders {
		o := &f.IAM.OpenIDConnectProviders[i]
		if !strings.HasPrefix(o.Url, "https://") || len(o.Url) <= len("https://") {
			return bad(o.at.key("Url"), "Url %q must begin with https://", clip(o.Url))
		}
		if l, dup := oidc[oidcName(o.Url)]; dup {
			return bad(o.at.key("Url"), "this provider is also declared at line %d", l)
		}
		oidc[oidcName(o.Url)] = o.at.key("Url")
	}
	saml := map[string]int{}
	for i := range f.IAM.SAMLProviders {
		s := &f.IAM.SAMLProviders[i]
		if s.Name == "" || s.SAMLMetadataDocument == "" {
			return bad(s.at.line, "a SAML provider needs a Name and a SAMLMetadataDocument")
		}
		if l, dup := saml[s.Name]; dup {
			return bad(s.at.key("Name"), "SAML provider %s is also declared at line %d", s.Name, l)
		}
		saml[s.Name] = s.at.key("Name")
	}
	return nil
}

// checkRegion refuses pinned ids of another region than the one the
// pools are created in, before anything is changed.
func (f *File) checkRegion(region string) error {
	for _, p := range f.IdentityPools {
		if r, _, _ := strings.Cut(p.IdentityPoolId, ":"); p.IdentityPoolId != "" && r != region {
			return &Error{Path: f.path, Line: p.at.key("IdentityPoolId"), Msg: fmt.Sprintf("IdentityPoolId %s is in region %s, but the pools are created in %s (set Region in the file or --region)", p.IdentityPoolId, r, region)}
		}
	}
	return nil
}

// oidcName is the provider's name in its ARN: host and path.
func oidcName(url string) string {
	return strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
}

// clip bounds a value echoed in a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// yamlKeys lists the yaml keys of a struct value.
func yamlKeys(v any) []string {
	var out []string
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
