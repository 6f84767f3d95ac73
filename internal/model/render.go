package model

import "strconv"

// redacted stands in for a sensitive value (a login token) inside a printed
// map or list [inf: AWS's observed messages only show empty tokens, which
// print as nothing and still do; the wording is the AWS SDK for Java's].
const redacted = "*** Sensitive Data Redacted ***"

// render prints an already validated JSON value of shape s the way Java's
// toString would: strings bare, lists [a, b], maps {k=v, k2=v2}. Coral's
// structure toString is unknown; structures print as {Member=value, ...}
// [inf]. Null list entries are dropped, as Coral drops them.
func render(s *shape, raw []byte) string {
	r := reader{data: raw}
	return string(renderValue(&r, s, nil))
}

func renderValue(r *reader, s *shape, b []byte) []byte {
	switch r.peek() {
	case 'n':
		r.literal("null")
		return append(b, "null"...)
	case 't':
		r.literal("true")
		return append(b, "true"...)
	case 'f':
		r.literal("false")
		return append(b, "false"...)
	case '"':
		val, _ := r.str()
		if s.sensitive && len(val) > 0 {
			return append(b, redacted...)
		}
		return append(b, val...)
	case '[':
		return renderList(r, s, b)
	case '{':
		return renderObject(r, s, b)
	}
	text, _, ok := r.number()
	if !ok {
		r.pos = len(r.data) // not reached for validated input
		return b
	}
	if s.kind == kindInteger || s.kind == kindLong {
		if n, ok := parseInt(text); ok {
			return strconv.AppendInt(b, n, 10)
		}
	}
	return append(b, text...)
}

func renderList(r *reader, s *shape, b []byte) []byte {
	r.pos++
	b = append(b, '[')
	first := true
	for r.peek() != ']' && r.pos < len(r.data) {
		if r.data[r.pos] == 'n' {
			r.literal("null")
		} else {
			if !first {
				b = append(b, ", "...)
			}
			first = false
			b = renderValue(r, s.elem, b)
		}
		if r.peek() == ',' {
			r.pos++
		}
	}
	r.pos++
	return append(b, ']')
}

func renderObject(r *reader, s *shape, b []byte) []byte {
	r.pos++
	b = append(b, '{')
	first := true
	for r.peek() == '"' {
		key, _ := r.str()
		name := string(key)
		r.peek()
		r.pos++ // ':'
		var vs *shape
		if s.kind == kindMap {
			vs = s.value
		} else if i := s.lookup(key); i >= 0 {
			vs = s.members[i].shape
		}
		r.peek()
		switch {
		case vs == nil:
			r.skip(0)
		case s.kind != kindMap && r.data[r.pos] == 'n':
			r.literal("null")
		default:
			if !first {
				b = append(b, ", "...)
			}
			first = false
			b = append(b, name...)
			b = append(b, '=')
			b = renderValue(r, vs, b)
		}
		if r.peek() == ',' {
			r.pos++
		}
	}
	r.peek()
	r.pos++
	return append(b, '}')
}
