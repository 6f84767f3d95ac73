package model

import (
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/apimodel"
)

// Model validates request bodies for the operations of one botocore model.
// It is safe for concurrent use.
type Model struct {
	inputs map[string]*shape
	names  []string
	pool   sync.Pool // *validator, reused across requests
}

// Load compiles every input shape of the embedded Cognito Identity model
// (regular expressions are compiled once). Call it once at start-up.
func Load() (*Model, error) {
	svc, err := apimodel.CognitoIdentityService()
	if err != nil {
		return nil, err
	}
	return load(svc)
}

// load compiles the operations' inputs of a parsed botocore model.
func load(svc *apimodel.Service) (*Model, error) {
	c := compiler{raw: svc.Shapes, done: map[string]*shape{}}
	m := &Model{inputs: map[string]*shape{}}
	for name, op := range svc.Operations {
		in := &shape{name: name + "Input", kind: kindStructure}
		if op.Input != "" {
			var err error
			if in, err = c.shape(op.Input); err != nil {
				return nil, err
			}
		}
		if in.kind != kindStructure {
			return nil, fmt.Errorf("model: input of %s is a %v, not a structure", name, in.kind)
		}
		m.inputs[name] = in
		m.names = append(m.names, name)
	}
	if len(m.names) == 0 {
		return nil, fmt.Errorf("model: no operations")
	}
	slices.Sort(m.names)
	m.pool.New = func() any { return new(validator) }
	return m, nil
}

// Operations lists the model's operation names, sorted.
func (m *Model) Operations() []string { return slices.Clone(m.names) }

// Has reports whether op is an operation of the model.
func (m *Model) Has(op string) bool {
	_, ok := m.inputs[op]
	return ok
}

// Validate checks a JSON 1.1 request body for op (an empty body is {}) and
// returns nil or the error AWS would send:
//   - SerializationException for a body that is not JSON or not valid
//     UTF-8, is not an object, nests too deeply, or holds a member of the
//     wrong JSON type (with Coral's texts, e.g. "Expected list or null");
//   - ValidationException listing the violated constraints (required,
//     length, range, pattern, enum, list and map entries) in model order,
//     e.g. "1 validation error detected: Value 'x' at 'identityPoolId'
//     failed to satisfy constraint: Member must satisfy regular expression
//     pattern: [\w-]+:[0-9a-f-]+";
//   - UnknownOperationException if op is not in the model.
//
// Unknown members are ignored and null members count as absent, as in AWS.
// Integers that pass fit their Java types (and so Go's int32 and int64).
func (m *Model) Validate(op string, body []byte) *apierr.Error {
	in, ok := m.inputs[op]
	if !ok {
		return apierr.New(apierr.UnknownOperation, "")
	}
	if !utf8.Valid(body) {
		return malformed()
	}
	v := m.pool.Get().(*validator)
	v.reset(body)
	err := v.top(in)
	if err == nil && len(v.found) > 0 {
		err = v.validationError()
	}
	v.reset(nil)
	if cap(v.buf) > 64<<10 {
		v.buf = nil // don't keep one huge string's buffer alive
	}
	m.pool.Put(v)
	return err
}
