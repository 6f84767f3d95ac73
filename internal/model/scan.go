package model

import (
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds JSON nesting. The deepest input shape is about eight
// levels; anything far deeper is hostile and is refused before it can use
// much stack. (Jackson, under Coral, has a similar nesting limit.)
const maxDepth = 100

// reader is a cursor over a JSON body that has already been checked to be
// UTF-8. It never allocates except to unescape a string that has escapes.
type reader struct {
	data []byte
	pos  int
	buf  []byte // scratch for unescaped strings; reused
}

// ws skips JSON whitespace.
func (r *reader) ws() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end (a NUL
// byte is never valid JSON there, so callers may treat both as malformed).
func (r *reader) peek() byte {
	r.ws()
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

// literal consumes word (true, false, null) at r.pos.
func (r *reader) literal(word string) bool {
	if len(r.data)-r.pos < len(word) || string(r.data[r.pos:r.pos+len(word)]) != word {
		return false
	}
	r.pos += len(word)
	return true
}

// str reads the string whose opening quote is at r.pos. The content it
// returns is only valid until the next call.
func (r *reader) str() ([]byte, bool) {
	start := r.pos + 1
	for i := start; i < len(r.data); i++ {
		switch c := r.data[i]; {
		case c == '"':
			r.pos = i + 1
			return r.data[start:i], true
		case c == '\\':
			return r.escaped(start, i)
		case c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// escaped continues str from the first backslash at i, unescaping into buf.
func (r *reader) escaped(start, i int) ([]byte, bool) {
	b := append(r.buf[:0], r.data[start:i]...)
	for i < len(r.data) {
		c := r.data[i]
		switch {
		case c == '"':
			r.pos = i + 1
			r.buf = b[:0] // keep the grown buffer for the next string
			return b, true
		case c < 0x20:
			return nil, false
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(r.data) {
			return nil, false
		}
		i += 2
		switch r.data[i-1] {
		case '"', '\\', '/':
			b = append(b, r.data[i-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			ru, ok := hex4(r.data, i)
			if !ok {
				return nil, false
			}
			i += 4
			if utf16.IsSurrogate(ru) {
				// A valid pair decodes to one rune; a lone half becomes
				// U+FFFD, as Go's encoding/json (and so every later layer)
				// would read it.
				lo, ok := rune(-1), false
				if i+6 <= len(r.data) && r.data[i] == '\\' && r.data[i+1] == 'u' {
					lo, ok = hex4(r.data, i+2)
				}
				if dec := utf16.DecodeRune(ru, lo); ok && dec != utf8.RuneError {
					ru = dec
					i += 6
				} else {
					ru = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, ru)
		default:
			return nil, false
		}
	}
	return nil, false
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads a JSON number at r.pos. integral reports that it has no
// fraction or exponent.
func (r *reader) number() (text []byte, integral, ok bool) {
	d, i := r.data, r.pos
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return nil, false, false
	}
	integral = true
	if i < len(d) && d[i] == '.' {
		integral = false
		i++
		if j := digits(d, i); j == i {
			return nil, false, false
		} else {
			i = j
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integral = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if j := digits(d, i); j == i {
			return nil, false, false
		} else {
			i = j
		}
	}
	r.pos = i
	return d[start:i], integral, true
}

func digits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// skip consumes any JSON value (an unknown member's), checking its syntax.
func (r *reader) skip(depth int) bool {
	switch r.peek() {
	case '"':
		_, ok := r.str()
		return ok
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	case '[', '{':
		return r.skipContainer(depth + 1)
	default:
		_, _, ok := r.number()
		return ok
	}
}

func (r *reader) skipContainer(depth int) bool {
	if depth > maxDepth {
		return false
	}
	object := r.data[r.pos] == '{'
	end := byte(']')
	if object {
		end = '}'
	}
	r.pos++
	if r.peek() == end {
		r.pos++
		return true
	}
	for {
		if object {
			if r.peek() != '"' {
				return false
			}
			if _, ok := r.str(); !ok || r.peek() != ':' {
				return false
			}
			r.pos++
		}
		if !r.skip(depth) {
			return false
		}
		switch r.peek() {
		case ',':
			r.pos++
		case end:
			r.pos++
			return true
		default:
			return false
		}
	}
}
