package cli

import (
	"regexp"
	"strings"
)

// skeleton builds a sample value of s as botocore's ArgumentGenerator does:
// for input, empty strings (first enum value), 0, true; for output
// (memberNames), strings hold their member's name. Recursive shapes stop
// at their second appearance.
func skeleton(s *shape, stack []string, name string, memberNames bool) any {
	stack = append(stack, s.Name)
	switch s.Type {
	case "structure":
		o := newObject()
		count := 0
		for _, n := range stack {
			if n == s.Name {
				count++
			}
		}
		if count > 1 {
			return o
		}
		for _, m := range s.Members {
			o.set(m.Name, skeleton(m.Shape, stack, m.Name, memberNames))
		}
		return o
	case "list":
		n := ""
		if memberNames {
			n = s.Member.Name
		}
		return []any{skeleton(s.Member, stack, n, memberNames)}
	case "map":
		o := newObject()
		o.set("KeyName", skeleton(s.Value, stack, "", memberNames))
		return o
	case "string":
		if memberNames {
			return name
		}
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return ""
	case "integer", "long":
		return int64(0)
	case "float", "double":
		return 0.0
	case "boolean":
		return true
	case "timestamp":
		return "1970-01-01T00:00:00"
	}
	return nil
}

var (
	htmlTag        = regexp.MustCompile(`<[^>]*>`)
	sentenceDelims = regexp.MustCompile(`[.:]+`)
)

// docOverview is the first sentence of a shape's documentation without
// markup, as awscli's get_shape_doc_overview computes it.
func docOverview(doc string) string {
	content := unescapeHTML(htmlTag.ReplaceAllString(doc, ""))
	content = sentenceDelims.Split(content, 2)[0]
	if content != "" {
		content += "."
	}
	content = strings.ReplaceAll(content, "\n", " ")
	return strings.ReplaceAll(content, "\u2028", " ")
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&").Replace(s)
}

// yamlSkeleton writes the --generate-cli-skeleton yaml-input document:
// ruamel's round-trip dump with an end-of-line comment per member. ruamel
// puts the first comment of each mapping two spaces after its value and
// the rest one space after.
func yamlSkeleton(s *shape) string {
	var b strings.Builder
	yamlSkelStruct(&b, s, []string{s.Name}, 0, false)
	return b.String()
}

func yamlSkelStruct(b *strings.Builder, s *shape, stack []string, indent int, inline bool) {
	if len(s.Members) == 0 {
		b.WriteString("{}\n")
		return
	}
	first := true
	for i, m := range s.Members {
		if i > 0 || !inline {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(m.Name + ":")
		var parts []string
		if s.isRequired(m.Name) {
			parts = append(parts, "[REQUIRED]")
		}
		parts = append(parts, docOverview(m.Doc))
		if len(m.Shape.Enum) > 0 {
			parts = append(parts, "Valid values are: "+strings.Join(m.Shape.Enum, ", ")+".")
		}
		comment := strings.Join(parts, " ")
		if strings.TrimSpace(comment) != "" {
			if first {
				comment = "  # " + comment
			} else {
				comment = " # " + comment
			}
			first = false
		} else {
			comment = ""
		}
		yamlSkelValue(b, m.Shape, append(stack, m.Shape.Name), indent, comment)
	}
}

// yamlSkelValue writes the value after "Key:" (and its comment).
func yamlSkelValue(b *strings.Builder, s *shape, stack []string, indent int, comment string) {
	switch s.Type {
	case "structure":
		count := 0
		for _, n := range stack {
			if n == s.Name {
				count++
			}
		}
		if count > 1 || len(s.Members) == 0 {
			b.WriteString(" {}" + comment + "\n")
			return
		}
		b.WriteString(comment + "\n")
		yamlSkelStruct(b, s, stack, indent+2, false)
	case "map":
		b.WriteString(comment + "\n")
		b.WriteString(strings.Repeat(" ", indent+2) + "KeyName:")
		yamlSkelValue(b, s.Value, append(stack, s.Value.Name), indent+2, "")
	case "list":
		b.WriteString(comment + "\n")
		b.WriteString(strings.Repeat(" ", indent) + "- ")
		el := s.Member
		if el.Type == "structure" && len(el.Members) > 0 {
			yamlSkelStruct(b, el, append(stack, el.Name), indent+2, true)
			return
		}
		b.WriteString(yamlSkelScalar(el) + "\n")
	default:
		b.WriteString(" " + yamlSkelScalar(s) + comment + "\n")
	}
}

func yamlSkelScalar(s *shape) string {
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "''"
	case "integer", "long":
		return "0"
	case "float", "double":
		return "0.0"
	case "boolean":
		return "true"
	case "timestamp":
		return "1970-01-01 00:00:00"
	}
	return "''"
}
