package model

import (
	"fmt"
	"regexp"
	"strings"
)

// Java's whitespace and line-terminator sets, which differ from RE2's: Java's
// \s includes the vertical tab (\x0B) and its '.' stops at \r, \u0085,
// \u2028 and \u2029 as well as \n (java.util.regex.Pattern docs).
const (
	javaSpace      = `\t\n\x0B\f\r `
	javaLineBreaks = `\n\r\x{85}\x{2028}\x{2029}`
)

// compilePattern compiles a botocore pattern with Java's semantics and
// anchors it at both ends: AWS matches the whole value (Smithy's patterns
// are the same text wrapped in ^…$), while botocore prints it unanchored.
func compilePattern(java string) (matcher, error) {
	re2, err := translatePattern(java)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", java, err)
	}
	re, err := regexp.Compile(`\A(?:` + re2 + `)\z`)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", java, err)
	}
	return fastMatcher(re2, re), nil
}

// translatePattern rewrites the Java regex constructs whose meaning differs
// in RE2. Constructs RE2 lacks (lookaround, possessive quantifiers, class
// intersection) are left for regexp.Compile to reject, or rejected here, so a
// pattern is never silently matched differently.
func translatePattern(p string) (string, error) {
	// [\S] alone is common in AWS models; a negated set cannot be nested in
	// an RE2 class, so rewrite that exact class before the general walk.
	p = strings.ReplaceAll(p, `[\S]`, `\S`)
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("trailing backslash")
			}
			i++
			n, err := translateEscape(p, &i, inClass)
			if err != nil {
				return "", err
			}
			b.WriteString(n)
		case inClass && c == '[':
			return "", fmt.Errorf("nested character classes are not supported")
		case inClass && c == '&' && i+1 < len(p) && p[i+1] == '&':
			return "", fmt.Errorf("class intersection is not supported")
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			// A ']' right after '[' or '[^' is a literal in both dialects.
			if i+1 < len(p) && p[i+1] == '^' {
				i++
				b.WriteByte('^')
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
				b.WriteString(`\]`)
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '.' && !inClass:
			b.WriteString(`[^` + javaLineBreaks + `]`)
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", fmt.Errorf("unterminated character class")
	}
	return b.String(), nil
}

// translateEscape rewrites the escape whose letter is p[*i]; it may advance
// *i past the escape's arguments.
func translateEscape(p string, i *int, inClass bool) (string, error) {
	c := p[*i]
	switch c {
	case 's':
		if inClass {
			return javaSpace, nil
		}
		return `[` + javaSpace + `]`, nil
	case 'S':
		if inClass {
			return "", fmt.Errorf(`\S inside a character class is not supported`)
		}
		return `[^` + javaSpace + `]`, nil
	case 'u':
		// Java \uXXXX is RE2 \x{XXXX}.
		if *i+5 > len(p) {
			return "", fmt.Errorf(`short \u escape`)
		}
		hex := p[*i+1 : *i+5]
		for _, h := range hex {
			if !strings.ContainsRune("0123456789abcdefABCDEF", h) {
				return "", fmt.Errorf(`bad \u escape %q`, hex)
			}
		}
		*i += 4
		return `\x{` + hex + `}`, nil
	case 'w', 'W', 'd', 'D', 'p', 'P', 't', 'n', 'r', 'f', 'x', 'Q', 'E':
		// Same meaning in both: Java's \w and \d are ASCII-only like RE2's,
		// and \p{L}-style Unicode categories are shared. \p{javaXxx} and
		// other Java-only names fail in regexp.Compile.
		return `\` + string(c), nil
	}
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return "", fmt.Errorf(`escape \%c is not supported`, c)
	}
	// Escaped punctuation is a literal in both dialects.
	return `\` + string(c), nil
}
