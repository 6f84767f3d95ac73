package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// quickCommand is one "$ command" of the README's quick start and the output
// the README shows under it.
type quickCommand struct {
	line, want string
}

// readmeQuickStart parses the console blocks of README.md's "## Quick start"
// section: "$ " starts a command (a trailing backslash continues it), every
// other line is the output shown for the command before it.
func readmeQuickStart(t *testing.T) []quickCommand {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(harness.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, "\n## Quick start\n")
	if start < 0 {
		t.Fatal("README.md has no \"## Quick start\" section")
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var cmds []quickCommand
	inBlock, cont := false, false
	for _, l := range strings.Split(section, "\n") {
		switch {
		case !inBlock && l == "```console":
			inBlock = true
		case inBlock && l == "```":
			inBlock, cont = false, false
		case !inBlock:
		case cont:
			cmds[len(cmds)-1].line += "\n" + l
			cont = strings.HasSuffix(l, "\\")
		case strings.HasPrefix(l, "$ "):
			cmds = append(cmds, quickCommand{line: strings.TrimPrefix(l, "$ ")})
			cont = strings.HasSuffix(l, "\\")
		case len(cmds) > 0:
			cmds[len(cmds)-1].want += l + "\n"
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("README quick start: only %d commands found", len(cmds))
	}
	return cmds
}

var (
	hostRe     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	secretJSON = regexp.MustCompile(`"(Token|SecretKey|SessionToken|AccessKeyId)": "[^"]*"`)
	jwtLoose   = regexp.MustCompile(`eyJ[A-Za-z0-9_.…-]*`)
)

// quickNormalise hides what differs by nature between two runs: fresh ids,
// times, tokens, keys, and the ports of the server and the issuer.
func quickNormalise(s string) string {
	s = hostRe.ReplaceAllString(s, "HOST")
	s = secretJSON.ReplaceAllString(s, `"$1": "X"`)
	s = jwtLoose.ReplaceAllString(s, "JWT")
	s = uuidRe.ReplaceAllString(s, "UUID")
	s = timeRe.ReplaceAllString(s, "TIME")
	return strings.Trim(s, "\n")
}

// TestReadmeQuickStart runs exactly the commands of README.md's quick start,
// in one bash session, against a development server (its URL in place of
// http://127.0.0.1:9350) with a real TLS OpenID Connect issuer as ISSUER,
// and requires each command's output (stdout and stderr) to be the one
// the README shows.
func TestReadmeQuickStart(t *testing.T) {
	awsCLI := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	bash := harness.Tool(t, "IDPOOL_TEST_BASH", "bash")
	cmds := readmeQuickStart(t)
	idp := fakeidp.NewOIDC(t, "quickstart")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}})

	bin := t.TempDir()
	for name, target := range map[string]string{"idpool": harness.Binary(t), "aws": awsCLI} {
		if err := os.Symlink(target, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	var script strings.Builder
	script.WriteString("exec 2>&1\ncd " + work + "\n")
	for i, c := range cmds {
		fmt.Fprintf(&script, "%s\nprintf '\\n@@quickstart %d@@\\n'\n", strings.ReplaceAll(c.line, "http://127.0.0.1:9350", s.URL), i)
	}
	// A reader's shell: no AWS_MAX_ATTEMPTS (errors print as with the
	// default retries), keys and endpoint only from the README's exports.
	var env []string
	for _, kv := range cliEnv(t) {
		if !strings.HasPrefix(kv, "AWS_MAX_ATTEMPTS=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"PATH="+bin+":"+os.Getenv("PATH"), "TZ=UTC",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_REGION=", "AWS_DEFAULT_REGION=", "AWS_ENDPOINT_URL=",
		"ISSUER="+idp.Host(), "ID_TOKEN="+idp.IDToken(t, "bob", "my-app", time.Now().Add(time.Hour)))
	out, _, _ := harness.Run(t, env, bash, "-c", script.String())

	var transcript strings.Builder
	failed := false
	for i, c := range cmds {
		marker := fmt.Sprintf("\n@@quickstart %d@@\n", i)
		j := strings.Index(out, marker)
		if j < 0 {
			t.Fatalf("command %d (%s) did not finish; output:\n%s", i, c.line, out)
		}
		got := out[:j]
		out = out[j+len(marker):]
		fmt.Fprintf(&transcript, "$ %s\n%s\n", c.line, strings.Trim(got, "\n"))
		if quickNormalise(got) != quickNormalise(c.want) {
			failed = true
			t.Errorf("README quick start, $ %s\n--- README shows\n%s\n--- got\n%s", c.line, c.want, got)
		}
	}
	if failed {
		t.Logf("the whole run:\n%s", transcript.String())
	}
	// To refresh the README after a deliberate change, write the run out.
	if path := os.Getenv("IDPOOL_QUICKSTART_TRANSCRIPT"); path != "" {
		if err := os.WriteFile(path, []byte(transcript.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
