package cli

import (
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
	// Unsigned operations are sent without SigV4 (botocore's authtype none).
	Unsigned bool
}

// paging is a botocore paginator configuration.
type paging = apimodel.Paginator

// model is the parsed cognito-identity service model.
type model struct {
	Doc        string
	Operations []*operation // sorted by CLI name
	byCLI      map[string]*operation
}

// extraPaging paginates the other list operations the way botocore
// paginates ListIdentityPools; AWS publishes no paginator for them, but
// they page with the same NextToken/MaxResults pair.
var extraPaging = map[string]paging{
	"ListIdentities":          {InputToken: "NextToken", OutputToken: "NextToken", LimitKey: "MaxResults", ResultKey: "Identities"},
	"LookupDeveloperIdentity": {InputToken: "NextToken", OutputToken: "NextToken", LimitKey: "MaxResults", ResultKey: "DeveloperUserIdentifierList"},
}

// loadModel builds the CLI's view of the embedded model: shapes linked to
// shapes, operations by subcommand name, with their paginators.
func loadModel() (*model, error) {
	svc, err := apimodel.CognitoIdentityService()
	if err != nil {
		return nil, err
	}
	shapes := map[string]*shape{}
	for name, rs := range svc.Shapes {
		s := &shape{Name: name, Type: rs.Type, Required: rs.Required, Enum: rs.Enum, Doc: rs.Documentation}
		if rs.Pattern != nil {
			s.Pattern = *rs.Pattern
		}
		if s.Min, err = number(rs.Min); err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		if s.Max, err = number(rs.Max); err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		shapes[name] = s
	}
	// apimodel has checked that every reference resolves.
	for name, s := range shapes {
		rs := svc.Shapes[name]
		s.Member, s.Key, s.Value = shapes[rs.Member], shapes[rs.Key], shapes[rs.Value]
		for _, m := range rs.Members {
			s.Members = append(s.Members, member{Name: m.Name, Shape: shapes[m.Shape], Doc: m.Documentation})
		}
	}
	m := &model{Doc: svc.Documentation, byCLI: map[string]*operation{}}
	for name, ro := range svc.Operations {
		op := &operation{Name: name, CLI: xformName(name), Doc: ro.Documentation,
			Input: shapes[ro.Input], Output: shapes[ro.Output], Unsigned: ro.Unsigned}
		if ro.Paginator != nil {
			op.Paging = ro.Paginator
		} else if p, ok := extraPaging[name]; ok {
			op.Paging = &p
		}
		m.Operations = append(m.Operations, op)
		m.byCLI[op.CLI] = op
	}
	sort.Slice(m.Operations, func(i, j int) bool { return m.Operations[i].CLI < m.Operations[j].CLI })
	return m, nil
}

// number reads a model bound; nil when the model gives none.
func number(n *json.Number) (*float64, error) {
	if n == nil {
		return nil, nil
	}
	f, err := n.Float64()
	return &f, err
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
