package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmespath/go-jmespath"
	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

// result is what an operation returned: one response, or the pages of a
// paginated listing with the aws CLI's aggregate and resume token.
type result struct {
	single    *object
	paginated bool
	pages     []*object // result keys only, as the text output prints them
	full      *object   // build_full_result
	resume    string
}

// compileQuery checks a --query expression up front, as the aws CLI does.
func compileQuery(expr string) (*jmespath.JMESPath, error) {
	q, err := jmespath.Compile(legacyLiterals(expr))
	if err != nil {
		msg := err.Error()
		if se, ok := err.(jmespath.SyntaxError); ok {
			// Python jmespath's layout: the expression quoted, a caret under it.
			msg = fmt.Sprintf("Invalid jmespath expression: %s:\n\"%s\"\n%s^", strings.TrimSuffix(se.Error(), "."),
				expr, strings.Repeat(" ", se.Offset+1))
			msg = strings.Replace(msg, "SyntaxError: ", "", 1)
		}
		return nil, &paramError{fmt.Sprintf("Bad value for --query %s: %s", expr, msg)}
	}
	return q, nil
}

// applyQuery runs a JMESPath query over ordered data and restores key order.
func applyQuery(q *jmespath.JMESPath, expr string, v any) (any, error) {
	out, err := q.Search(plain(v))
	if err != nil {
		return nil, &fatalError{err.Error()}
	}
	return newKeyRanker(v, expr).ordered(out), nil
}

// printer writes results in the chosen output format.
type printer struct {
	format    string
	query     *jmespath.JMESPath
	queryText string
	color     string
	out       io.Writer
}

func (p *printer) transform(v any) (any, error) {
	if p.query == nil {
		return v, nil
	}
	return applyQuery(p.query, p.queryText, v)
}

func (p *printer) print(opName string, r *result) error {
	if p.format == "text" {
		return p.printText(r)
	}
	if p.format == "yaml-stream" {
		return p.printYAMLStream(r)
	}
	data := any(r.single)
	if r.paginated {
		data = r.full
	}
	v, err := p.transform(data)
	if err != nil {
		return err
	}
	switch p.format {
	case "table":
		return writeTable(p.out, opName, v, p.termWidth(), p.colorOn())
	case "yaml":
		if o, ok := v.(*object); ok && o.len() == 0 {
			return nil
		}
		return writeYAML(p.out, v)
	}
	// json: an empty response prints nothing.
	if o, ok := v.(*object); ok && o.len() == 0 {
		return nil
	}
	return writeJSON(p.out, v)
}

func (p *printer) printText(r *result) error {
	if !r.paginated {
		v, err := p.transform(r.single)
		if err != nil {
			return err
		}
		return writeText(p.out, v)
	}
	for _, page := range r.pages {
		v, err := p.transform(page)
		if err != nil {
			return err
		}
		if err := writeText(p.out, v); err != nil {
			return err
		}
	}
	if r.resume != "" {
		inner := newObject()
		inner.set("NextToken", r.resume)
		tok := newObject()
		tok.set("NextToken", inner)
		v, err := p.transform(tok)
		if err != nil {
			return err
		}
		return writeText(p.out, v)
	}
	return nil
}

func (p *printer) printYAMLStream(r *result) error {
	pages := []*object{r.single}
	if r.paginated {
		pages = r.pages
	} else if r.single.len() == 0 {
		return nil
	}
	for _, page := range pages {
		v, err := p.transform(page)
		if err != nil {
			return err
		}
		if err := writeYAML(p.out, []any{v}); err != nil {
			return err
		}
	}
	return nil
}

func (p *printer) termWidth() int {
	if f, ok := p.out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

func (p *printer) colorOn() bool {
	switch p.color {
	case "on":
		return true
	case "off":
		return false
	}
	f, ok := p.out.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// profileOutput reads the "output" setting of the profile from the shared
// config file (the SDK's loader does not expose it).
func profileOutput(profile string) string {
	path := os.Getenv("AWS_CONFIG_FILE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		path = filepath.Join(home, ".aws", "config")
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	want := "profile " + profile
	if profile == "default" {
		want = "default"
	}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			name := strings.Join(strings.Fields(line[1:len(line)-1]), " ")
			in = name == want || (profile == "default" && name == "profile default")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); in && ok && strings.TrimSpace(k) == "output" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// outputFormat picks --output, then AWS_DEFAULT_OUTPUT, then the profile.
func outputFormat(g *globals) string {
	if g.output != "" {
		return g.output
	}
	if v := os.Getenv("AWS_DEFAULT_OUTPUT"); v != "" {
		return v
	}
	profile := g.profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	if v := profileOutput(profile); v != "" {
		return v
	}
	return "json"
}
