package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/idpool/idpool/internal/apimodel"
)

// kind is the wire type of a shape.
type kind uint8

const (
	kindString kind = iota
	kindInteger
	kindLong
	kindFloat
	kindBoolean
	kindTimestamp
	kindList
	kindMap
	kindStructure
)

// check is one constraint of a scalar, list or map shape, in the order
// Coral lists them: length (or value) maximum, minimum, pattern, enum.
type check uint8

const (
	checkMax check = iota
	checkMin
	checkPattern
	checkEnum
)

// shape is a compiled botocore shape.
type shape struct {
	name      string
	kind      kind
	sensitive bool

	// min and max bound a string's length in code points, a list's or map's
	// entry count, or a number's value.
	min, max       int64
	hasMin, hasMax bool
	pattern        matcher
	enum           []string

	// checks and texts are parallel: the constraints this shape has and
	// their Coral wording ("Member must have length ...").
	checks []check
	texts  []string

	elem       *shape // list member
	key, value *shape // map key and value
	members    []member
}

// member is a structure member.
type member struct {
	name     string // wire name, e.g. IdentityPoolId
	path     string // name in messages, e.g. identityPoolId
	shape    *shape
	required bool
}

// maxMembers bounds a structure's members so "seen" fits a uint64 bitmask.
const maxMembers = 64

// scalar reports whether the shape holds a single JSON value (not a
// container), i.e. whether list and map entries of it are checked as a whole.
func (s *shape) scalar() bool { return s.kind < kindList }

// lookup returns the index of the member whose wire name is name, or -1.
func (s *shape) lookup(name []byte) int {
	for i := range s.members {
		if string(name) == s.members[i].name {
			return i
		}
	}
	return -1
}

// compiler turns raw shapes into shapes, each once (shapes may be shared and,
// in principle, recursive).
type compiler struct {
	raw  map[string]*apimodel.Shape
	done map[string]*shape
}

func (c *compiler) shape(name string) (*shape, error) {
	if s, ok := c.done[name]; ok {
		return s, nil
	}
	r, ok := c.raw[name]
	if !ok {
		return nil, fmt.Errorf("model: shape %q is not defined", name)
	}
	s := &shape{name: name, sensitive: r.Sensitive}
	c.done[name] = s
	if err := c.fill(s, r); err != nil {
		return nil, fmt.Errorf("model: shape %s: %w", name, err)
	}
	return s, nil
}

func (c *compiler) fill(s *shape, r *apimodel.Shape) error {
	kinds := map[string]kind{
		"string": kindString, "integer": kindInteger, "long": kindLong,
		"float": kindFloat, "double": kindFloat, "boolean": kindBoolean,
		"timestamp": kindTimestamp, "list": kindList, "map": kindMap,
		"structure": kindStructure,
	}
	k, ok := kinds[r.Type]
	if !ok {
		return fmt.Errorf("unsupported type %q", r.Type)
	}
	s.kind = k
	var err error
	switch k {
	case kindList:
		if r.Member == "" {
			return fmt.Errorf("list without member")
		}
		s.elem, err = c.shape(r.Member)
	case kindMap:
		if r.Key == "" || r.Value == "" {
			return fmt.Errorf("map without key or value")
		}
		if s.key, err = c.shape(r.Key); err == nil {
			s.value, err = c.shape(r.Value)
		}
	case kindStructure:
		err = c.members(s, r)
	}
	if err != nil {
		return err
	}
	return s.constraints(r)
}

// members compiles a structure's members in model order.
func (c *compiler) members(s *shape, r *apimodel.Shape) error {
	required := map[string]bool{}
	for _, n := range r.Required {
		required[n] = true
	}
	for _, m := range r.Members {
		ms, err := c.shape(m.Shape)
		if err != nil {
			return err
		}
		s.members = append(s.members, member{
			name: m.Name, path: lowerFirst(m.Name), shape: ms, required: required[m.Name],
		})
		delete(required, m.Name)
	}
	if len(required) > 0 {
		return fmt.Errorf("required members %v are not members", required)
	}
	if len(s.members) > maxMembers {
		return fmt.Errorf("%d members, at most %d supported", len(s.members), maxMembers)
	}
	return nil
}

// constraints records the shape's constraints and their Coral texts.
func (s *shape) constraints(r *apimodel.Shape) error {
	noun := "length"
	if k := s.kind; k == kindInteger || k == kindLong || k == kindFloat {
		noun = "value"
	}
	var err error
	if r.Max != nil {
		if s.max, err = bound(*r.Max); err != nil {
			return err
		}
		s.hasMax = true
		s.add(checkMax, fmt.Sprintf("Member must have %s less than or equal to %d", noun, s.max))
	}
	if r.Min != nil {
		if s.min, err = bound(*r.Min); err != nil {
			return err
		}
		s.hasMin = true
		s.add(checkMin, fmt.Sprintf("Member must have %s greater than or equal to %d", noun, s.min))
	}
	if r.Pattern != nil {
		if s.kind != kindString {
			return fmt.Errorf("pattern on a %v", s.kind)
		}
		if s.pattern, err = compilePattern(*r.Pattern); err != nil {
			return err
		}
		// The message quotes botocore's unanchored text, as AWS does.
		s.add(checkPattern, "Member must satisfy regular expression pattern: "+*r.Pattern)
	}
	if len(r.Enum) > 0 {
		s.enum = r.Enum
		s.add(checkEnum, "Member must satisfy enum value set: "+javaList(r.Enum))
	}
	return nil
}

func (s *shape) add(c check, text string) {
	s.checks = append(s.checks, c)
	s.texts = append(s.texts, text)
}

// bound parses a botocore min or max, which are integers in practice.
func bound(n json.Number) (int64, error) {
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) {
		return 0, fmt.Errorf("bound %s is not an integer", n)
	}
	return int64(f), nil
}

// lowerFirst lower-cases only the first letter: Coral prints member
// OpenIdConnectProviderARNs as openIdConnectProviderARNs (real DynamoDB
// errors show SSESpecification.SSEType as 'sSESpecification.sSEType').
func lowerFirst(name string) string {
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return name
	}
	return string(name[0]+'a'-'A') + name[1:]
}

// javaList prints strings as Java's List.toString does: [a, b].
func javaList(items []string) string {
	b := []byte{'['}
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, it...)
	}
	return string(append(b, ']'))
}

func (k kind) String() string {
	names := [...]string{"string", "integer", "long", "float", "boolean", "timestamp", "list", "map", "structure"}
	if int(k) < len(names) {
		return names[k]
	}
	return "kind" + strconv.Itoa(int(k))
}
