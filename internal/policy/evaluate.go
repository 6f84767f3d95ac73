package policy

import (
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/trace"
)

// Request is what a trust policy is evaluated against.
type Request struct {
	// PrincipalType is the principal block to match ("Federated").
	PrincipalType string
	// Principals are the names the caller is known by in that block (for an
	// idpool token: cognito-identity.amazonaws.com, the issuer host, ...).
	Principals []string
	// Action is the action asked for, e.g. sts:AssumeRoleWithWebIdentity.
	Action string
	// Context maps condition keys to their values. Keys are matched without
	// regard to case, as IAM does.
	Context map[string][]string
	// RequireKeys, when set, makes an Allow statement count only if it has
	// a restricting condition (see Condition.Restricts) on one of these
	// keys: STS requires cognito-identity.amazonaws.com:aud of a trust
	// policy that lets an identity pool of another account in.
	RequireKeys []string
	// Trace, when set, records each statement and condition with the
	// values compared.
	Trace *trace.Recorder
}

// Decision is the outcome of an evaluation.
type Decision int

// Decisions, in IAM's order of precedence.
const (
	// ImplicitDeny: no statement allowed the request.
	ImplicitDeny Decision = iota
	// Allow: a statement allowed it and none denied it.
	Allow
	// ExplicitDeny: a Deny statement matched; it wins over every Allow.
	ExplicitDeny
)

// String names the decision, for logs.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Evaluate runs every statement of d against r.
func (d *Document) Evaluate(r Request) Decision {
	ctx := make(map[string][]string, len(r.Context))
	for k, v := range r.Context {
		ctx[strings.ToLower(k)] = v
	}
	out := ImplicitDeny
	for i := range d.Statements {
		s := &d.Statements[i]
		applies := s.applies(r, ctx)
		if r.Trace.On() {
			s.trace(r, ctx, i, applies)
		}
		if !applies {
			continue
		}
		if s.Effect == "Deny" {
			r.Trace.Step(trace.PhaseTrust, "decision", trace.Fail, "A Deny statement matches: explicit deny.", "action", r.Action)
			return ExplicitDeny
		}
		if len(r.RequireKeys) > 0 && !s.restricts(r.RequireKeys...) {
			if r.Trace.On() {
				r.Trace.Step(trace.PhaseTrust, "crossAccount", trace.Fail, "The pool is of another account than the role, and the statement has no restricting condition on aud.",
					"statement", statementName(s, i), "requiredKeys", strings.Join(r.RequireKeys, ","))
			}
			continue
		}
		out = Allow
	}
	if r.Trace.On() {
		if out == Allow {
			r.Trace.Step(trace.PhaseTrust, "decision", trace.Pass, "The trust policy allows "+r.Action+".", "action", r.Action)
		} else {
			r.Trace.Step(trace.PhaseTrust, "decision", trace.Fail, "No statement of the trust policy allows "+r.Action+" (implicit deny).", "action", r.Action)
		}
	}
	return out
}

// trace records how statement i of a trust policy met r: whether it names
// the principal and action, then each condition with the values compared.
func (s *Statement) trace(r Request, ctx map[string][]string, i int, applies bool) {
	name := statementName(s, i)
	if !s.names(r) {
		r.Trace.Step(trace.PhaseTrust, "statement", trace.Info, "Statement "+name+" ("+s.Effect+") does not name this principal and action.",
			"statement", name, "effect", s.Effect, "principals", strings.Join(r.Principals, ","), "action", r.Action)
		return
	}
	for j := range s.Conditions {
		c := &s.Conditions[j]
		vals, present := ctx[strings.ToLower(c.Key)]
		ok := c.eval(vals, present)
		res := trace.Pass
		seen := strings.Join(vals, ",")
		if !present {
			seen = "(absent)"
		}
		detail := "Condition " + c.Operator + " on " + c.Key + " holds: '" + seen + "' against '" + strings.Join(c.Values, ",") + "'."
		if !ok {
			res = trace.Fail
			if s.Effect == "Deny" {
				res = trace.Info
			}
			detail = "Condition " + c.Operator + " on " + c.Key + " is not met: the request has '" + seen + "', the policy wants '" + strings.Join(c.Values, ",") + "'."
		}
		r.Trace.Step(trace.PhaseTrust, "condition", res, detail, "statement", name, "effect", s.Effect, "operator", c.Operator,
			"key", c.Key, "policyValues", strings.Join(c.Values, ","), "requestValues", seen)
		if !ok {
			break // applies stops at the first condition not met
		}
	}
	if applies {
		r.Trace.Step(trace.PhaseTrust, "statement", trace.Info, "Statement "+name+" ("+s.Effect+") applies to "+r.Action+".",
			"statement", name, "effect", s.Effect, "action", r.Action)
	}
}

// statementName is a statement's Sid, else its position from 1.
func statementName(s *Statement, i int) string {
	if s.Sid != "" {
		return s.Sid
	}
	return "#" + strconv.Itoa(i+1)
}

// Allows reports whether d allows every one of actions for r (the other
// fields of r unchanged): AssumeRoleWithWebIdentity with session tags needs
// sts:TagSession as well.
func (d *Document) Allows(r Request, actions ...string) bool {
	for _, a := range actions {
		r.Action = a
		if d.Evaluate(r) != Allow {
			return false
		}
	}
	return len(actions) > 0
}

// Unrestricted reports whether an Allow statement of d names one of
// principals (of principalType, by name or by a wildcard) and action, and
// has no restricting condition on any of keys: a statement that lets in
// every holder of such tokens whatever their value of the keys. IAM refuses
// such a trust policy for cognito-identity.amazonaws.com without an aud
// condition.
func (d *Document) Unrestricted(principalType string, principals []string, action string, keys ...string) bool {
	r := Request{PrincipalType: principalType, Principals: principals, Action: action}
	for i := range d.Statements {
		s := &d.Statements[i]
		if s.Effect == "Allow" && s.names(r) && !s.restricts(keys...) {
			return true
		}
	}
	return false
}

// restricts reports whether s has a restricting condition on one of keys.
func (s *Statement) restricts(keys ...string) bool {
	for i := range s.Conditions {
		c := &s.Conditions[i]
		for _, k := range keys {
			if strings.EqualFold(c.Key, k) && c.Restricts() {
				return true
			}
		}
	}
	return false
}

// names reports whether s's principal and action blocks cover r.
func (s *Statement) names(r Request) bool {
	if s.Principal != nil && !principalMatches(s.Principal, r) {
		return false
	}
	if s.NotPrincipal != nil && principalMatches(s.NotPrincipal, r) {
		return false
	}
	if s.Action != nil && !actionMatches(s.Action, r.Action) {
		return false
	}
	if s.NotAction != nil && actionMatches(s.NotAction, r.Action) {
		return false
	}
	return true
}

func (s *Statement) applies(r Request, ctx map[string][]string) bool {
	if !s.names(r) {
		return false
	}
	for i := range s.Conditions {
		c := &s.Conditions[i]
		vals, present := ctx[strings.ToLower(c.Key)]
		if !c.eval(vals, present) {
			return false
		}
	}
	return true
}

func principalMatches(p map[string][]string, r Request) bool {
	if _, ok := p["*"]; ok {
		return true
	}
	for _, v := range p[r.PrincipalType] {
		if v == "*" {
			return true
		}
		for _, name := range r.Principals {
			if v == name {
				return true
			}
		}
	}
	return false
}

// actionMatches compares actions as IAM does: case-insensitive, with wildcards.
func actionMatches(patterns []string, action string) bool {
	a := strings.ToLower(action)
	for _, p := range patterns {
		if wildcardMatch(a, strings.ToLower(p)) {
			return true
		}
	}
	return false
}
