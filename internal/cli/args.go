package cli

import (
	"fmt"
	"sort"
	"strings"
)

// globals are the aws CLI's global options that idpool honours.
type globals struct {
	endpointURL    string
	region         string
	profile        string
	output         string
	query          string
	queryGiven     bool
	noPaginate     bool
	noSignRequest  bool
	noVerifySSL    bool
	caBundle       string
	readTimeout    string
	connectTimeout string
	debug          bool
	color          string
	// explain prints the call's trace after the answer (idpool only).
	explain bool
}

// argSpec describes one command-line option of an operation.
type argSpec struct {
	flag   string  // "--identity-pool-id"
	member *member // nil for paging and input options
	negate bool    // the --no-... spelling of a boolean
	list   bool    // takes one or more values
	bool   bool    // takes no value
}

// parsed is one operation's command line after parsing.
type parsed struct {
	values       map[string][]string // member name -> raw values
	order        []string            // member names in command-line order
	bools        map[string]bool
	startToken   string
	pageSize     string
	maxItems     string
	inputJSON    string
	inputYAML    string
	skeleton     string
	skeletonSet  bool
	pagingGiven  []string
	limitPresent bool
}

// usageError is a command-line error: printed after the usage text, exit 252.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// paramError is printed alone (no usage text), exit 252.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

// globalFlags maps global options to whether they take a value.
var globalFlags = map[string]bool{
	"--endpoint-url": true, "--region": true, "--profile": true, "--output": true, "--query": true,
	"--no-paginate": false, "--no-sign-request": false, "--no-verify-ssl": false, "--ca-bundle": true,
	"--cli-read-timeout": true, "--cli-connect-timeout": true, "--debug": false, "--color": true, "--explain": false,
	"--no-cli-pager": false, "--cli-binary-format": true, "--cli-auto-prompt": false, "--no-cli-auto-prompt": false,
}

// splitGlobals removes the global options from args wherever they are, as
// the aws CLI accepts them before or after the subcommand.
func splitGlobals(args []string) ([]string, *globals, error) {
	g := &globals{color: "auto"}
	var rest []string
	names := make([]string, 0, len(globalFlags))
	for n := range globalFlags {
		names = append(names, n)
	}
	sort.Strings(names)
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasEq := strings.Cut(a, "=")
		if strings.HasPrefix(name, "--") {
			full, err := resolveAbbrev(name, names)
			if err != nil {
				return nil, nil, err
			}
			if full != "" {
				name = full
			}
		}
		takes, ok := globalFlags[name]
		if !ok || !strings.HasPrefix(a, "--") {
			rest = append(rest, a)
			continue
		}
		if takes && !hasEq {
			if i+1 >= len(args) || looksLikeFlag(args[i+1]) {
				return nil, nil, &usageError{fmt.Sprintf("argument %s: expected one argument", name)}
			}
			i++
			val = args[i]
		}
		switch name {
		case "--endpoint-url":
			g.endpointURL = val
		case "--region":
			g.region = val
		case "--profile":
			g.profile = val
		case "--output":
			if !validChoice(val, outputChoices) {
				return nil, nil, &usageError{"argument --output: Invalid choice, valid choices are:\n\n" + choiceColumns(outputChoices)}
			}
			g.output = val
		case "--query":
			g.query, g.queryGiven = val, true
		case "--no-paginate":
			g.noPaginate = true
		case "--no-sign-request":
			g.noSignRequest = true
		case "--no-verify-ssl":
			g.noVerifySSL = true
		case "--ca-bundle":
			g.caBundle = val
		case "--cli-read-timeout":
			g.readTimeout = val
		case "--cli-connect-timeout":
			g.connectTimeout = val
		case "--debug":
			g.debug = true
		case "--explain":
			g.explain = true
		case "--color":
			if !validChoice(val, []string{"on", "off", "auto"}) {
				return nil, nil, &usageError{"argument --color: Invalid choice, valid choices are:\n\n" + choiceColumns([]string{"on", "off", "auto"})}
			}
			g.color = val
		}
	}
	return rest, g, nil
}

var outputChoices = []string{"json", "text", "table", "yaml", "yaml-stream"}

func validChoice(v string, choices []string) bool {
	for _, c := range choices {
		if c == v {
			return true
		}
	}
	return false
}

// choiceColumns lays choices out in two columns of 40 characters, as the
// aws CLI's "Invalid choice" message does.
func choiceColumns(choices []string) string {
	var b strings.Builder
	for i := 0; i < len(choices); i += 2 {
		if i+1 < len(choices) {
			fmt.Fprintf(&b, "%-40s | %-40s\n", choices[i], choices[i+1])
		} else {
			fmt.Fprintf(&b, "%-40s\n", choices[i])
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// argTable lists an operation's options: one per input member (two for
// booleans), the paging options and the input/skeleton options.
func argTable(op *operation) []argSpec {
	var specs []argSpec
	if op.Input != nil {
		for i := range op.Input.Members {
			m := &op.Input.Members[i]
			flag := "--" + xformName(m.Name)
			switch {
			case m.Shape.Type == "boolean":
				specs = append(specs, argSpec{flag: flag, member: m, bool: true},
					argSpec{flag: "--no-" + xformName(m.Name), member: m, bool: true, negate: true})
			case m.Shape.Type == "list":
				specs = append(specs, argSpec{flag: flag, member: m, list: true})
			default:
				specs = append(specs, argSpec{flag: flag, member: m})
			}
		}
	}
	if op.Paging != nil {
		specs = append(specs, argSpec{flag: "--starting-token"}, argSpec{flag: "--page-size"}, argSpec{flag: "--max-items"})
	}
	specs = append(specs, argSpec{flag: "--cli-input-json"}, argSpec{flag: "--cli-input-yaml"}, argSpec{flag: "--generate-cli-skeleton"})
	return specs
}

// parseOpArgs parses an operation's options (globals already removed).
func parseOpArgs(op *operation, args []string) (*parsed, error) {
	specs := argTable(op)
	byFlag := map[string]*argSpec{}
	for i := range specs {
		byFlag[specs[i].flag] = &specs[i]
	}
	flags := make([]string, len(specs))
	for i, s := range specs {
		flags[i] = s.flag
	}
	p := &parsed{values: map[string][]string{}, bools: map[string]bool{}}
	var unknown []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasEq := strings.Cut(a, "=")
		if strings.HasPrefix(name, "--") {
			full, err := resolveAbbrev(name, flags)
			if err != nil {
				return nil, err
			}
			if full != "" {
				name = full
			}
		}
		spec, ok := byFlag[name]
		if !ok || !strings.HasPrefix(a, "--") {
			unknown = append(unknown, a)
			continue
		}
		if spec.bool {
			if hasEq {
				return nil, &usageError{fmt.Sprintf("argument %s: ignored explicit argument '%s'", name, val)}
			}
			p.bools[spec.member.Name] = !spec.negate
			p.note(spec.member.Name)
			continue
		}
		var vals []string
		if hasEq {
			vals = []string{val}
		} else {
			for i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				i++
				vals = append(vals, args[i])
				if !spec.list {
					break
				}
			}
		}
		if name == "--generate-cli-skeleton" {
			p.skeletonSet = true
			p.skeleton = "input"
			if len(vals) > 0 {
				if !validChoice(vals[0], []string{"input", "output", "yaml-input"}) {
					return nil, &usageError{"argument --generate-cli-skeleton: Invalid choice, valid choices are:\n\n" + choiceColumns([]string{"input", "output", "yaml-input"})}
				}
				p.skeleton = vals[0]
			}
			continue
		}
		if len(vals) == 0 && spec.list && spec.member != nil {
			// Lists are argparse nargs="*": an empty list is allowed.
			p.values[spec.member.Name] = []string{}
			p.note(spec.member.Name)
			continue
		}
		if len(vals) == 0 {
			return nil, &usageError{fmt.Sprintf("argument %s: expected one argument", name)}
		}
		switch name {
		case "--starting-token":
			p.startToken = vals[0]
			p.pagingGiven = append(p.pagingGiven, name)
		case "--page-size":
			p.pageSize = vals[0]
			p.pagingGiven = append(p.pagingGiven, name)
		case "--max-items":
			p.maxItems = vals[0]
			p.pagingGiven = append(p.pagingGiven, name)
		case "--cli-input-json":
			p.inputJSON = vals[0]
		case "--cli-input-yaml":
			p.inputYAML = vals[0]
		default:
			p.values[spec.member.Name] = vals
			p.note(spec.member.Name)
		}
	}
	if len(unknown) > 0 {
		return nil, &usageError{"Unknown options: " + strings.Join(unknown, ", ")}
	}
	return p, nil
}

// resolveAbbrev expands a unique prefix of an option, as argparse (and so
// the aws CLI) allows: "" when nothing matches, an error when several do.
func resolveAbbrev(name string, flags []string) (string, error) {
	var matches []string
	for _, f := range flags {
		if f == name {
			return f, nil
		}
		if strings.HasPrefix(f, name) {
			matches = append(matches, f)
		}
	}
	switch len(matches) {
	case 0:
		return "", nil
	case 1:
		return matches[0], nil
	}
	return "", &usageError{fmt.Sprintf("ambiguous option: %s could match %s", name, strings.Join(matches, ", "))}
}

func (p *parsed) note(name string) {
	for _, n := range p.order {
		if n == name {
			return
		}
	}
	p.order = append(p.order, name)
}

// looksLikeFlag is argparse's test: "--x" or "-x", but not a negative
// number nor anything with a space in it.
func looksLikeFlag(s string) bool {
	if !strings.HasPrefix(s, "-") || s == "-" || strings.Contains(s, " ") {
		return false
	}
	if len(s) > 1 && (s[1] >= '0' && s[1] <= '9' || s[1] == '.') {
		return false
	}
	return true
}

// missingRequired lists required members absent from both the command line
// and the input file, as "--flag" names. Booleans are not enforced by the
// parser (the aws CLI leaves them to parameter validation).
func missingRequired(op *operation, p *parsed, fromFile bool) []string {
	if op.Input == nil || fromFile {
		return nil
	}
	var missing []string
	for _, m := range op.Input.Members {
		if !op.Input.isRequired(m.Name) || m.Shape.Type == "boolean" {
			continue
		}
		if _, ok := p.values[m.Name]; ok {
			continue
		}
		missing = append(missing, "--"+xformName(m.Name))
	}
	return missing
}
