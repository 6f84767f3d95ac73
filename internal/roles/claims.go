package roles

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/storage"
)

// Rule match types of a Rules role mapping.
const (
	MatchEquals     = "Equals"
	MatchContains   = "Contains"
	MatchStartsWith = "StartsWith"
	MatchNotEqual   = "NotEqual"
)

// claimStrings turns a claim value into strings: arrays give their elements,
// scalars one string. With splitComma a string is a comma-separated list
// (cognito:roles arrives either way).
func claimStrings(v any, splitComma bool) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := scalarString(e); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return append([]string(nil), t...)
	case string:
		if !splitComma {
			return []string{t}
		}
		var out []string
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	if s, ok := scalarString(v); ok {
		return []string{s}
	}
	return nil
}

// scalarString formats a JSON scalar the way it appears in the token text.
func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case json.Number:
		return t.String(), true
	case int:
		return strconv.Itoa(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	}
	return "", false
}

// ruleMatches evaluates one rule against the claims. For an array claim the
// rule matches when any element does (NotEqual: when no element equals the
// value). A missing claim never matches: for NotEqual that is the documented
// "the rule is not evaluated".
func ruleMatches(r storage.MappingRule, claims map[string]any) bool {
	v, ok := claims[r.Claim]
	if !ok || v == nil {
		return false
	}
	vals := claimStrings(v, false)
	if len(vals) == 0 {
		return false
	}
	switch r.MatchType {
	case MatchNotEqual:
		for _, s := range vals {
			if s == r.Value {
				return false
			}
		}
		return true
	case MatchEquals, MatchContains, MatchStartsWith:
		for _, s := range vals {
			if matchOne(r.MatchType, s, r.Value) {
				return true
			}
		}
	}
	return false
}

func matchOne(typ, claim, value string) bool {
	switch typ {
	case MatchEquals:
		return claim == value
	case MatchContains:
		return strings.Contains(claim, value)
	case MatchStartsWith:
		return strings.HasPrefix(claim, value)
	}
	return false
}
