package model

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/idpool/idpool/internal/apierr"
)

// Coral's deserializer texts for a JSON value of the wrong type. The
// container texts and the "<TOKEN> can not be converted to a String" form
// were measured against a live awsJson1.1 Coral service (Athena, 2026; see
// the request-parsing tests of an Athena emulator found by code search) and
// agree with dynalite's tests against live DynamoDB for containers
// ("Expected list or null", "Expected map or null", "Expected null").
const (
	msgList   = "Start of list found where not expected"
	msgObject = "Start of structure or map found where not expected."
	msgNoList = "Expected list or null"
	msgNoMap  = "Expected map or null"
	msgNoObj  = "Expected null"
)

// validator walks one request body against an input shape. It is pooled
// per Model; reset prepares it for a body.
type validator struct {
	reader
	path  []seg
	found []violation
}

func (v *validator) reset(body []byte) {
	v.data, v.pos = body, 0
	v.path = v.path[:0]
	clear(v.found)
	v.found = v.found[:0]
}

// malformed is the answer to a body that is not JSON. Coral sends a
// SerializationException without a message (measured, as above).
func malformed() *apierr.Error { return apierr.New(apierr.Serialization, "") }

func mismatch(msg string) *apierr.Error {
	return &apierr.Error{Code: apierr.Serialization, Message: msg}
}

// top validates the whole body: one JSON object (empty body = {}).
func (v *validator) top(in *shape) *apierr.Error {
	if v.peek(); v.pos == len(v.data) {
		v.missing(in, 0) // an empty body is {}
		return nil
	}
	switch v.data[v.pos] {
	case '{':
		if err := v.structure(in, 0); err != nil {
			return err
		}
	case '[':
		return mismatch(msgList)
	default:
		return malformed()
	}
	if v.ws(); v.pos != len(v.data) {
		return malformed()
	}
	return nil
}

// value validates the non-null value at v.pos against s.
func (v *validator) value(s *shape, depth int) *apierr.Error {
	c := v.data[v.pos]
	switch s.kind {
	case kindList:
		switch c {
		case '[':
			return v.list(s, depth+1)
		case '{':
			return mismatch(msgObject)
		}
		return v.scalarMismatch(msgNoList)
	case kindMap:
		switch c {
		case '{':
			return v.mapValue(s, depth+1)
		case '[':
			return mismatch(msgList)
		}
		return v.scalarMismatch(msgNoMap)
	case kindStructure:
		switch c {
		case '{':
			return v.structure(s, depth+1)
		case '[':
			return mismatch(msgList)
		}
		return v.scalarMismatch(msgNoObj)
	}
	start := v.pos
	val, n, mask, err := v.scalar(s)
	if err != nil || mask == 0 {
		return err
	}
	shown := present(val, n, s, v.data[start:v.pos])
	for i, text := range s.texts {
		if mask&(1<<i) != 0 {
			v.add(int32(i), shown, text)
		}
	}
	return nil
}

// scalarMismatch answers a scalar where a container was expected, after
// checking the scalar is well-formed JSON (a broken token is malformed).
func (v *validator) scalarMismatch(msg string) *apierr.Error {
	if _, ok := v.token(); !ok {
		return malformed()
	}
	return mismatch(msg)
}

// token consumes a scalar JSON token and names it as Coral does.
func (v *validator) token() (string, bool) {
	switch v.data[v.pos] {
	case '"':
		_, ok := v.str()
		return "STRING_VALUE", ok
	case 't':
		return "TRUE_VALUE", v.literal("true")
	case 'f':
		return "FALSE_VALUE", v.literal("false")
	}
	_, _, ok := v.number()
	return "NUMBER_VALUE", ok
}

// targets names each scalar kind in "... can not be converted to <target>".
// Boolean, Long and Date are by analogy with the measured String and
// Integer texts [inf]; timestamps are java.util.Date in Coral.
var targets = [...]string{
	kindString: "a String", kindInteger: "an Integer", kindLong: "a Long",
	kindFloat: "a Double", kindBoolean: "a Boolean", kindTimestamp: "a Date",
}

// scalar reads a non-null scalar for s and returns the bitmask of s.checks
// it fails. val is the string content (valid until the next string read)
// and n an integer's value.
func (v *validator) scalar(s *shape) (val []byte, n int64, mask uint8, err *apierr.Error) {
	c := v.data[v.pos]
	switch {
	case c == '[':
		return nil, 0, 0, mismatch(msgList)
	case c == '{':
		return nil, 0, 0, mismatch(msgObject)
	case c == '"' && s.kind == kindString:
		b, ok := v.str()
		if !ok {
			return nil, 0, 0, malformed()
		}
		return b, 0, s.stringMask(b), nil
	case (c == 't' || c == 'f') && s.kind == kindBoolean:
		if !v.literal("true") && !v.literal("false") {
			return nil, 0, 0, malformed()
		}
		return nil, 0, 0, nil
	case c == '-' || c >= '0' && c <= '9':
		if s.kind == kindString || s.kind == kindBoolean {
			break
		}
		text, integral, ok := v.number()
		if !ok {
			return nil, 0, 0, malformed()
		}
		return v.numeric(s, text, integral)
	}
	name, ok := v.token()
	if !ok {
		return nil, 0, 0, malformed()
	}
	return nil, 0, 0, mismatch(name + " can not be converted to " + targets[s.kind])
}

// numeric checks a number for an integer, long, float or timestamp shape.
// Integers must be integral and fit the Java type: the layers above decode
// into int32/int64, so a fraction or overflow is refused here rather than
// truncated [inf: Coral reportedly truncates fractions; we refuse them].
func (v *validator) numeric(s *shape, text []byte, integral bool) ([]byte, int64, uint8, *apierr.Error) {
	switch s.kind {
	case kindInteger, kindLong:
		n, ok := parseInt(text)
		if !integral || !ok || s.kind == kindInteger && (n < math.MinInt32 || n > math.MaxInt32) {
			return nil, 0, 0, mismatch("NUMBER_VALUE can not be converted to " + targets[s.kind])
		}
		var mask uint8
		for i, c := range s.checks {
			if c == checkMax && n > s.max || c == checkMin && n < s.min {
				mask |= 1 << i
			}
		}
		return nil, n, mask, nil
	case kindFloat:
		f, err := strconv.ParseFloat(string(text), 64)
		var mask uint8
		for i, c := range s.checks {
			if err == nil && (c == checkMax && f > float64(s.max) || c == checkMin && f < float64(s.min)) {
				mask |= 1 << i
			}
		}
		return nil, 0, mask, nil
	}
	return nil, 0, 0, nil // timestamp: epoch seconds, any number
}

// parseInt parses a JSON integer without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n uint64
	for _, c := range b {
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// stringMask returns the checks of string shape s that b fails. Lengths count
// Unicode code points, as Smithy's @length defines for strings.
func (s *shape) stringMask(b []byte) uint8 {
	var mask uint8
	runes := -1
	for i, c := range s.checks {
		fail := false
		switch c {
		case checkMax, checkMin:
			if runes < 0 {
				runes = utf8.RuneCount(b)
			}
			fail = c == checkMax && int64(runes) > s.max || c == checkMin && int64(runes) < s.min
		case checkPattern:
			fail = !s.pattern.Match(b)
		case checkEnum:
			fail = true
			for _, e := range s.enum {
				if string(b) == e {
					fail = false
					break
				}
			}
		}
		if fail {
			mask |= 1 << i
		}
	}
	return mask
}

// list validates a JSON array at v.pos against list shape s.
func (v *validator) list(s *shape, depth int) *apierr.Error {
	if depth > maxDepth {
		return malformed()
	}
	start := v.pos
	v.pos++
	n, bad := 0, false
	if v.peek() == ']' {
		v.pos++
	} else {
		for {
			switch v.peek() {
			case 0:
				return malformed()
			case 'n':
				// Coral drops null list entries (measured, as above).
				if !v.literal("null") {
					return malformed()
				}
			default:
				n++
				if s.elem.scalar() {
					_, _, mask, err := v.scalar(s.elem)
					if err != nil {
						return err
					}
					bad = bad || mask != 0
				} else {
					v.path = append(v.path, seg{ord: int32(n), index: n})
					err := v.value(s.elem, depth)
					v.path = v.path[:len(v.path)-1]
					if err != nil {
						return err
					}
				}
			}
			if done, err := v.next(']'); err != nil {
				return err
			} else if done {
				break
			}
		}
	}
	v.own(s, int64(n), start)
	if bad {
		v.add(int32(len(s.checks)), v.shown(s, start), "Member must satisfy constraint: "+javaList(s.elem.texts))
	}
	return nil
}

// next consumes the separator after a container entry: it reports true at
// the closing byte.
func (v *validator) next(end byte) (bool, *apierr.Error) {
	switch v.peek() {
	case ',':
		v.pos++
		return false, nil
	case end:
		v.pos++
		return true, nil
	}
	return false, malformed()
}

// own records a container's own length violations; its value is the JSON
// from start to v.pos.
func (v *validator) own(s *shape, n int64, start int) {
	for i, c := range s.checks {
		if c == checkMax && n > s.max || c == checkMin && n < s.min {
			v.add(int32(i), v.shown(s, start), s.texts[i])
		}
	}
}

// mapValue validates a JSON object at v.pos against map shape s.
func (v *validator) mapValue(s *shape, depth int) *apierr.Error {
	if depth > maxDepth {
		return malformed()
	}
	start := v.pos
	v.pos++
	n, badKey, badValue := 0, false, false
	if v.peek() == '}' {
		v.pos++
	} else {
		for {
			if v.peek() != '"' {
				return malformed()
			}
			keyStart := v.pos
			key, ok := v.str()
			if !ok {
				return malformed()
			}
			badKey = badKey || s.key.stringMask(key) != 0
			keyEnd := v.pos
			if v.peek() != ':' {
				return malformed()
			}
			v.pos++
			if v.peek() == 0 {
				return malformed()
			}
			n++
			if err := v.entry(s.value, seg{ord: int32(n), keyStart: keyStart, keyEnd: keyEnd}, depth, &badValue); err != nil {
				return err
			}
			if done, err := v.next('}'); err != nil {
				return err
			} else if done {
				break
			}
		}
	}
	v.own(s, int64(n), start)
	if badKey {
		v.add(int32(len(s.checks)), v.shown(s, start), "Map keys must satisfy constraint: "+javaList(s.key.texts))
	}
	if badValue {
		v.add(int32(len(s.checks)+1), v.shown(s, start), "Map value must satisfy constraint: "+javaList(s.value.texts))
	}
	return nil
}

// entry validates one map value. Scalar values are judged together (bad is
// set); structured values are walked under the entry's path segment.
func (v *validator) entry(s *shape, at seg, depth int, bad *bool) *apierr.Error {
	if v.data[v.pos] == 'n' {
		if !v.literal("null") {
			return malformed()
		}
		// A null value is a Java map entry whose value is null [inf]: it
		// fails the value constraints, or a structure's not-null one.
		if s.scalar() {
			*bad = *bad || len(s.checks) > 0
			return nil
		}
		v.path = append(v.path, at)
		v.add(0, shown{null: true}, "Member must not be null")
		v.path = v.path[:len(v.path)-1]
		return nil
	}
	if s.scalar() {
		_, _, mask, err := v.scalar(s)
		*bad = *bad || mask != 0
		return err
	}
	v.path = append(v.path, at)
	err := v.value(s, depth)
	v.path = v.path[:len(v.path)-1]
	return err
}

// structure validates a JSON object at v.pos against structure shape s.
// Unknown members are skipped and null members are absent, as in Coral.
func (v *validator) structure(s *shape, depth int) *apierr.Error {
	if depth > maxDepth {
		return malformed()
	}
	v.pos++
	var seen uint64
	if v.peek() == '}' {
		v.pos++
	} else {
		for {
			if v.peek() != '"' {
				return malformed()
			}
			key, ok := v.str()
			if !ok {
				return malformed()
			}
			i := s.lookup(key)
			if v.peek() != ':' {
				return malformed()
			}
			v.pos++
			if v.peek() == 0 {
				return malformed()
			}
			if err := v.member(s, i, &seen, depth); err != nil {
				return err
			}
			if done, err := v.next('}'); err != nil {
				return err
			} else if done {
				break
			}
		}
	}
	v.missing(s, seen)
	return nil
}

// member validates the value of member i of s (i < 0: unknown, skipped).
// A repeated member replaces the earlier one, as the decoders above us do.
func (v *validator) member(s *shape, i int, seen *uint64, depth int) *apierr.Error {
	if i < 0 {
		if !v.skip(depth) {
			return malformed()
		}
		return nil
	}
	bit := uint64(1) << i
	m := &s.members[i]
	v.path = append(v.path, seg{ord: int32(i + 1), name: m.path})
	defer func() { v.path = v.path[:len(v.path)-1] }()
	if *seen&bit != 0 {
		v.purge()
	}
	if v.data[v.pos] == 'n' {
		*seen &^= bit
		if !v.literal("null") {
			return malformed()
		}
		return nil
	}
	*seen |= bit
	return v.value(m.shape, depth)
}

// missing records the required members of s not in seen.
func (v *validator) missing(s *shape, seen uint64) {
	for i := range s.members {
		if m := &s.members[i]; m.required && seen&(1<<i) == 0 {
			v.path = append(v.path, seg{ord: int32(i + 1), name: m.path})
			v.add(0, shown{null: true}, "Member must not be null")
			v.path = v.path[:len(v.path)-1]
		}
	}
}
