package model

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// matcher matches a whole value against a pattern.
type matcher interface {
	Match(b []byte) bool
}

// runs is a linear-time matcher for the shape most AWS patterns have: a
// sequence of literals and one-or-more runs of a character class, where a
// run is never followed by another run or by a literal it could swallow.
// Greedy scanning is then exact, and it is several times faster than
// regexp on the per-request path (IdentityPoolId, IdentityId, logins).
type runs []part

// part is a literal (lit) or a run of class.
type part struct {
	lit   []rune
	ascii [2]uint64 // class membership of runes below 128
	wide  []rune    // class ranges at or above 128, as lo, hi pairs
}

// fastMatcher returns a runs matcher equivalent to the anchored RE2
// pattern re2, or the compiled regexp when the pattern has another form.
func fastMatcher(re2 string, compiled *regexp.Regexp) matcher {
	re, err := syntax.Parse(re2, syntax.Perl)
	if err != nil {
		return compiled
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var r runs
	for i, sub := range subs {
		switch {
		case sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0:
			r = append(r, part{lit: sub.Rune})
		case sub.Op == syntax.OpPlus && sub.Sub[0].Op == syntax.OpCharClass:
			p := classPart(sub.Sub[0].Rune)
			if i+1 < len(subs) {
				next := subs[i+1]
				if next.Op != syntax.OpLiteral || next.Flags&syntax.FoldCase != 0 || p.has(next.Rune[0]) {
					return compiled
				}
			}
			r = append(r, p)
		default:
			return compiled
		}
	}
	return r
}

func classPart(ranges []rune) part {
	var p part
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for c := lo; c <= hi && c < utf8.RuneSelf; c++ {
			p.ascii[c/64] |= 1 << (c % 64)
		}
		if hi >= utf8.RuneSelf {
			p.wide = append(p.wide, max(lo, utf8.RuneSelf), hi)
		}
	}
	return p
}

func (p *part) has(c rune) bool {
	if c < utf8.RuneSelf {
		return p.ascii[c/64]&(1<<(c%64)) != 0
	}
	// wide is sorted (syntax keeps classes in order): binary search on lo.
	i, _ := slices.BinarySearchFunc(p.wide, c, func(r, target rune) int { return int(r - target) })
	if i%2 == 1 {
		return true // c lies between a lo and its hi
	}
	return i < len(p.wide) && p.wide[i] == c
}

// Match reports whether all of b matches.
func (r runs) Match(b []byte) bool {
	i := 0
	for k := range r {
		p := &r[k]
		if p.lit != nil {
			for _, want := range p.lit {
				c, n := utf8.DecodeRune(b[i:])
				if n == 0 || c != want {
					return false
				}
				i += n
			}
			continue
		}
		start := i
		for i < len(b) {
			c, n := rune(b[i]), 1
			if c >= utf8.RuneSelf {
				c, n = utf8.DecodeRune(b[i:])
			}
			if !p.has(c) {
				break
			}
			i += n
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}
