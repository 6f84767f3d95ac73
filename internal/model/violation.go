package model

import (
	"slices"
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
)

// maxShown is how many violations one message lists; Coral stops at ten
// (dynalite, which mirrors DynamoDB's Coral front end, caps its list at 10).
const maxShown = 10

// maxFound bounds the violations kept while walking one body, so a huge
// hostile body cannot make the validator hoard memory.
const maxFound = 1000

// seg is one step of the path to a value: a structure member, a list entry
// (index, 1-based as Coral prints it) or a map entry (its raw key token).
type seg struct {
	ord              int32 // sort position among siblings
	name             string
	index            int
	keyStart, keyEnd int
}

// violation is one failed constraint, with its position in model order.
type violation struct {
	order []int32
	text  string
}

// shown is how a violation prints its value: null, hidden (a sensitive
// member: Coral prints "Value at 'x'", as Cognito user pools do for
// passwords), or text.
type shown struct {
	null, hidden bool
	text         string
}

// present prints a scalar that failed: a string as-is, a number as Java
// would (raw is the JSON token).
func present(val []byte, n int64, s *shape, raw []byte) shown {
	switch {
	case s.sensitive:
		return shown{hidden: true}
	case s.kind == kindString:
		return shown{text: apierr.Echo(string(val))}
	case s.kind == kindInteger || s.kind == kindLong:
		return shown{text: strconv.FormatInt(n, 10)}
	}
	return shown{text: apierr.Echo(string(raw))}
}

// shown prints the container of shape s that starts at start and ends at
// v.pos.
func (v *validator) shown(s *shape, start int) shown {
	if s.sensitive {
		return shown{hidden: true}
	}
	return shown{text: apierr.Echo(render(s, v.data[start:v.pos]))}
}

// add records a violation of the value at the current path; ord orders it
// among that value's own violations, before any of its children's.
func (v *validator) add(ord int32, val shown, text string) {
	if len(v.found) >= maxFound {
		return
	}
	order := make([]int32, 0, len(v.path)+2)
	for _, s := range v.path {
		order = append(order, s.ord)
	}
	order = append(order, 0, ord)
	var b strings.Builder
	b.WriteString("Value")
	switch {
	case val.null:
		b.WriteString(" null")
	case !val.hidden:
		b.WriteString(" '")
		b.WriteString(val.text)
		b.WriteString("'")
	}
	b.WriteString(" at '")
	v.writePath(&b)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(text)
	v.found = append(v.found, violation{order: order, text: b.String()})
}

// writePath prints the current path as Coral does:
// roleMappings.<key>.member.rulesConfiguration.rules.1.member.claim.
func (v *validator) writePath(b *strings.Builder) {
	for i, s := range v.path {
		if i > 0 {
			b.WriteByte('.')
		}
		switch {
		case s.name != "":
			b.WriteString(s.name)
		case s.index > 0:
			b.WriteString(strconv.Itoa(s.index))
			b.WriteString(".member")
		default:
			r := reader{data: v.data, pos: s.keyStart}
			key, _ := r.str()
			b.WriteString(apierr.Echo(string(key)))
			b.WriteString(".member")
		}
	}
}

// purge forgets the violations under the current path (a member that is
// given again replaces its earlier value).
func (v *validator) purge() {
	prefix := make([]int32, len(v.path))
	for i, s := range v.path {
		prefix[i] = s.ord
	}
	v.found = slices.DeleteFunc(v.found, func(f violation) bool {
		return len(f.order) >= len(prefix) && slices.Equal(f.order[:len(prefix)], prefix)
	})
}

// validationError builds AWS's ValidationException text from the
// violations, in model order: "N validation error(s) detected: a; b".
func (v *validator) validationError() *apierr.Error {
	slices.SortStableFunc(v.found, func(a, b violation) int { return slices.Compare(a.order, b.order) })
	n := min(len(v.found), maxShown)
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	if n == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, f := range v.found[:n] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.text)
	}
	return &apierr.Error{Code: apierr.Validation, Message: b.String()}
}
