package cli

import (
	"fmt"
	"strings"
	"unicode"
)

// parseShorthand parses the aws CLI's shorthand syntax (a port of
// awscli/shorthand.py's ShorthandParser): "a=b,c=d", "a=b,c" (a list),
// "a=[b,c]", "a={b=c}", quoted values and "\," escapes.
func parseShorthand(s string) (*object, error) {
	p := &shParser{in: []rune(s)}
	return p.parameter()
}

type shParser struct {
	in []rune
	i  int
}

type shorthandError struct {
	msg string
}

func (e *shorthandError) Error() string { return e.msg }

func (p *shParser) errorLocation(index int) string {
	consumed, remaining, spaces := string(p.in), "", index
	before := string(p.in[:min(index, len(p.in))])
	if j := strings.LastIndex(before, "\n"); j >= 0 {
		spaces = index - len([]rune(before[:j])) - 1
	}
	after := p.in[min(index, len(p.in)):]
	if j := strings.IndexRune(string(after), '\n'); j >= 0 {
		nl := index + len([]rune(string(after)[:j]))
		consumed = string(p.in[:nl])
		remaining = string(p.in[nl:])
	}
	return consumed + "\n" + strings.Repeat(" ", spaces) + "^" + remaining
}

func (p *shParser) syntaxErr(expected, actual string) error {
	return &shorthandError{fmt.Sprintf("Expected: '%s', received: '%s' for input:\n%s", expected, actual, p.errorLocation(p.i))}
}

func (p *shParser) eof() bool { return p.i >= len(p.in) }

func (p *shParser) cur() rune {
	if p.eof() {
		return -1
	}
	return p.in[p.i]
}

func (p *shParser) parameter() (*object, error) {
	params := newObject()
	k, v, err := p.keyval()
	if err != nil {
		return nil, err
	}
	params.set(k, v)
	last := p.i
	for !p.eof() {
		if err := p.expect(',', true); err != nil {
			return nil, err
		}
		k, v, err := p.keyval()
		if err != nil {
			return nil, err
		}
		if _, dup := params.get(k); dup {
			return nil, &shorthandError{fmt.Sprintf("Second instance of key \"%s\" encountered for input:\n%s\nThis is often because there is a preceding \",\" instead of a space.", k, p.errorLocation(last+1))}
		}
		params.set(k, v)
		last = p.i
	}
	return params, nil
}

func (p *shParser) keyval() (string, any, error) {
	k := p.key()
	if err := p.expect('=', true); err != nil {
		return "", nil, err
	}
	v, err := p.values()
	return k, v, err
}

func isKeyChar(r rune) bool {
	return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.#/:", r))
}

func (p *shParser) key() string {
	start := p.i
	for !p.eof() && isKeyChar(p.cur()) {
		p.i++
	}
	return string(p.in[start:p.i])
}

func (p *shParser) values() (any, error) {
	switch {
	case p.eof():
		return "", nil
	case p.cur() == '[':
		return p.explicitList()
	case p.cur() == '{':
		return p.hashLiteral()
	}
	return p.csvValue()
}

func (p *shParser) csvValue() (any, error) {
	first, err := p.firstValue()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() || p.cur() != ',' {
		return first, nil
	}
	if err := p.expect(',', true); err != nil {
		return nil, err
	}
	list := []any{first}
	for {
		v, err := p.secondValue()
		if err == nil {
			p.skipSpace()
			if p.eof() {
				list = append(list, v)
				break
			}
			err = p.expect(',', true)
		}
		if err != nil {
			if p.eof() {
				return nil, err
			}
			// Not a value: the comma started the next key=value pair.
			for p.i >= 0 && (p.i >= len(p.in) || p.in[p.i] != ',') {
				p.i--
			}
			break
		}
		list = append(list, v)
	}
	if len(list) == 1 {
		return first, nil
	}
	return list, nil
}

// startWord and the follow sets are shorthand.py's character classes.
func startWord(r rune) bool {
	return r == '!' || (r >= '#' && r <= '&') || (r >= '(' && r <= '+') || (r >= '-' && r <= '<') ||
		(r >= '>' && r <= 'Z') || (r >= '\\' && r <= 'z') || r >= '|'
}

func firstFollow(r rune) bool {
	return unicode.IsSpace(r) || r == '!' || (r >= '#' && r <= '&') || (r >= '(' && r <= '+') ||
		(r >= '-' && r <= '\\') || (r >= '^' && r <= '|') || r >= '~'
}

func secondFollow(r rune) bool {
	return unicode.IsSpace(r) || r == '!' || (r >= '#' && r <= '&') || (r >= '(' && r <= '+') ||
		(r >= '-' && r <= '<') || r >= '>'
}

// matchWord matches ({escaped comma}|[start])({escaped comma}|[follow])*.
func (p *shParser) matchWord(follow func(rune) bool) (string, bool) {
	j := p.i
	step := func(class func(rune) bool) bool {
		if j+1 < len(p.in) && p.in[j] == '\\' && p.in[j+1] == ',' {
			j += 2
			return true
		}
		if j < len(p.in) && class(p.in[j]) {
			j++
			return true
		}
		return false
	}
	if !step(startWord) {
		return "", false
	}
	for step(follow) {
	}
	s := string(p.in[p.i:j])
	p.i = j
	return strings.TrimRightFunc(strings.ReplaceAll(s, `\,`, ","), unicode.IsSpace), true
}

func (p *shParser) firstValue() (any, error) {
	switch p.cur() {
	case '\'':
		return p.quoted('\'')
	case '"':
		return p.quoted('"')
	}
	s, _ := p.matchWord(firstFollow)
	return s, nil
}

func (p *shParser) secondValue() (any, error) {
	switch p.cur() {
	case '\'':
		return p.quoted('\'')
	case '"':
		return p.quoted('"')
	}
	s, ok := p.matchWord(secondFollow)
	if !ok {
		return nil, p.syntaxErr("<second>", "<none>")
	}
	return s, nil
}

// quoted consumes a quoted value: q(?:\\\\|\\q|[^q])*q.
func (p *shParser) quoted(q rune) (any, error) {
	j := p.i + 1
	for j < len(p.in) {
		if p.in[j] == '\\' && j+1 < len(p.in) && (p.in[j+1] == '\\' || p.in[j+1] == q) {
			j += 2
			continue
		}
		if p.in[j] == q {
			break
		}
		j++
	}
	if j >= len(p.in) {
		name := "singled quoted"
		if q == '"' {
			name = "double quoted"
		}
		return nil, p.syntaxErr("<"+name+">", "<none>")
	}
	s := string(p.in[p.i+1 : j])
	p.i = j + 1
	s = strings.ReplaceAll(s, `\`+string(q), string(q))
	return strings.ReplaceAll(s, `\\`, `\`), nil
}

func (p *shParser) explicitList() (any, error) {
	if err := p.expect('[', true); err != nil {
		return nil, err
	}
	vals := []any{}
	for p.cur() != ']' {
		v, err := p.explicitValues()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		p.skipSpace()
		if p.cur() != ']' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.skipSpace()
		}
	}
	return vals, p.expect(']', false)
}

func (p *shParser) explicitValues() (any, error) {
	switch p.cur() {
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.firstValue()
}

func (p *shParser) hashLiteral() (any, error) {
	if err := p.expect('{', true); err != nil {
		return nil, err
	}
	o := newObject()
	for p.cur() != '}' {
		k := p.key()
		if err := p.expect('=', true); err != nil {
			return nil, err
		}
		v, err := p.explicitValues()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.cur() != '}' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.skipSpace()
		}
		o.set(k, v)
	}
	return o, p.expect('}', false)
}

func (p *shParser) expect(c rune, ws bool) error {
	if ws {
		p.skipSpace()
	}
	if p.eof() {
		return p.syntaxErr(string(c), "EOF")
	}
	if p.cur() != c {
		return p.syntaxErr(string(c), string(p.cur()))
	}
	p.i++
	if ws {
		p.skipSpace()
	}
	return nil
}

func (p *shParser) skipSpace() {
	for !p.eof() && unicode.IsSpace(p.cur()) {
		p.i++
	}
}
