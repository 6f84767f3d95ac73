package server

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// Every serve flag is in a group of "idpool serve --help", and the screen
// ends with examples.
func TestServeHelp(t *testing.T) {
	grouped := map[string]bool{}
	for _, g := range serveGroups {
		for _, f := range g.flags {
			grouped[f] = true
		}
	}
	fs := newFlagSet(&Options{}, io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		if !grouped[f.Name] {
			t.Errorf("--%s is in no group of serve --help", f.Name)
		}
		delete(grouped, f.Name)
	})
	for f := range grouped {
		t.Errorf("group names --%s, which serve does not define", f)
	}
	u := Usage()
	for _, want := range []string{"usage: idpool serve [flags]", "\nListening:\n  --addr (default 127.0.0.1:9350)  $IDPOOL_ADDR\n", "--sts-endpoint  $IDPOOL_STS_ENDPOINT\n", "\nStorage:\n", "\nExamples:\n  idpool serve "} {
		if !strings.Contains(u, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, u)
		}
	}
	if _, err := parseFlags([]string{"--help"}, io.Discard); err != flag.ErrHelp {
		t.Errorf("--help: %v", err)
	}
}
