package cli

import (
	"encoding/json"
	"strings"
)

// legacyLiterals rewrites backtick literals that are not valid JSON into
// JSON strings: Python's jmespath (the aws CLI's) still accepts the old
// form `foo` for "foo", go-jmespath does not.
func legacyLiterals(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		if expr[i] != '`' {
			b.WriteByte(expr[i])
			continue
		}
		j := i + 1
		for j < len(expr) && expr[j] != '`' {
			if expr[j] == '\\' && j+1 < len(expr) {
				j++
			}
			j++
		}
		if j >= len(expr) {
			b.WriteString(expr[i:])
			break
		}
		lit := strings.ReplaceAll(expr[i+1:j], "\\`", "`")
		if json.Valid([]byte(lit)) {
			b.WriteString(expr[i : j+1])
		} else {
			q, _ := json.Marshal(strings.TrimLeft(lit, " "))
			b.WriteString("`" + strings.ReplaceAll(string(q), "`", "\\`") + "`")
		}
		i = j
	}
	return b.String()
}
