package apimodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Service is a parsed botocore service model: the one reading of the JSON
// that validation, the operation tables, the CLI, rate limits and fault
// rules share. It is read-only after Load.
type Service struct {
	Documentation string
	Operations    map[string]*Operation
	Shapes        map[string]*Shape
}

// Operation is one operation of the model.
type Operation struct {
	Name          string
	Input, Output string   // shape names; empty when the model has none
	Errors        []string // error shape names, sorted
	Documentation string
	// Unsigned is botocore's authtype "none": AWS serves it without SigV4.
	Unsigned bool
	// Paginator is botocore's paginator for the operation, if any.
	Paginator *Paginator
}

// Paginator is a botocore paginators-1.json entry.
type Paginator struct {
	InputToken  string `json:"input_token"`
	OutputToken string `json:"output_token"`
	LimitKey    string `json:"limit_key"`
	ResultKey   string `json:"result_key"`
}

// Shape is one botocore shape. Structure members keep model order, which
// Go maps would lose: validation messages and the aws CLI's output follow it.
type Shape struct {
	Name               string
	Type               string
	Members            []Member // structures, in model order
	Required           []string
	Member, Key, Value string // list element, map key and value shape names
	// Min and Max are kept as written (json.Number) so callers choose
	// their own numeric type without a float round trip.
	Min, Max      *json.Number
	Pattern       *string
	Enum          []string
	Sensitive     bool
	Documentation string
}

// Member is a structure member.
type Member struct {
	Name, Shape, Documentation string
}

// OperationNames returns the operation names, sorted.
func (s *Service) OperationNames() []string { return slices.Sorted(maps.Keys(s.Operations)) }

// CognitoIdentityService returns the embedded Cognito Identity model with
// its paginators, parsed once.
var CognitoIdentityService = sync.OnceValues(func() (*Service, error) {
	return Load(CognitoIdentity, CognitoIdentityPaginators)
})

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
	Min           *json.Number    `json:"min"`
	Max           *json.Number    `json:"max"`
	Pattern       *string         `json:"pattern"`
	Enum          []string        `json:"enum"`
	Sensitive     bool            `json:"sensitive"`
	Documentation string          `json:"documentation"`
}

// Load parses a botocore service-2.json and, when given, its
// paginators-1.json. Every shape reference must resolve.
func Load(service, paginators []byte) (*Service, error) {
	var raw struct {
		Documentation string `json:"documentation"`
		Operations    map[string]struct {
			Input         *rawRef  `json:"input"`
			Output        *rawRef  `json:"output"`
			Errors        []rawRef `json:"errors"`
			Documentation string   `json:"documentation"`
			AuthType      string   `json:"authtype"`
		} `json:"operations"`
		Shapes map[string]rawShape `json:"shapes"`
	}
	dec := json.NewDecoder(bytes.NewReader(service))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("apimodel: %w", err)
	}
	var pg struct {
		Pagination map[string]Paginator `json:"pagination"`
	}
	if len(paginators) > 0 {
		if err := json.Unmarshal(paginators, &pg); err != nil {
			return nil, fmt.Errorf("apimodel: paginators: %w", err)
		}
	}
	s := &Service{Documentation: raw.Documentation, Operations: map[string]*Operation{}, Shapes: map[string]*Shape{}}
	for name, r := range raw.Shapes {
		sh := &Shape{Name: name, Type: r.Type, Required: r.Required, Min: r.Min, Max: r.Max,
			Pattern: r.Pattern, Enum: r.Enum, Sensitive: r.Sensitive, Documentation: r.Documentation,
			Member: refName(r.Member), Key: refName(r.Key), Value: refName(r.Value)}
		members, err := orderedMembers(r.Members)
		if err != nil {
			return nil, fmt.Errorf("apimodel: shape %s: %w", name, err)
		}
		sh.Members = members
		s.Shapes[name] = sh
	}
	for _, sh := range s.Shapes {
		refs := []string{sh.Member, sh.Key, sh.Value}
		for _, m := range sh.Members {
			refs = append(refs, m.Shape)
		}
		if err := s.resolves(refs...); err != nil {
			return nil, fmt.Errorf("apimodel: shape %s: %w", sh.Name, err)
		}
	}
	for name, r := range raw.Operations {
		op := &Operation{Name: name, Input: refName(r.Input), Output: refName(r.Output),
			Documentation: r.Documentation, Unsigned: r.AuthType == "none"}
		for _, e := range r.Errors {
			op.Errors = append(op.Errors, e.Shape)
		}
		slices.Sort(op.Errors)
		if p, ok := pg.Pagination[name]; ok {
			op.Paginator = &p
		}
		if err := s.resolves(append([]string{op.Input, op.Output}, op.Errors...)...); err != nil {
			return nil, fmt.Errorf("apimodel: operation %s: %w", name, err)
		}
		s.Operations[name] = op
	}
	if len(s.Operations) == 0 {
		return nil, fmt.Errorf("apimodel: no operations")
	}
	return s, nil
}

func (s *Service) resolves(names ...string) error {
	for _, n := range names {
		if _, ok := s.Shapes[n]; n != "" && !ok {
			return fmt.Errorf("shape %q is not defined", n)
		}
	}
	return nil
}

func refName(r *rawRef) string {
	if r == nil {
		return ""
	}
	return r.Shape
}

// orderedMembers decodes a structure's members object keeping key order.
func orderedMembers(raw json.RawMessage) ([]Member, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []Member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var r rawRef
		if err := dec.Decode(&r); err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		out = append(out, Member{Name: name, Shape: r.Shape, Documentation: r.Documentation})
	}
	return out, nil
}
