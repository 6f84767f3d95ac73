package cli

import (
	"strings"
	"unicode"
)

// xformName turns a model name into its aws CLI spelling, as botocore's
// xform_name(name, "-") does: "OpenIdConnectProviderARNs" becomes
// "open-id-connect-provider-arns".
func xformName(name string) string {
	if strings.Contains(name, "-") {
		return name
	}
	r := []rune(name)
	// A trailing run of two or more capitals followed by "s" (ARNs) is one word.
	if n := len(r); n >= 3 && r[n-1] == 's' {
		i := n - 1
		for i > 0 && unicode.IsUpper(r[i-1]) {
			i--
		}
		if n-1-i >= 2 {
			r = append(append(append([]rune{}, r[:i]...), '-'), []rune(strings.ToLower(string(r[i:])))...)
		}
	}
	// (.)([A-Z][a-z]+) -> \1-\2
	var b []rune
	for i := 0; i < len(r); i++ {
		if i > 0 && unicode.IsUpper(r[i]) && i+1 < len(r) && unicode.IsLower(r[i+1]) && r[i-1] != '-' {
			b = append(b, '-')
		}
		b = append(b, r[i])
	}
	// ([a-z0-9])([A-Z]) -> \1-\2
	var out []rune
	for i := 0; i < len(b); i++ {
		if i > 0 && unicode.IsUpper(b[i]) && (unicode.IsLower(b[i-1]) || unicode.IsDigit(b[i-1])) {
			out = append(out, '-')
		}
		out = append(out, b[i])
	}
	return strings.ToLower(string(out))
}
