package cli

import (
	"io"
	"regexp"
	"strings"
	"unicode"
)

// The yaml output mirrors ruamel.yaml's safe dumper with block style, as
// the aws CLI configures it: keys sorted, sequences not indented under
// their key, strings quoted only when plain text would read as another
// type, long strings folded at column 80.

var (
	yamlBool      = regexp.MustCompile(`^(?:true|True|TRUE|false|False|FALSE)$`)
	yamlNull      = regexp.MustCompile(`^(?:~|null|Null|NULL)$`)
	yamlInt       = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`)
	yamlFloat     = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yamlTimestamp = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?)$`)
)

const yamlWidth = 80

type yamlWriter struct {
	b      strings.Builder
	column int
}

func (y *yamlWriter) write(s string) {
	y.b.WriteString(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		y.column = len([]rune(s[i+1:]))
	} else {
		y.column += len([]rune(s))
	}
}

// writeYAML prints v as the aws CLI's yaml output; scalars at the top are
// printed as JSON, as the aws CLI does.
func writeYAML(w io.Writer, v any) error {
	if !isContainer(v) {
		_, err := io.WriteString(w, pyScalarJSON(v)+"\n")
		return err
	}
	y := &yamlWriter{}
	y.node(v, 0, false)
	_, err := io.WriteString(w, y.b.String())
	return err
}

// node writes v at indent; inline is true when v follows "key:" or "- "
// on the current line.
func (y *yamlWriter) node(v any, indent int, inline bool) {
	switch x := v.(type) {
	case *object:
		if x.len() == 0 {
			y.write("{}\n")
			return
		}
		for i, k := range x.sortedKeys() {
			if i > 0 || !inline {
				y.write(strings.Repeat(" ", indent))
			}
			y.write(yamlScalar(k, indent, y) + ":")
			val := x.vals[k]
			switch c := val.(type) {
			case *object:
				if c.len() == 0 {
					y.write(" {}\n")
				} else {
					y.write("\n")
					y.node(c, indent+2, false)
				}
			case []any:
				if len(c) == 0 {
					y.write(" []\n")
				} else {
					y.write("\n")
					y.node(c, indent, false)
				}
			default:
				y.write(" ")
				y.write(yamlScalar(val, indent+2, y) + "\n")
			}
		}
	case []any:
		if len(x) == 0 {
			y.write("[]\n")
			return
		}
		for i, e := range x {
			if i > 0 || !inline {
				y.write(strings.Repeat(" ", indent))
			}
			y.write("- ")
			switch e.(type) {
			case *object, []any:
				y.node(e, indent+2, true)
			default:
				y.write(yamlScalar(e, indent+2, y) + "\n")
			}
		}
	default:
		y.write(yamlScalar(v, indent, y) + "\n")
	}
}

// yamlScalar renders a scalar; strings may fold, continuing at indent.
func yamlScalar(v any, indent int, y *yamlWriter) string {
	s, ok := v.(string)
	if !ok {
		switch x := v.(type) {
		case nil:
			return "null"
		case bool:
			if x {
				return "true"
			}
			return "false"
		}
		return pyScalarJSON(v)
	}
	style := yamlStyle(s)
	if style != '"' && strings.IndexFunc(s, func(r rune) bool { return r > 0x7f }) >= 0 {
		// ruamel (as the aws CLI runs it) does not fold non-ASCII text.
		if style == 'p' {
			return s
		}
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	switch style {
	case 'p':
		return foldPlain(s, indent, y.column)
	case '\'':
		return foldSingle(s, indent, y.column)
	}
	return doubleQuoted(s)
}

// yamlStyle picks plain ('p'), single-quoted or double-quoted ('"').
func yamlStyle(s string) byte {
	if s == "" {
		return '\''
	}
	special, multiline := false, false
	for _, r := range s {
		if r == '\n' {
			multiline = true
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff || !unicode.IsPrint(r) && r != ' ' && r < 0x10000 && r > 0xd7ff && r < 0xe000 {
			special = true
		}
	}
	if special {
		return '"'
	}
	if multiline || !plainAllowed(s) || yamlBool.MatchString(s) || yamlNull.MatchString(s) ||
		yamlInt.MatchString(s) || yamlFloat.MatchString(s) || yamlTimestamp.MatchString(s) ||
		s == "=" || s == "<<" {
		if strings.HasPrefix(s, " ") && multiline {
			return '"'
		}
		return '\''
	}
	return 'p'
}

func plainAllowed(s string) bool {
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return false
	}
	r := []rune(s)
	if r[0] == ' ' || r[len(r)-1] == ' ' {
		return false
	}
	if strings.ContainsRune("#,[]{}&*!|>'\"%@`", r[0]) {
		return false
	}
	if (r[0] == '?' || r[0] == ':' || r[0] == '-') && (len(r) == 1 || r[1] == ' ') {
		return false
	}
	for i := 1; i < len(r); i++ {
		if r[i] == ':' && (i+1 == len(r) || r[i+1] == ' ') {
			return false
		}
		if r[i] == '#' && r[i-1] == ' ' {
			return false
		}
	}
	return true
}

// foldPlain breaks at single spaces once past column 80, as PyYAML does.
func foldPlain(s string, indent, column int) string {
	var b strings.Builder
	words := strings.Split(s, " ")
	col := column
	for i, w := range words {
		if i > 0 {
			if w != "" && words[i-1] != "" && col > yamlWidth {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len([]rune(w))
	}
	return b.String()
}

// foldSingle writes a single-quoted scalar, doubling quotes, folding long
// lines at spaces and writing line breaks as blank lines.
func foldSingle(s string, indent, column int) string {
	var b strings.Builder
	col := column + 1
	b.WriteByte('\'')
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == ' ' && i > 0 && i+1 < len(r) && r[i+1] != ' ' && r[i-1] != ' ' && col > yamlWidth:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		case c == '\n':
			j := i
			for j < len(r) && r[j] == '\n' {
				j++
			}
			b.WriteString("\n")
			for k := i; k < j; k++ {
				b.WriteString("\n")
			}
			b.WriteString(strings.Repeat(" ", indent))
			col = indent
			i = j - 1
		case c == '\'':
			b.WriteString("''")
			col += 2
		default:
			b.WriteRune(c)
			col++
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func doubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\x` + strings.ToUpper(string("0123456789abcdef"[r>>4])+string("0123456789abcdef"[r&15])))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
