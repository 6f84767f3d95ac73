package cli

import (
	"io"
	"math"
	"strings"

	"golang.org/x/text/width"
)

// The table output is a port of awscli/formatter.py's TableFormatter and
// awscli/table.py's MultiTable, so boxes, widths and rounding match.

type section struct {
	title     string
	headers   []string
	rows      [][]string
	indent    int
	numCols   int
	maxWidths []int
}

type tableStyler struct{ color bool }

const (
	ansiReset  = "\x1b[0m"
	ansiRowEl  = "\x1b[1m\x1b[34m"
	ansiIndent = "\x1b[2m\x1b[33m"
)

func (s tableStyler) rowElement(t string) string {
	if s.color {
		return ansiRowEl + t + ansiReset
	}
	return t
}

func (s tableStyler) indentChar(t string) string {
	if s.color {
		return ansiIndent + t + ansiReset
	}
	return t
}

type multiTable struct {
	sections      []*section
	cur           *section
	terminalWidth int
	styler        tableStyler
}

// textLength counts East Asian wide, fullwidth and ambiguous runes as two
// columns, as awscli's get_text_length does.
func textLength(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth, width.EastAsianAmbiguous:
			n += 2
		default:
			n++
		}
	}
	return n
}

func (s *section) updateWidths(row []string) {
	if len(s.maxWidths) == 0 {
		for _, el := range row {
			s.maxWidths = append(s.maxWidths, textLength(el))
		}
		return
	}
	for i, el := range row {
		if i < len(s.maxWidths) {
			s.maxWidths[i] = max(s.maxWidths[i], textLength(el))
		}
	}
}

func (s *section) addHeader(h []string) {
	s.updateWidths(h)
	if s.numCols == 0 {
		s.numCols = len(h)
	}
	s.headers = h
}

func (s *section) addRow(row []any) {
	strs := make([]string, len(row))
	for i, r := range row {
		strs[i] = pyStr(r)
	}
	if s.numCols == 0 {
		s.numCols = len(strs)
	}
	s.rows = append(s.rows, strs)
	s.updateWidths(strs)
}

// columnWidths scales the columns to maxWidth exactly; Python's round()
// rounds halves to even, hence math.RoundToEven.
func (s *section) columnWidths(padding, maxWidth int) []int {
	w := make([]int, len(s.maxWidths))
	sum := 0
	for i, m := range s.maxWidths {
		w[i] = m + padding
		sum += w[i]
	}
	if maxWidth < 0 || len(w) == 0 {
		return w
	}
	scale := float64(maxWidth) / float64(sum)
	total := 0
	for i := range w {
		w[i] = int(math.RoundToEven(scale * float64(w[i])))
		total += w[i]
	}
	off := total - maxWidth
	for off != 0 {
		if off > 0 {
			for i := 0; i < len(w) && off != 0; i++ {
				w[i]--
				off--
			}
		} else {
			for i := len(w) - 1; i >= 0 && off != 0; i-- {
				w[i]++
				off++
			}
		}
	}
	return w
}

func (s *section) totalWidth(padding int, border bool, outer int) int {
	total := 0
	for _, w := range s.columnWidths(0, -1) {
		total += w + padding
	}
	if border {
		total += 2
	}
	total += 2 * outer
	return max(textLength(s.title)+2+2*outer, total)
}

func (t *multiTable) newSection(title string, indent int) {
	t.cur = &section{title: title, indent: indent}
	t.sections = append(t.sections, t.cur)
}

func (t *multiTable) maxWidth() int {
	m := 0
	for _, s := range t.sections {
		m = max(m, s.totalWidth(4, true, s.indent))
	}
	return m
}

func (t *multiTable) render(w *strings.Builder) {
	mw := t.maxWidth()
	if mw > t.terminalWidth {
		// Single-row sections turn vertical when the table is too wide.
		for i, s := range t.sections {
			if len(s.rows) == 1 && len(s.headers) > 0 {
				ns := &section{title: s.title, indent: s.indent}
				for j, h := range s.headers {
					if j < len(s.rows[0]) {
						ns.addRow([]any{h, s.rows[0][j]})
					}
				}
				t.sections[i] = ns
			}
		}
		mw = t.maxWidth()
	}
	w.WriteString(strings.Repeat("-", mw) + "\n")
	for _, s := range t.sections {
		t.renderSection(w, s, mw)
	}
}

func centerText(text string, length int, left, right string, textLen int) string {
	start := length/2 - textLen/2 - 1
	so := textLength(left) + start + textLen
	rs := length - textLength(right) - so
	return left + strings.Repeat(" ", max(start, 0)) + text + strings.Repeat(" ", max(rs, 0)) + right
}

func alignLeft(text string, length int, left, right string, textLen int) string {
	padding := 0
	if length-(textLen+2+textLength(left)+textLength(right)) >= 0 {
		padding = 2
	}
	so := len(left) + padding + textLen
	rs := length - so - len(right)
	if rs < 0 {
		rs = 0
	}
	return left + strings.Repeat(" ", padding) + text + strings.Repeat(" ", rs) + right
}

func (t *multiTable) renderSection(w *strings.Builder, s *section, mw int) {
	ind := t.styler.indentChar("|")
	write := func(line string) {
		w.WriteString(strings.Repeat(ind, s.indent) + line + strings.Repeat(ind, s.indent) + "\n")
	}
	mw -= 2 * s.indent
	if s.title != "" {
		write(centerText(s.title, mw, "|", "|", textLength(s.title)))
		if len(s.headers) == 0 && len(s.rows) == 0 {
			write("+" + strings.Repeat("-", mw-2) + "+")
		}
	}
	lineBreak := func(widths []int) {
		var b strings.Builder
		for i, wd := range widths {
			if i == 0 {
				b.WriteString("+" + strings.Repeat("-", max(wd-2, 0)) + "+")
			} else {
				b.WriteString(strings.Repeat("-", max(wd-1, 0)) + "+")
			}
		}
		write(b.String())
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, mw)
		var cur strings.Builder
		for i, h := range s.headers {
			if i >= len(widths) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(centerText(h, widths[i], left, "|", textLength(h)))
		}
		lineBreak(widths)
		write(cur.String())
	}
	if len(s.rows) == 0 {
		return
	}
	widths := s.columnWidths(4, mw)
	if len(widths) == 0 {
		return
	}
	lineBreak(widths)
	for _, row := range s.rows {
		var cur strings.Builder
		for i, el := range row {
			if i >= len(widths) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(alignLeft(t.styler.rowElement(el), widths[i], left, "|", textLength(el)))
		}
		write(cur.String())
	}
	lineBreak(widths)
}

// writeTable prints v under title (the operation name) as the aws CLI's
// table output does; nothing is printed for an empty response.
func writeTable(w io.Writer, title string, v any, termWidth int, color bool) error {
	t := &multiTable{terminalWidth: termWidth, styler: tableStyler{color: color}}
	if !t.build(title, v, 0) {
		return nil
	}
	var b strings.Builder
	t.render(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *object:
		return x.len() == 0
	case []any:
		return len(x) == 0
	case string:
		return x == ""
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	}
	return false
}

// noTitle stands for Python's title=None: no new section.
const noTitle = "\x00"

func (t *multiTable) build(title string, cur any, indent int) bool {
	if empty(cur) {
		return false
	}
	if title != noTitle {
		t.newSection(title, indent)
	}
	switch x := cur.(type) {
	case []any:
		if _, ok := x[0].(*object); ok {
			t.subTableFromList(x, indent, title)
		} else {
			for _, item := range x {
				if !isContainer(item) {
					t.cur.addRow([]any{item})
				} else if l, ok := item.([]any); ok && allScalars(l) {
					t.cur.addRow(l)
				} else {
					t.build(noTitle, item, 0)
				}
			}
		}
	case *object:
		t.subTableFromDict(x, indent)
	}
	return true
}

func allScalars(l []any) bool {
	for _, e := range l {
		if isContainer(e) {
			return false
		}
	}
	return true
}

func groupScalarKeys(o *object) (headers, more []string) {
	for _, k := range o.sortedKeys() {
		if isContainer(o.vals[k]) {
			more = append(more, k)
		} else {
			headers = append(headers, k)
		}
	}
	return headers, more
}

func (t *multiTable) subTableFromDict(o *object, indent int) {
	headers, more := groupScalarKeys(o)
	if len(headers) == 1 {
		t.cur.addRow([]any{headers[0], o.vals[headers[0]]})
	} else if len(headers) > 0 {
		t.cur.addHeader(headers)
		row := make([]any, len(headers))
		for i, h := range headers {
			row[i] = o.vals[h]
		}
		t.cur.addRow(row)
	}
	for _, k := range more {
		t.build(k, o.vals[k], indent+1)
	}
}

func (t *multiTable) subTableFromList(items []any, indent int, title string) {
	hs, ms := map[string]bool{}, map[string]bool{}
	for _, e := range items {
		if o, ok := e.(*object); ok {
			h, m := groupScalarKeys(o)
			for _, k := range h {
				hs[k] = true
			}
			for _, k := range m {
				ms[k] = true
			}
		}
	}
	headers, more := sortedSet(hs), sortedSet(ms)
	if title == noTitle {
		title = ""
	}
	t.cur.addHeader(headers)
	for i, e := range items {
		o, _ := e.(*object)
		if o == nil {
			o = newObject()
		}
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			t.cur.addHeader(headers)
		}
		row := make([]any, len(headers))
		for j, h := range headers {
			if v, ok := o.vals[h]; ok {
				row[j] = v
			} else {
				row[j] = ""
			}
		}
		t.cur.addRow(row)
		for _, k := range more {
			if v, ok := o.vals[k]; ok {
				t.build(k, v, indent+1)
			}
		}
	}
}

func sortedSet(m map[string]bool) []string {
	o := newObject()
	for k := range m {
		o.set(k, nil)
	}
	return o.sortedKeys()
}
