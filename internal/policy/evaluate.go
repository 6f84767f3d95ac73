package policy

import "strings"

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
		if !s.applies(r, ctx) {
			continue
		}
		if s.Effect == "Deny" {
			return ExplicitDeny
		}
		if len(r.RequireKeys) > 0 && !s.restricts(r.RequireKeys...) {
			continue
		}
		out = Allow
	}
	return out
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
