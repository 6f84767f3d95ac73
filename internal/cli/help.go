package cli

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	htmlBlock = regexp.MustCompile(`(?i)</?(p|ul|ol|li|note|important|br ?/?)>`)
	spaces    = regexp.MustCompile(`[ \t]+`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// plainDoc strips the model's HTML documentation to wrapped plain text.
func plainDoc(doc, indent string) string {
	s := htmlBlock.ReplaceAllString(doc, "\n\n")
	s = unescapeHTML(htmlTag.ReplaceAllString(s, ""))
	var paras []string
	for _, p := range strings.Split(s, "\n\n") {
		p = strings.TrimSpace(spaces.ReplaceAllString(strings.ReplaceAll(p, "\n", " "), " "))
		if p != "" {
			paras = append(paras, wrap(p, 76-len(indent), indent))
		}
	}
	return blankRuns.ReplaceAllString(strings.Join(paras, "\n\n"), "\n\n")
}

func wrap(s string, width int, indent string) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, indent+line)
			line = w
			continue
		}
		if line == "" {
			line = w
		} else {
			line += " " + w
		}
	}
	if line != "" {
		lines = append(lines, indent+line)
	}
	return strings.Join(lines, "\n")
}

// serviceHelp is "idpool help": the service description and subcommands.
func (m *model) serviceHelp() string {
	var b strings.Builder
	b.WriteString("COGNITO-IDENTITY()\n\nNAME\n       cognito-identity -\n\nDESCRIPTION\n")
	b.WriteString(plainDoc(m.Doc, "       ") + "\n\n")
	b.WriteString("       idpool runs every subcommand below against an idpool server (or AWS)\n" +
		"       with the aws CLI's options; \"idpool cognito-identity SUBCOMMAND\" works too.\n\n")
	b.WriteString("AVAILABLE COMMANDS\n")
	for _, op := range m.Operations {
		b.WriteString("       o " + op.CLI + "\n\n")
	}
	b.WriteString("       o decode-token\n\n       o help\n\n")
	b.WriteString("GLOBAL OPTIONS\n")
	for _, g := range []string{"--debug", "--endpoint-url <string>", "--no-verify-ssl", "--no-paginate",
		"--output <string> (json, text, table, yaml, yaml-stream)", "--query <string>", "--profile <string>",
		"--region <string>", "--color <string> (on, off, auto)", "--no-sign-request", "--ca-bundle <string>",
		"--cli-read-timeout <int>", "--cli-connect-timeout <int>"} {
		b.WriteString("       " + g + "\n")
	}
	return b.String()
}

// help is "idpool SUBCOMMAND help": the operation's documentation and
// its options, with each option's type and documentation.
func (op *operation) help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s()\n\nNAME\n       %s -\n\nDESCRIPTION\n%s\n\nSYNOPSIS\n            %s\n", strings.ToUpper(op.CLI), op.CLI, plainDoc(op.Doc, "       "), op.CLI)
	specs := argTable(op)
	for i := 0; i < len(specs); i++ {
		s := specs[i]
		var line string
		switch {
		case s.flag == "--cli-input-json":
			line = "[--cli-input-json | --cli-input-yaml]"
			i++
		case s.member == nil:
			line = "[" + s.flag + " <value>]"
		case s.bool && !s.negate && i+1 < len(specs) && specs[i+1].negate:
			line = s.flag + " | " + specs[i+1].flag
			i++
		default:
			line = s.flag + " <value>"
		}
		if s.member != nil && !op.Input.isRequired(s.member.Name) {
			line = "[" + line + "]"
		}
		b.WriteString("          " + line + "\n")
	}
	b.WriteString("          [--debug]\n          [--endpoint-url <value>]\n          [--no-verify-ssl]\n" +
		"          [--no-paginate]\n          [--output <value>]\n          [--query <value>]\n" +
		"          [--profile <value>]\n          [--region <value>]\n          [--color <value>]\n" +
		"          [--no-sign-request]\n          [--ca-bundle <value>]\n          [--cli-read-timeout <value>]\n" +
		"          [--cli-connect-timeout <value>]\n\nOPTIONS\n")
	if op.Input != nil {
		for _, m := range op.Input.Members {
			flag := "--" + xformName(m.Name)
			if m.Shape.Type == "boolean" {
				flag += " | --no-" + xformName(m.Name)
			}
			fmt.Fprintf(&b, "       %s (%s)\n", flag, typeName(m.Shape))
			if d := plainDoc(m.Doc, "          "); d != "" {
				b.WriteString(d + "\n")
			}
			if ex := shorthandExample(m.Shape); ex != "" {
				b.WriteString("\n       Shorthand Syntax:\n\n          " + ex + "\n")
			}
			if !m.Shape.scalar() {
				var js strings.Builder
				pyJSON(&js, skeleton(m.Shape, nil, "", false), 0)
				b.WriteString("\n       JSON Syntax:\n\n" + indentLines(js.String(), "          ") + "\n")
			}
			if len(m.Shape.Enum) > 0 {
				b.WriteString("\n          Possible values:\n\n")
				for _, e := range m.Shape.Enum {
					b.WriteString("          o " + e + "\n\n")
				}
			}
			b.WriteString("\n")
		}
	}
	if op.Paging != nil {
		b.WriteString("       --starting-token (string)\n          A token to specify where to start paginating.\n\n" +
			"       --page-size (integer)\n          The size of each page to get in the AWS service call.\n\n" +
			"       --max-items (integer)\n          The total number of items to return in the command's output.\n\n")
	}
	b.WriteString("       --cli-input-json | --cli-input-yaml (string) Reads arguments from the JSON\n" +
		"       string provided. Command-line values override the JSON-provided values.\n\n" +
		"       --generate-cli-skeleton (string) Prints a JSON skeleton to standard\n" +
		"       output without sending an API request (input, output, yaml-input).\n\n")
	if op.Output != nil && len(op.Output.Members) > 0 {
		b.WriteString("OUTPUT\n")
		for _, m := range op.Output.Members {
			fmt.Fprintf(&b, "       %s -> (%s)\n", m.Name, typeName(m.Shape))
			if d := plainDoc(m.Doc, "          "); d != "" {
				b.WriteString(d + "\n")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// shorthandExample is the "Shorthand Syntax" line of the aws CLI's help.
func shorthandExample(s *shape) string {
	fields := func(st *shape) string {
		var parts []string
		for _, m := range st.Members {
			if !m.Shape.scalar() {
				return ""
			}
			parts = append(parts, m.Name+"="+m.Shape.Type)
		}
		return strings.Join(parts, ",")
	}
	switch s.Type {
	case "map":
		if s.Value.scalar() {
			return "KeyName1=" + s.Value.Type + ",KeyName2=" + s.Value.Type
		}
	case "structure":
		return fields(s)
	case "list":
		if s.Member.scalar() {
			return s.Member.Type + " " + s.Member.Type + " ..."
		}
		if s.Member.Type == "structure" {
			if f := fields(s.Member); f != "" {
				return f + " ..."
			}
		}
	}
	return ""
}

func indentLines(s, indent string) string {
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent)
}

func typeName(s *shape) string {
	switch s.Type {
	case "list":
		return "list"
	case "map":
		return "map"
	}
	return s.Type
}
