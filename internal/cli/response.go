package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// parseResponse reads a JSON 1.1 response body by the output shape, as
// botocore's parser does: structure members in model order (unknown keys
// dropped), maps in response order, timestamps in ISO 8601 local time.
func parseResponse(s *shape, body []byte) (*object, error) {
	if s == nil || len(bytes.TrimSpace(body)) == 0 {
		return newObject(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	raw, err := decodeJSONValue(dec, true)
	if err != nil {
		return nil, err
	}
	v := shapeValue(s, raw)
	if o, ok := v.(*object); ok {
		return o, nil
	}
	return newObject(), nil
}

func shapeValue(s *shape, v any) any {
	if v == nil {
		return nil
	}
	switch s.Type {
	case "structure":
		in, ok := v.(*object)
		if !ok {
			return nil
		}
		o := newObject()
		for _, m := range s.Members {
			if mv, ok := in.get(m.Name); ok && mv != nil {
				o.set(m.Name, shapeValue(m.Shape, mv))
			}
		}
		return o
	case "map":
		in, ok := v.(*object)
		if !ok {
			return nil
		}
		o := newObject()
		for _, k := range in.keys {
			o.set(k, shapeValue(s.Value, in.vals[k]))
		}
		return o
	case "list":
		in, ok := v.([]any)
		if !ok {
			return nil
		}
		out := make([]any, 0, len(in))
		for _, e := range in {
			out = append(out, shapeValue(s.Member, e))
		}
		return out
	case "timestamp":
		return isoTimestamp(v)
	case "integer", "long":
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i
			}
			f, _ := n.Float64()
			return f
		}
	case "float", "double":
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			return f
		}
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	}
	return v
}

// isoTimestamp formats an epoch-seconds number (or a string date) as
// Python's datetime.fromtimestamp(v, tzlocal()).isoformat(): microseconds
// only when non-zero, the local UTC offset.
func isoTimestamp(v any) any {
	var t time.Time
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return string(x)
		}
		micros := new(big.Rat).Mul(r, big.NewRat(1000000, 1))
		// Round half to even to the microsecond, as Python does.
		q := new(big.Int).Quo(micros.Num(), micros.Denom())
		rem := new(big.Rat).Sub(micros, new(big.Rat).SetInt(q))
		half := big.NewRat(1, 2)
		if rem.Sign() < 0 {
			rem.Neg(rem)
		}
		if c := rem.Cmp(half); c > 0 || (c == 0 && q.Bit(0) == 1) {
			if micros.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		us := q.Int64()
		t = time.UnixMicro(us)
	case string:
		parsed, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			if f, ferr := strconv.ParseFloat(x, 64); ferr == nil {
				return isoTimestamp(json.Number(strconv.FormatFloat(f, 'f', -1, 64)))
			}
			return x
		}
		t = parsed
	default:
		return fmt.Sprint(v)
	}
	return pyISOFormat(t.In(time.Local))
}

func pyISOFormat(t time.Time) string {
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	off := t.Format("-07:00")
	if full := t.Format("-07:00:00"); !strings.HasSuffix(full, ":00") {
		off = full
	}
	return s + off
}
