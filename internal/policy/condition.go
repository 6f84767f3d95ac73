package policy

import (
	"encoding/json"
	"strings"
)

// operator compares one request value with one policy value.
type operator struct {
	match func(reqVal, polVal string) bool
	// negated operators (StringNotEquals, StringNotLike) are true when no
	// policy value matches, and true when the key is absent.
	negated bool
	// null is the Null operator, which tests presence, not values.
	null bool
}

type setQualifier int

const (
	setNone setQualifier = iota
	setAnyValue
	setAllValues
)

// operators are the condition operators idpool evaluates. Arn* compare like
// their String* twins (ARNs in trust-policy conditions are plain strings).
// Numeric, Date and IP operators are accepted in documents but never
// satisfied: idpool puts no such keys in a web-identity request context, so
// AWS would not match them either.
func lookupOperator(name string) (operator, bool) {
	eq := func(r, p string) bool { return r == p }
	fold := strings.EqualFold
	never := func(string, string) bool { return false }
	switch name {
	case "StringEquals", "ArnEquals":
		return operator{match: eq}, true
	case "StringNotEquals", "ArnNotEquals":
		return operator{match: eq, negated: true}, true
	case "StringEqualsIgnoreCase":
		return operator{match: fold}, true
	case "StringNotEqualsIgnoreCase":
		return operator{match: fold, negated: true}, true
	case "StringLike", "ArnLike":
		return operator{match: wildcardMatch}, true
	case "StringNotLike", "ArnNotLike":
		return operator{match: wildcardMatch, negated: true}, true
	case "Bool":
		return operator{match: fold}, true
	case "Null":
		return operator{null: true}, true
	case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
		"NumericGreaterThanEquals", "DateEquals", "DateLessThan", "DateLessThanEquals",
		"DateGreaterThan", "DateGreaterThanEquals", "IpAddress", "BinaryEquals":
		return operator{match: never}, true
	case "NumericNotEquals", "DateNotEquals", "NotIpAddress":
		return operator{match: never, negated: true}, true
	}
	return operator{}, false
}

func newCondition(opName, key string, vals json.RawMessage) (Condition, error) {
	c := Condition{Operator: opName, Key: key}
	name := opName
	switch {
	case strings.HasPrefix(name, "ForAnyValue:"):
		c.set, name = setAnyValue, strings.TrimPrefix(name, "ForAnyValue:")
	case strings.HasPrefix(name, "ForAllValues:"):
		c.set, name = setAllValues, strings.TrimPrefix(name, "ForAllValues:")
	}
	if n, ok := strings.CutSuffix(name, "IfExists"); ok && name != "Null" {
		c.ifExists, name = true, n
	}
	op, ok := lookupOperator(name)
	if !ok {
		return Condition{}, malformed("Invalid Condition type : %s", opName)
	}
	c.op = op
	v, err := scalarList(vals)
	if err != nil {
		return Condition{}, err
	}
	c.Values = v
	return c, nil
}

// Restricts reports whether the condition narrows its key to the values
// it lists: a positive operator (not a negated one, not Null, not one idpool
// never satisfies) with at least one value that is not only wildcards. A
// StringNotEquals, a Null or a StringLike "*" on aud lets every pool in.
// [inf] AWS's exact test of "has an aud condition" is not documented; this
// is the reading that closes the hole the rule is there for.
func (c *Condition) Restricts() bool {
	if c.op.null || c.op.negated || c.op.match == nil {
		return false
	}
	probe := "idpool-probe" // never-satisfied operators refuse every value
	if !c.op.match(probe, probe) {
		return false
	}
	for _, v := range c.Values {
		if strings.Trim(v, "*") != "" {
			return true
		}
	}
	return false
}

// eval reports whether the condition holds for the request values of its key
// (present tells a missing key from one with no values).
func (c *Condition) eval(reqVals []string, present bool) bool {
	if c.op.null {
		// "Null": "true" means the key must be absent, "false" present.
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") == !present {
				return true
			}
		}
		return false
	}
	// one reports whether a single request value satisfies the operator.
	one := func(rv string) bool {
		for _, pv := range c.Values {
			if c.op.match(rv, pv) {
				return !c.op.negated
			}
		}
		return c.op.negated
	}
	switch c.set {
	case setAnyValue:
		for _, rv := range reqVals {
			if one(rv) {
				return true
			}
		}
		return false
	case setAllValues:
		for _, rv := range reqVals {
			if !one(rv) {
				return false
			}
		}
		return true
	}
	if !present {
		return c.ifExists || c.op.negated
	}
	// A plain operator on a multi-valued key: positive operators match when
	// any value matches; negated ones when no value matches the positive form.
	if c.op.negated {
		for _, rv := range reqVals {
			if !one(rv) {
				return false
			}
		}
		return true
	}
	for _, rv := range reqVals {
		if one(rv) {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against pattern with IAM's wildcards: * (any run,
// possibly empty) and ? (exactly one character). Case-sensitive.
func wildcardMatch(s, pattern string) bool {
	// Iterative glob matching with backtracking to the last star: linear in
	// practice and never exponential on hostile patterns.
	sr, pr := []rune(s), []rune(pattern)
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(sr) {
		switch {
		case pi < len(pr) && (pr[pi] == '?' || pr[pi] == sr[si]):
			si++
			pi++
		case pi < len(pr) && pr[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pr) && pr[pi] == '*' {
		pi++
	}
	return pi == len(pr)
}
