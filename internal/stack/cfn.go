package stack

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A CloudFormation template (what `cdk synth` and `sam build` write) is
// read as a stack file: the resources idpool holds become the stack
// file's objects, every other resource is listed and skipped.
//
// The intrinsic functions are evaluated here rather than with goformation:
// goformation v7's Fn::Sub resolves ${Name} with its own Ref, past any
// override, and drops what it cannot resolve without a word; its Fn::GetAtt
// is not implemented; its pseudo-parameters are fixed (123456789012,
// us-east-1); and its resource-level Condition replaces the resource with a
// boolean. A template that applies wrongly without an error is worse than
// one refused, so the functions the supported resources need are written
// out below, each failing loudly on what it cannot resolve.

// TemplateOptions are what a template needs besides its text.
type TemplateOptions struct {
	// Region and AccountID are AWS::Region and AWS::AccountId.
	Region, AccountID string
	// StackName is AWS::StackName (default: the file name without
	// ".template.json", ".json", ".yaml" or ".yml").
	StackName string
	// Parameters override the template's parameter defaults.
	Parameters map[string]string
	// ResourceValues give Ref (key LOGICALID) and Fn::GetAtt (key
	// LOGICALID.ATTR) of resources idpool does not hold, such as a user
	// pool and its client; others get stable placeholders.
	ResourceValues map[string]string
}

// Template is what reading a template found besides the stack file.
type Template struct {
	// Skipped lists "LOGICALID (TYPE)" of the resources idpool does not
	// hold, and those whose Condition is false.
	Skipped []string
	// Placeholders are the values made up for Ref/GetAtt of resources
	// idpool does not hold, by LOGICALID[.ATTR], in use order.
	Placeholders [][2]string
	// Outputs are the template's outputs that resolve, by name.
	Outputs [][2]string
}

// IsTemplate reports whether a document looks like a CloudFormation
// template rather than a stack file.
func IsTemplate(text []byte) bool {
	var top map[string]yaml.Node
	if yaml.Unmarshal(text, &top) != nil {
		return false
	}
	_, res := top["Resources"]
	_, ver := top["AWSTemplateFormatVersion"]
	return res || ver
}

// cfn evaluates one template.
type cfn struct {
	path       string
	o          TemplateOptions
	params     map[string]any
	mappings   map[string]any
	conditions map[string]any
	condDone   map[string]*bool
	resources  map[string]map[string]any
	// refs memoises resource Ref/GetAtt values; busy catches cycles.
	refs map[string]any
	busy map[string]bool
	info *Template
}

func (c *cfn) errorf(format string, args ...any) error {
	return &Error{Path: c.path, Msg: fmt.Sprintf(format, args...)}
}

// decodeTemplate reads YAML or JSON, turning the short forms (!Ref,
// !GetAtt a.b, !Sub, ...) into the long ones.
func decodeTemplate(text []byte) (map[string]any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(text, &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("the template is empty")
	}
	v, err := nodeValue(root.Content[0])
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the template is not a map")
	}
	return m, nil
}

func nodeValue(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			val, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, val)
		}
		v = l
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				return nil, err
			}
			v = f
		case "!!bool":
			v = n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
	}
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		name := tag[1:]
		switch name {
		case "Ref", "Condition":
			return map[string]any{name: v}, nil
		case "GetAtt":
			if s, ok := v.(string); ok {
				logical, attr, _ := strings.Cut(s, ".")
				v = []any{logical, attr}
			}
		}
		return map[string]any{"Fn::" + name: v}, nil
	}
	return v, nil
}

// ParseTemplate reads a CloudFormation template as a stack file.
func ParseTemplate(path string, text []byte, o TemplateOptions) (*File, *Template, error) {
	if len(text) > maxFile {
		return nil, nil, &Error{Path: path, Msg: fmt.Sprintf("the file is larger than %d bytes", maxFile)}
	}
	doc, err := decodeTemplate(text)
	if err != nil {
		return nil, nil, yamlError(path, err)
	}
	if o.StackName == "" {
		base := path[strings.LastIndex(path, "/")+1:]
		for _, ext := range []string{".template.json", ".json", ".yaml", ".yml"} {
			if strings.HasSuffix(base, ext) {
				base = strings.TrimSuffix(base, ext)
				break
			}
		}
		o.StackName = base
	}
	c := &cfn{path: path, o: o, params: map[string]any{}, condDone: map[string]*bool{},
		resources: map[string]map[string]any{}, refs: map[string]any{}, busy: map[string]bool{}, info: &Template{}}
	if err := c.readSections(doc); err != nil {
		return nil, nil, err
	}
	f, err := c.file()
	if err != nil {
		return nil, nil, err
	}
	f.path = path
	if err := f.check(); err != nil {
		return nil, nil, err
	}
	c.outputs(doc)
	return f, c.info, nil
}

func (c *cfn) readSections(doc map[string]any) error {
	for k := range doc {
		switch k {
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions",
			"Transform", "Resources", "Outputs", "Rules":
		default:
			return c.errorf("unknown template section %q", clip(k))
		}
	}
	if t, ok := doc["Transform"]; ok && t != nil {
		return c.errorf("the template has a Transform (%v): apply what `sam build` or `aws cloudformation package` writes, with the transform done", t)
	}
	params, _ := doc["Parameters"].(map[string]any)
	for name, p := range params {
		spec, _ := p.(map[string]any)
		typ, _ := spec["Type"].(string)
		raw, given := c.o.Parameters[name]
		var v any = raw
		if !given {
			def, ok := spec["Default"]
			if !ok {
				return c.errorf("parameter %s has no Default: pass --parameter %s=VALUE", name, name)
			}
			v = scalarString(def)
			if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
				// Its value lives in SSM, which idpool does not hold. Every
				// CDK template has one (BootstrapVersion, read only by its
				// Rules), so it is an error only where it is used.
				c.params[name] = ssmParam{name: name, typ: typ}
				continue
			}
		}
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			var l []any
			for _, s := range strings.Split(fmt.Sprint(v), ",") {
				l = append(l, strings.TrimSpace(s))
			}
			v = l
		}
		c.params[name] = v
	}
	for name := range c.o.Parameters {
		if _, ok := params[name]; !ok {
			return c.errorf("--parameter %s: the template has no such parameter", name)
		}
	}
	c.mappings, _ = doc["Mappings"].(map[string]any)
	c.conditions, _ = doc["Conditions"].(map[string]any)
	res, ok := doc["Resources"].(map[string]any)
	if !ok {
		return c.errorf("the template has no Resources")
	}
	for name, r := range res {
		m, ok := r.(map[string]any)
		if !ok {
			return c.errorf("resource %s is not a map", name)
		}
		if _, ok := m["Type"].(string); !ok {
			return c.errorf("resource %s has no Type", name)
		}
		c.resources[name] = m
	}
	return nil
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// ssmParam is a parameter whose value is in SSM Parameter Store.
type ssmParam struct{ name, typ string }

// noValue is AWS::NoValue: the property or list item is removed.
type noValue struct{}

// eval resolves every intrinsic function in v.
func (c *cfn) eval(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			r, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			if _, skip := r.(noValue); !skip {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return c.fn(k, arg)
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			r, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			if _, skip := r.(noValue); !skip {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

func (c *cfn) str(v any, fn string) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64, bool:
		return scalarString(x), nil
	}
	return "", c.errorf("%s: expected a string, got %s", fn, describe(v))
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	return clip(string(b))
}

func (c *cfn) fn(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		s, err := c.str(arg, "Ref")
		if err != nil {
			return nil, err
		}
		return c.ref(s)
	case "Condition":
		s, err := c.str(arg, "Condition")
		if err != nil {
			return nil, err
		}
		return c.condition(s)
	case "Fn::GetAtt":
		var parts []string
		switch a := arg.(type) {
		case string:
			l, at, _ := strings.Cut(a, ".")
			parts = []string{l, at}
		case []any:
			for _, p := range a {
				r, err := c.eval(p)
				if err != nil {
					return nil, err
				}
				s, err := c.str(r, name)
				if err != nil {
					return nil, err
				}
				parts = append(parts, s)
			}
		}
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return nil, c.errorf("Fn::GetAtt takes [LOGICALID, ATTRIBUTE], got %s", describe(arg))
		}
		return c.getAtt(parts[0], parts[1])
	case "Fn::Sub":
		return c.sub(arg)
	}
	// The others take evaluated arguments.
	a, err := c.eval(arg)
	if err != nil {
		return nil, err
	}
	list, _ := a.([]any)
	switch name {
	case "Fn::Join":
		if len(list) != 2 {
			return nil, c.errorf("Fn::Join takes [DELIMITER, [VALUES]], got %s", describe(arg))
		}
		sep, err := c.str(list[0], name)
		if err != nil {
			return nil, err
		}
		items, ok := list[1].([]any)
		if !ok {
			return nil, c.errorf("Fn::Join: the values are not a list: %s", describe(list[1]))
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			s, err := c.str(it, name)
			if err != nil {
				return nil, err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, sep), nil
	case "Fn::Select":
		if len(list) != 2 {
			return nil, c.errorf("Fn::Select takes [INDEX, [VALUES]], got %s", describe(arg))
		}
		i, err := strconv.Atoi(scalarString(list[0]))
		items, ok := list[1].([]any)
		if err != nil || !ok || i < 0 || i >= len(items) {
			return nil, c.errorf("Fn::Select: index %s out of %s", describe(list[0]), describe(list[1]))
		}
		return items[i], nil
	case "Fn::Split":
		if len(list) != 2 {
			return nil, c.errorf("Fn::Split takes [DELIMITER, STRING], got %s", describe(arg))
		}
		sep, err := c.str(list[0], name)
		if err != nil {
			return nil, err
		}
		s, err := c.str(list[1], name)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, sep) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Base64":
		s, err := c.str(a, name)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		r := c.o.Region
		return []any{r + "a", r + "b", r + "c"}, nil
	case "Fn::FindInMap":
		if len(list) != 3 {
			return nil, c.errorf("Fn::FindInMap takes [MAP, TOP, SECOND], got %s", describe(arg))
		}
		m, _ := c.mappings[scalarString(list[0])].(map[string]any)
		top, _ := m[scalarString(list[1])].(map[string]any)
		v, ok := top[scalarString(list[2])]
		if !ok {
			return nil, c.errorf("Fn::FindInMap: no %s in Mappings", describe(list))
		}
		return c.eval(v)
	case "Fn::Equals":
		if len(list) != 2 {
			return nil, c.errorf("Fn::Equals takes two values, got %s", describe(arg))
		}
		return describe(list[0]) == describe(list[1]) || scalarString(list[0]) == scalarString(list[1]), nil
	case "Fn::Not", "Fn::And", "Fn::Or":
		var bs []bool
		for _, e := range list {
			b, ok := e.(bool)
			if !ok {
				return nil, c.errorf("%s takes conditions, got %s", name, describe(e))
			}
			bs = append(bs, b)
		}
		switch {
		case name == "Fn::Not" && len(bs) == 1:
			return !bs[0], nil
		case name == "Fn::And" && len(bs) >= 2:
			return !slices.Contains(bs, false), nil
		case name == "Fn::Or" && len(bs) >= 2:
			return slices.Contains(bs, true), nil
		}
		return nil, c.errorf("%s: wrong number of conditions in %s", name, describe(arg))
	case "Fn::If":
		raw, _ := arg.([]any)
		if len(raw) != 3 {
			return nil, c.errorf("Fn::If takes [CONDITION, THEN, ELSE], got %s", describe(arg))
		}
		cond, err := c.str(raw[0], name)
		if err != nil {
			return nil, err
		}
		ok, err := c.condition(cond)
		if err != nil {
			return nil, err
		}
		if ok {
			return c.eval(raw[1])
		}
		return c.eval(raw[2])
	}
	return nil, c.errorf("%s is not supported here (it is not needed by the resources idpool holds)", name)
}

// sub is Fn::Sub: "text ${Name} ${Res.Attr} ${!Literal}" or [text, vars].
func (c *cfn) sub(arg any) (any, error) {
	var text string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, c.errorf("Fn::Sub takes a string or [STRING, {VARIABLES}], got %s", describe(arg))
		}
		s, ok := a[0].(string)
		m, ok2 := a[1].(map[string]any)
		if !ok || !ok2 {
			return nil, c.errorf("Fn::Sub takes [STRING, {VARIABLES}], got %s", describe(arg))
		}
		text = s
		for k, v := range m {
			r, err := c.eval(v)
			if err != nil {
				return nil, err
			}
			vars[k] = r
		}
	default:
		return nil, c.errorf("Fn::Sub takes a string or [STRING, {VARIABLES}], got %s", describe(arg))
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			b.WriteString(text)
			return b.String(), nil
		}
		b.WriteString(text[:i])
		j := strings.Index(text[i:], "}")
		if j < 0 {
			return nil, c.errorf("Fn::Sub: unclosed ${ in %q", clip(text))
		}
		name := text[i+2 : i+j]
		text = text[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v any
		var err error
		if val, ok := vars[name]; ok {
			v = val
		} else if l, at, dot := strings.Cut(name, "."); dot && !strings.HasPrefix(name, "AWS::") {
			v, err = c.getAtt(l, at)
		} else {
			v, err = c.ref(name)
		}
		if err != nil {
			return nil, err
		}
		s, err := c.str(v, "Fn::Sub ${"+name+"}")
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
}

func (c *cfn) condition(name string) (bool, error) {
	if v := c.condDone[name]; v != nil {
		return *v, nil
	}
	expr, ok := c.conditions[name]
	if !ok {
		return false, c.errorf("condition %s is not in Conditions", name)
	}
	if c.busy["condition:"+name] {
		return false, c.errorf("condition %s refers to itself", name)
	}
	c.busy["condition:"+name] = true
	defer delete(c.busy, "condition:"+name)
	r, err := c.eval(expr)
	if err != nil {
		return false, err
	}
	b, ok := r.(bool)
	if !ok {
		return false, c.errorf("condition %s is not true or false: %s", name, describe(r))
	}
	c.condDone[name] = &b
	return b, nil
}

// partition and urlSuffix are AWS::Partition and AWS::URLSuffix of a region.
func partition(region string) (string, string) {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov", "amazonaws.com"
	}
	return "aws", "amazonaws.com"
}

func (c *cfn) ref(name string) (any, error) {
	part, suffix := partition(c.o.Region)
	switch name {
	case "AWS::Region":
		return c.o.Region, nil
	case "AWS::AccountId":
		return c.o.AccountID, nil
	case "AWS::Partition":
		return part, nil
	case "AWS::URLSuffix":
		return suffix, nil
	case "AWS::StackName":
		return c.o.StackName, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", part, c.o.Region, c.o.AccountID, c.o.StackName, stableUUID(c.o.StackName, "stack")), nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if v, ok := c.params[name]; ok {
		if p, ssm := v.(ssmParam); ssm {
			return nil, c.errorf("parameter %s is read from SSM (%s), which idpool does not hold: pass --parameter %s=VALUE", p.name, p.typ, p.name)
		}
		return v, nil
	}
	if _, ok := c.resources[name]; ok {
		return c.resourceValue(name, "")
	}
	return nil, c.errorf("Ref %s: no such parameter or resource", clip(name))
}

func (c *cfn) getAtt(logical, attr string) (any, error) {
	if _, ok := c.resources[logical]; !ok {
		return nil, c.errorf("Fn::GetAtt %s.%s: no such resource", clip(logical), clip(attr))
	}
	return c.resourceValue(logical, attr)
}

// stableUUID is a version-4-shaped uuid derived from the stack and a
// name: the same template gives the same ids on every apply.
func stableUUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// stableToken is n characters of alphabet derived from the stack and a name.
func stableToken(n int, alphabet string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		if i%4 == 0 && i > 0 {
			h = sha256.Sum256(h[:])
		}
		v := binary.BigEndian.Uint64(h[(i%4)*8:])
		b.WriteByte(alphabet[v%uint64(len(alphabet))])
	}
	return b.String()
}

// physicalName is the name CloudFormation gives a resource that names
// none: STACK-LOGICALID-SUFFIX, here with a stable suffix, at most max long.
func (c *cfn) physicalName(logical string, max int) string {
	suffix := stableToken(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", c.o.StackName, logical)
	base := c.o.StackName + "-" + logical
	if len(base) > max-13 {
		base = base[:max-13]
	}
	return base + "-" + suffix
}

// resourceValue is Ref (attr "") or Fn::GetAtt of a resource.
func (c *cfn) resourceValue(logical, attr string) (any, error) {
	key := logical
	if attr != "" {
		key += "." + attr
	}
	if v, ok := c.o.ResourceValues[key]; ok {
		return v, nil
	}
	if v, ok := c.refs[key]; ok {
		return v, nil
	}
	if c.busy[key] {
		return nil, c.errorf("%s refers to itself", key)
	}
	c.busy[key] = true
	defer delete(c.busy, key)
	v, placeholder, err := c.valueOf(logical, attr)
	if err != nil {
		return nil, err
	}
	c.refs[key] = v
	if placeholder {
		c.info.Placeholders = append(c.info.Placeholders, [2]string{key, scalarString(v)})
	}
	return v, nil
}

// prop evaluates one property of a resource ("" when absent).
func (c *cfn) prop(logical, name string) (string, error) {
	props, _ := c.resources[logical]["Properties"].(map[string]any)
	v, ok := props[name]
	if !ok {
		return "", nil
	}
	r, err := c.eval(v)
	if err != nil {
		return "", err
	}
	if _, none := r.(noValue); none {
		return "", nil
	}
	return c.str(r, logical+"."+name)
}

// valueOf computes Ref/GetAtt as CloudFormation would for the types
// idpool holds or that identity pools name; placeholder says it was made up.
func (c *cfn) valueOf(logical, attr string) (any, bool, error) {
	typ := c.resources[logical]["Type"].(string)
	part, _ := partition(c.o.Region)
	iamARN := func(kind, rest string) string {
		return "arn:" + part + ":iam::" + c.o.AccountID + ":" + kind + "/" + rest
	}
	switch typ {
	case "AWS::Cognito::IdentityPool":
		id := c.o.Region + ":" + stableUUID(c.o.StackName, logical)
		switch attr {
		case "", "Id":
			return id, false, nil
		case "Name":
			name, err := c.poolName(logical)
			return name, false, err
		}
	case "AWS::IAM::Role":
		name, err := c.prop(logical, "RoleName")
		if err != nil {
			return nil, false, err
		}
		if name == "" {
			name = c.physicalName(logical, 64)
		}
		path, err := c.prop(logical, "Path")
		if err != nil {
			return nil, false, err
		}
		if path == "" {
			path = "/"
		}
		switch attr {
		case "":
			return name, false, nil
		case "Arn":
			return iamARN("role", strings.TrimPrefix(path, "/")+name), false, nil
		case "RoleId":
			return "AROA" + stableToken(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", c.o.StackName, logical), true, nil
		}
	case "AWS::IAM::OIDCProvider":
		u, err := c.prop(logical, "Url")
		if err != nil {
			return nil, false, err
		}
		if attr == "" || attr == "Arn" {
			return iamARN("oidc-provider", oidcName(u)), false, nil
		}
	case "AWS::IAM::SAMLProvider":
		name, err := c.samlName(logical)
		if err != nil {
			return nil, false, err
		}
		if attr == "" || attr == "Arn" {
			return iamARN("saml-provider", name), false, nil
		}
	case "AWS::Cognito::UserPool":
		id := c.o.Region + "_" + stableToken(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", c.o.StackName, logical)
		if v, ok := c.o.ResourceValues[logical]; ok {
			id = v
		}
		switch attr {
		case "", "UserPoolId":
			return id, true, nil
		case "ProviderName":
			return "cognito-idp." + c.o.Region + ".amazonaws.com/" + id, true, nil
		case "ProviderURL":
			return "https://cognito-idp." + c.o.Region + ".amazonaws.com/" + id, true, nil
		case "Arn":
			return "arn:" + part + ":cognito-idp:" + c.o.Region + ":" + c.o.AccountID + ":userpool/" + id, true, nil
		}
	case "AWS::Cognito::UserPoolClient":
		id := stableToken(26, "abcdefghijklmnopqrstuvwxyz0123456789", c.o.StackName, logical)
		switch attr {
		case "", "ClientId":
			return id, true, nil
		}
	}
	if attr == "" {
		return logical + "-" + stableToken(8, "abcdefghijklmnopqrstuvwxyz0123456789", c.o.StackName, logical), true, nil
	}
	return logical + "-" + attr + "-" + stableToken(8, "abcdefghijklmnopqrstuvwxyz0123456789", c.o.StackName, logical, attr), true, nil
}

func (c *cfn) poolName(logical string) (string, error) {
	name, err := c.prop(logical, "IdentityPoolName")
	if err != nil || name != "" {
		return name, err
	}
	// CloudFormation names an unnamed pool after its logical id.
	return logical + "_" + stableToken(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", c.o.StackName, logical), nil
}

func (c *cfn) samlName(logical string) (string, error) {
	name, err := c.prop(logical, "Name")
	if err != nil || name != "" {
		return name, err
	}
	return c.physicalName(logical, 128), nil
}

// outputs evaluates the template's Outputs; those that do not resolve are
// left out (they may name what idpool does not hold).
func (c *cfn) outputs(doc map[string]any) {
	outs, _ := doc["Outputs"].(map[string]any)
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o, _ := outs[n].(map[string]any)
		if cond, ok := o["Condition"].(string); ok {
			if b, err := c.condition(cond); err != nil || !b {
				continue
			}
		}
		v, err := c.eval(o["Value"])
		if err != nil {
			continue
		}
		if s, err := c.str(v, "Outputs"); err == nil {
			c.info.Outputs = append(c.info.Outputs, [2]string{n, s})
		}
	}
}

var reLogicalID = regexp.MustCompile(`^[A-Za-z0-9]+$`)
