package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Document is a parsed IAM policy.
type Document struct {
	Version    string
	Statements []Statement
}

// Statement is one statement of a policy. Lists are normalised: a single
// string in the JSON becomes a one-element slice.
type Statement struct {
	Sid    string
	Effect string // Allow | Deny
	// Principal and NotPrincipal map a principal type ("Federated", "AWS",
	// "Service", or "*" for everyone) to its values.
	Principal, NotPrincipal map[string][]string
	Action, NotAction       []string
	Resource, NotResource   []string
	Conditions              []Condition
}

// Condition is one (operator, key) pair of a Condition block: the request
// matches it when the key's values satisfy the operator for any of Values.
type Condition struct {
	Operator string // as written, e.g. ForAnyValue:StringLike
	Key      string
	Values   []string

	op       operator
	set      setQualifier
	ifExists bool
}

// Error is a malformed policy; Message is the text IAM answers with in a
// MalformedPolicyDocument error.
type Error struct{ Message string }

func (e *Error) Error() string { return "policy: " + e.Message }

func malformed(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// IAM's messages for malformed documents.
const (
	msgInvalidJSON = "This policy contains invalid Json"
	msgSyntax      = "Syntax errors in policy."
)

// Parse parses any IAM policy (identity, session or trust).
func Parse(doc []byte) (*Document, error) {
	var raw struct {
		Version   string          `json:"Version"`
		ID        json.RawMessage `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if !json.Valid(doc) {
		return nil, malformed(msgInvalidJSON)
	}
	if err := dec.Decode(&raw); err != nil {
		return nil, malformed(msgSyntax)
	}
	if raw.Version != "" && raw.Version != "2012-10-17" && raw.Version != "2008-10-17" {
		return nil, malformed("The policy failed legacy parsing")
	}
	var stmts []json.RawMessage
	switch {
	case len(raw.Statement) == 0 || string(raw.Statement) == "null":
		return nil, malformed(msgSyntax)
	case raw.Statement[0] == '[':
		if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
			return nil, malformed(msgSyntax)
		}
	default:
		stmts = []json.RawMessage{raw.Statement}
	}
	if len(stmts) == 0 {
		return nil, malformed(msgSyntax)
	}
	d := &Document{Version: raw.Version}
	for _, s := range stmts {
		st, err := parseStatement(s)
		if err != nil {
			return nil, err
		}
		d.Statements = append(d.Statements, st)
	}
	return d, nil
}

// ParseTrust parses a role trust policy (AssumeRolePolicyDocument) and
// applies IAM's extra rules for it: every statement names a principal and
// none names a resource.
func ParseTrust(doc []byte) (*Document, error) {
	d, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	for _, s := range d.Statements {
		if s.Resource != nil || s.NotResource != nil {
			return nil, malformed("Has prohibited field Resource")
		}
		if s.Principal == nil && s.NotPrincipal == nil {
			return nil, malformed("Missing required field Principal")
		}
	}
	return d, nil
}

func parseStatement(b []byte) (Statement, error) {
	var raw struct {
		Sid          string                                `json:"Sid"`
		Effect       string                                `json:"Effect"`
		Principal    json.RawMessage                       `json:"Principal"`
		NotPrincipal json.RawMessage                       `json:"NotPrincipal"`
		Action       json.RawMessage                       `json:"Action"`
		NotAction    json.RawMessage                       `json:"NotAction"`
		Resource     json.RawMessage                       `json:"Resource"`
		NotResource  json.RawMessage                       `json:"NotResource"`
		Condition    map[string]map[string]json.RawMessage `json:"Condition"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Statement{}, malformed(msgSyntax)
	}
	st := Statement{Sid: raw.Sid, Effect: raw.Effect}
	if st.Effect != "Allow" && st.Effect != "Deny" {
		return Statement{}, malformed(msgSyntax)
	}
	var err error
	if st.Principal, err = principals(raw.Principal); err != nil {
		return Statement{}, err
	}
	if st.NotPrincipal, err = principals(raw.NotPrincipal); err != nil {
		return Statement{}, err
	}
	if st.Principal != nil && st.NotPrincipal != nil {
		return Statement{}, malformed(msgSyntax)
	}
	for _, f := range []struct {
		raw json.RawMessage
		dst *[]string
	}{{raw.Action, &st.Action}, {raw.NotAction, &st.NotAction}, {raw.Resource, &st.Resource}, {raw.NotResource, &st.NotResource}} {
		if *f.dst, err = stringList(f.raw); err != nil {
			return Statement{}, err
		}
	}
	if (st.Action == nil) == (st.NotAction == nil) {
		return Statement{}, malformed(msgSyntax)
	}
	for opName, keys := range raw.Condition {
		for key, vals := range keys {
			c, err := newCondition(opName, key, vals)
			if err != nil {
				return Statement{}, err
			}
			st.Conditions = append(st.Conditions, c)
		}
	}
	return st, nil
}

// principals reads "*" or {"Federated": "x" | ["x", ...], ...}.
func principals(b json.RawMessage) (map[string][]string, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var star string
	if json.Unmarshal(b, &star) == nil {
		if star != "*" {
			return nil, malformed("Invalid principal in policy: %q", star)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 {
		return nil, malformed(msgSyntax)
	}
	out := make(map[string][]string, len(m))
	for typ, v := range m {
		vals, err := stringList(v)
		if err != nil || len(vals) == 0 {
			return nil, malformed(msgSyntax)
		}
		out[typ] = vals
	}
	return out, nil
}

// stringList reads a string or a list of strings; nil when absent.
func stringList(b json.RawMessage) ([]string, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(b, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, malformed(msgSyntax)
	}
	if list == nil {
		list = []string{}
	}
	return list, nil
}

// scalarList reads condition values: strings, numbers and booleans, alone or
// in a list, all compared as their text.
func scalarList(b json.RawMessage) ([]string, error) {
	var any1 any
	if err := json.Unmarshal(b, &any1); err != nil {
		return nil, malformed(msgSyntax)
	}
	items, ok := any1.([]any)
	if !ok {
		items = []any{any1}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch v := it.(type) {
		case string:
			out = append(out, v)
		case bool:
			out = append(out, strconv.FormatBool(v))
		case float64:
			out = append(out, strconv.FormatFloat(v, 'f', -1, 64))
		default:
			return nil, malformed(msgSyntax)
		}
	}
	return out, nil
}
