package cli

import (
	"fmt"
	"strings"
)

// validateParams checks params against the input shape as botocore's
// ParamValidator does and returns its report, or "" when valid.
func validateParams(s *shape, params *object) string {
	var errs []string
	validateValue(s, params, "", &errs)
	if len(errs) == 0 {
		return ""
	}
	return "Parameter validation failed:\n" + strings.Join(errs, "\n")
}

func pyTypeOf(v any) string {
	switch v.(type) {
	case string:
		return "<class 'str'>"
	case int64, int:
		return "<class 'int'>"
	case float64:
		return "<class 'float'>"
	case bool:
		return "<class 'bool'>"
	case []any:
		return "<class 'list'>"
	case *object:
		return "<class 'dict'>"
	case nil:
		return "<class 'NoneType'>"
	}
	return fmt.Sprintf("%T", v)
}

func invalidType(name string, v any, valid string, errs *[]string) {
	*errs = append(*errs, fmt.Sprintf("Invalid type for parameter %s, value: %s, type: %s, valid types: %s",
		name, pyRepr(v), pyTypeOf(v), valid))
}

func validateValue(s *shape, v any, name string, errs *[]string) {
	switch s.Type {
	case "structure":
		o, ok := v.(*object)
		if !ok {
			invalidType(name, v, "<class 'dict'>", errs)
			return
		}
		where := name
		if where == "" {
			where = "input"
		}
		for _, r := range s.Required {
			if _, ok := o.get(r); !ok {
				*errs = append(*errs, fmt.Sprintf("Missing required parameter in %s: \"%s\"", where, r))
			}
		}
		var names []string
		for _, m := range s.Members {
			names = append(names, m.Name)
		}
		for _, k := range o.keys {
			if s.member(k) == nil {
				*errs = append(*errs, fmt.Sprintf("Unknown parameter in %s: \"%s\", must be one of: %s", where, k, strings.Join(names, ", ")))
			}
		}
		for _, k := range o.keys {
			if m := s.member(k); m != nil {
				child := k
				if name != "" {
					child = name + "." + k
				}
				validateValue(m.Shape, o.vals[k], child, errs)
			}
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			invalidType(name, v, "<class 'list'>, <class 'tuple'>", errs)
			return
		}
		checkMinLength(s, len(l), name, errs)
		for i, e := range l {
			validateValue(s.Member, e, fmt.Sprintf("%s[%d]", name, i), errs)
		}
	case "map":
		o, ok := v.(*object)
		if !ok {
			invalidType(name, v, "<class 'dict'>", errs)
			return
		}
		checkMinLength(s, o.len(), name, errs)
		for _, k := range o.keys {
			validateValue(s.Key, k, fmt.Sprintf("%s (key: %s)", name, k), errs)
			validateValue(s.Value, o.vals[k], name+"."+k, errs)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			invalidType(name, v, "<class 'str'>", errs)
			return
		}
		checkMinLength(s, len([]rune(str)), name, errs)
	case "integer", "long":
		i, ok := v.(int64)
		if !ok {
			invalidType(name, v, "<class 'int'>", errs)
			return
		}
		if s.Min != nil && float64(i) < *s.Min {
			*errs = append(*errs, fmt.Sprintf("Invalid value for parameter %s, value: %d, valid min value: %d", name, i, int64(*s.Min)))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			invalidType(name, v, "<class 'bool'>", errs)
		}
	}
}

func checkMinLength(s *shape, n int, name string, errs *[]string) {
	if s.Min != nil && float64(n) < *s.Min {
		*errs = append(*errs, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", name, n, int64(*s.Min)))
	}
}
