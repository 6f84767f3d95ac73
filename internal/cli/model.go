package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/idpool/idpool/internal/apimodel"
)

// shape is one botocore shape, with structure members kept in model order
// because botocore (and so the aws CLI) prints responses in that order.
type shape struct {
	Name     string
	Type     string
	Members  []member
	Required []string
	Member   *shape // list element
	Key      *shape // map key
	Value    *shape // map value
	Min, Max *float64
	Enum     []string
	Pattern  string
	Doc      string
	refs     rawShape
}

// member is a structure member: its name, its shape and its documentation.
type member struct {
	Name  string
	Shape *shape
	Doc   string
}

// operation is one API operation of the model.
type operation struct {
	Name   string
	CLI    string // kebab-case subcommand name
	Input  *shape
	Output *shape
	Doc    string
	Paging *paging
}

// paging is a botocore paginator configuration.
type paging struct {
	InputToken  string `json:"input_token"`
	OutputToken string `json:"output_token"`
	LimitKey    string `json:"limit_key"`
	ResultKey   string `json:"result_key"`
}

// model is the parsed cognito-identity service model.
type model struct {
	Doc        string
	Operations []*operation // sorted by CLI name
	byCLI      map[string]*operation
}

type rawRef struct {
	Shape         string `json:"shape"`
	Documentation string `json:"documentation"`
}

type rawShape struct {
	Type          string          `json:"type"`
	Members       json.RawMessage `json:"members"`
	Required      []string        `json:"required"`
	Member        *rawRef         `json:"member"`
	Key           *rawRef         `json:"key"`
	Value         *rawRef         `json:"value"`
	Min           *float64        `json:"min"`
	Max           *float64        `json:"max"`
	Enum          []string        `json:"enum"`
	Pattern       string          `json:"pattern"`
	Documentation string          `json:"documentation"`
}

type rawModel struct {
	Documentation string `json:"documentation"`
	Operations    map[string]struct {
		Name          string  `json:"name"`
		Input         *rawRef `json:"input"`
		Output        *rawRef `json:"output"`
		Documentation string  `json:"documentation"`
	} `json:"operations"`
	Shapes map[string]rawShape `json:"shapes"`
}

// extraPaging paginates the other list operations the way botocore
// paginates ListIdentityPools; AWS publishes no paginator for them, but
// they page with the same NextToken/MaxResults pair.
var extraPaging = map[string]paging{
	"ListIdentities":          {InputToken: "NextToken", OutputToken: "NextToken", LimitKey: "MaxResults", ResultKey: "Identities"},
	"LookupDeveloperIdentity": {InputToken: "NextToken", OutputToken: "NextToken", LimitKey: "MaxResults", ResultKey: "DeveloperUserIdentifierList"},
}

// loadModel parses the embedded botocore model and paginators.
func loadModel() (*model, error) {
	var rm rawModel
	if err := json.Unmarshal(apimodel.CognitoIdentity, &rm); err != nil {
		return nil, fmt.Errorf("cognito-identity model: %w", err)
	}
	var pg struct {
		Pagination map[string]paging `json:"pagination"`
	}
	if err := json.Unmarshal(apimodel.CognitoIdentityPaginators, &pg); err != nil {
		return nil, fmt.Errorf("cognito-identity paginators: %w", err)
	}
	shapes := map[string]*shape{}
	for name, rs := range rm.Shapes {
		shapes[name] = &shape{Name: name, Type: rs.Type, Required: rs.Required, Min: rs.Min, Max: rs.Max,
			Enum: rs.Enum, Pattern: rs.Pattern, Doc: rs.Documentation, refs: rs}
	}
	resolve := func(r *rawRef) (*shape, error) {
		if r == nil {
			return nil, nil
		}
		s, ok := shapes[r.Shape]
		if !ok {
			return nil, fmt.Errorf("unknown shape %q", r.Shape)
		}
		return s, nil
	}
	for _, s := range shapes {
		var err error
		if s.Member, err = resolve(s.refs.Member); err != nil {
			return nil, err
		}
		if s.Key, err = resolve(s.refs.Key); err != nil {
			return nil, err
		}
		if s.Value, err = resolve(s.refs.Value); err != nil {
			return nil, err
		}
		if len(s.refs.Members) == 0 {
			continue
		}
		names, refs, err := orderedRefs(s.refs.Members)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", s.Name, err)
		}
		for i, n := range names {
			ms, err := resolve(&refs[i])
			if err != nil {
				return nil, err
			}
			s.Members = append(s.Members, member{Name: n, Shape: ms, Doc: refs[i].Documentation})
		}
	}
	m := &model{Doc: rm.Documentation, byCLI: map[string]*operation{}}
	for name, ro := range rm.Operations {
		op := &operation{Name: name, CLI: xformName(name), Doc: ro.Documentation}
		var err error
		if op.Input, err = resolve(ro.Input); err != nil {
			return nil, err
		}
		if op.Output, err = resolve(ro.Output); err != nil {
			return nil, err
		}
		if p, ok := pg.Pagination[name]; ok {
			op.Paging = &p
		} else if p, ok := extraPaging[name]; ok {
			op.Paging = &p
		}
		m.Operations = append(m.Operations, op)
		m.byCLI[op.CLI] = op
	}
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].CLI < m.Operations[j].CLI })
	return m, nil
}

// orderedRefs decodes a JSON object of member references keeping key order.
func orderedRefs(raw json.RawMessage) ([]string, []rawRef, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var names []string
	var refs []rawRef
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var r rawRef
		if err := dec.Decode(&r); err != nil {
			return nil, nil, err
		}
		names = append(names, t.(string))
		refs = append(refs, r)
	}
	return names, refs, nil
}

// member returns the structure member called name, or nil.
func (s *shape) member(name string) *member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// isRequired reports whether name is a required member of s.
func (s *shape) isRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// scalar reports whether s is not a structure, list or map.
func (s *shape) scalar() bool {
	return s.Type != "structure" && s.Type != "list" && s.Type != "map"
}
