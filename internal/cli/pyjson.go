package cli

import (
	"fmt"
	"regexp"
	"strings"
)

// pyJSONErrorFor scans text as Python's json module does and returns the
// message of the first error it would raise ("Expecting value: line 1
// column 1 (char 0)"), so bad JSON parameters read as in the aws CLI.
func pyJSONErrorFor(text string) string {
	s := &pyScan{r: []rune(text)}
	msg, pos := s.document()
	if msg == "" {
		return ""
	}
	before := string(s.r[:pos])
	line := strings.Count(before, "\n") + 1
	col := pos + 1
	if i := strings.LastIndex(before, "\n"); i >= 0 {
		col = pos - len([]rune(before[:i]))
	}
	return fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, pos)
}

type pyScan struct{ r []rune }

var pyNumber = regexp.MustCompile(`^(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?`)

func (s *pyScan) ws(i int) int {
	for i < len(s.r) && strings.ContainsRune(" \t\n\r", s.r[i]) {
		i++
	}
	return i
}

func (s *pyScan) document() (string, int) {
	i := s.ws(0)
	end, msg, pos := s.value(i)
	if msg != "" {
		return msg, pos
	}
	if j := s.ws(end); j != len(s.r) {
		return "Extra data", j
	}
	return "", 0
}

// value parses the value at i; it returns the end, or an error and where.
func (s *pyScan) value(i int) (int, string, int) {
	if i >= len(s.r) {
		return 0, "Expecting value", i
	}
	switch c := s.r[i]; c {
	case '"':
		return s.str(i)
	case '{':
		return s.obj(i + 1)
	case '[':
		return s.arr(i + 1)
	}
	rest := string(s.r[i:])
	for _, lit := range []string{"null", "true", "false", "NaN", "Infinity", "-Infinity"} {
		if strings.HasPrefix(rest, lit) {
			return i + len(lit), "", 0
		}
	}
	if m := pyNumber.FindString(rest); m != "" {
		return i + len([]rune(m)), "", 0
	}
	return 0, "Expecting value", i
}

func (s *pyScan) str(start int) (int, string, int) {
	for i := start + 1; i < len(s.r); i++ {
		switch c := s.r[i]; {
		case c == '"':
			return i + 1, "", 0
		case c == '\\':
			if i+1 >= len(s.r) {
				return 0, "Unterminated string starting at", start
			}
			e := s.r[i+1]
			if e == 'u' {
				if i+6 > len(s.r) || !regexp.MustCompile(`^[0-9a-fA-F]{4}$`).MatchString(string(s.r[i+2:i+6])) {
					return 0, "Invalid \\uXXXX escape", i
				}
				i += 5
				continue
			}
			if !strings.ContainsRune(`"\/bfnrt`, e) {
				return 0, "Invalid \\escape", i
			}
			i++
		case c < 0x20:
			return 0, "Invalid control character at", i
		}
	}
	return 0, "Unterminated string starting at", start
}

func (s *pyScan) obj(i int) (int, string, int) {
	i = s.ws(i)
	if i < len(s.r) && s.r[i] == '}' {
		return i + 1, "", 0
	}
	for {
		if i >= len(s.r) || s.r[i] != '"' {
			return 0, "Expecting property name enclosed in double quotes", i
		}
		end, msg, pos := s.str(i)
		if msg != "" {
			return 0, msg, pos
		}
		i = s.ws(end)
		if i >= len(s.r) || s.r[i] != ':' {
			return 0, "Expecting ':' delimiter", i
		}
		i = s.ws(i + 1)
		end, msg, pos = s.value(i)
		if msg != "" {
			return 0, msg, pos
		}
		i = s.ws(end)
		if i < len(s.r) && s.r[i] == '}' {
			return i + 1, "", 0
		}
		if i >= len(s.r) || s.r[i] != ',' {
			return 0, "Expecting ',' delimiter", i
		}
		i = s.ws(i + 1)
	}
}

func (s *pyScan) arr(i int) (int, string, int) {
	i = s.ws(i)
	if i < len(s.r) && s.r[i] == ']' {
		return i + 1, "", 0
	}
	for {
		end, msg, pos := s.value(i)
		if msg != "" {
			return 0, msg, pos
		}
		i = s.ws(end)
		if i < len(s.r) && s.r[i] == ']' {
			return i + 1, "", 0
		}
		if i >= len(s.r) || s.r[i] != ',' {
			return 0, "Expecting ',' delimiter", i
		}
		i = s.ws(i + 1)
	}
}
