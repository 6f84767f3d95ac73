package model

import (
	"regexp"
	"testing"
)

// TestJavaPatternSemantics checks the places where Java's regex dialect,
// which AWS uses, differs from Go's RE2.
func TestJavaPatternSemantics(t *testing.T) {
	cases := []struct {
		pattern, value string
		match          bool
	}{
		{`[\w\s+=,.@-]+`, "my pool 1", true},
		{`[\w\s+=,.@-]+`, "a\x0Bb", true},     // Java's \s has the vertical tab; RE2's does not
		{`[\w\s+=,.@-]+`, "caf\u00e9", false}, // \w is ASCII-only in Java too
		{`[\w\s+=,.@-]+`, "a!", false},
		{`[\S]+`, "a/b", true},
		{`[\S]+`, "a\x0Bb", false},
		{`[\S]+`, "a b", false},
		{`a.b`, "a\x0Bb", true},
		{`a.b`, "a\rb", false}, // Java's '.' stops at every line terminator
		{`a.b`, "a\u2028b", false},
		{`a.b`, "a\u0085b", false},
		{`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, "h\u00e9llo-1$\u0301", true},
		{`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, "a b", false},
		{`\d+`, "12", true},
		{`\d+`, "12a", false}, // matched whole, as Smithy anchors ^…$
		{`\d+`, "a12", false},
		{`\d+`, "12\n", false},
		{`(un)?authenticated`, "unauthenticated", true},
		{`(un)?authenticated`, "xauthenticated", false},
		{`[\w-]+:[0-9a-f-]+`, "us-east-1:0a-b", true},
		{`[\w-]+:[0-9a-f-]+`, "us-east-1:0A", false},
		{`\u0041+`, "AA", true},
		{`[]a]+`, "]a", true},
		{`[^]a]+`, "bc", true},
		{`a\.b`, "a.b", true},
		{`a\.b`, "axb", false},
	}
	for _, c := range cases {
		re, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := re.Match([]byte(c.value)); got != c.match {
			t.Errorf("%s on %q: got %v, want %v", c.pattern, c.value, got, c.match)
		}
	}
}

// TestUnsupportedPatterns: Java constructs RE2 cannot express are refused at
// Load, never matched differently.
func TestUnsupportedPatterns(t *testing.T) {
	for _, p := range []string{`(?<!a)b`, `a++`, `[a&&b]`, `[[a]b]`, `[\S\s]`, `\h`, `\u12`, `[ab`, `a\`} {
		if _, err := compilePattern(p); err == nil {
			t.Errorf("%s compiled", p)
		}
	}
}

// TestFastMatcherAgreesWithRegexp compares the linear matcher with regexp on
// every model pattern and on strings built from runes at the classes' edges.
func TestFastMatcherAgreesWithRegexp(t *testing.T) {
	patterns := []string{`[\w\s+=,.@-]+`, `[\S]+`, `\d+`, `[\w-]+:[0-9a-f-]+`, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, `a:b[c-e]+x`, `[a-c]+[c-e]+`}
	m := mustLoad(t)
	seen := map[*shape]bool{}
	var walk func(s *shape)
	walk = func(s *shape) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.pattern != nil {
			for i, ch := range s.checks {
				if ch == checkPattern {
					patterns = append(patterns, s.texts[i][len("Member must satisfy regular expression pattern: "):])
				}
			}
		}
		walk(s.elem)
		walk(s.key)
		walk(s.value)
		for _, mb := range s.members {
			walk(mb.shape)
		}
	}
	for _, op := range m.Operations() {
		walk(m.inputs[op])
	}
	alphabet := []string{"a", "Z", "0", "9", "_", "-", ":", ".", " ", "\t", "\x0b", "/", "@", "!", "é", "\u0301", "€", "\u2028", "😀", "f", "g", "c"}
	var values []string
	var gen func(prefix string, depth int)
	gen = func(prefix string, depth int) {
		values = append(values, prefix)
		if depth == 3 {
			return
		}
		for _, a := range alphabet {
			gen(prefix+a, depth+1)
		}
	}
	gen("", 0)
	fast := 0
	for _, p := range patterns {
		re2, err := translatePattern(p)
		if err != nil {
			t.Fatal(err)
		}
		slow := regexp.MustCompile(`\A(?:` + re2 + `)\z`)
		mt := fastMatcher(re2, slow)
		if _, ok := mt.(runs); ok {
			fast++
		}
		for _, v := range values {
			if got, want := mt.Match([]byte(v)), slow.MatchString(v); got != want {
				t.Errorf("%s on %q: fast %v, regexp %v", p, v, got, want)
			}
		}
	}
	if fast < len(patterns)-2 {
		t.Errorf("only %d of %d patterns use the fast matcher", fast, len(patterns))
	}
}
