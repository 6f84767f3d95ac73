// Command idpool is a self-hostable Amazon Cognito Identity: "idpool serve"
// runs the server; every other subcommand is the CLI that mirrors
// "aws cognito-identity" and talks to a server over the wire.
package main

import (
	"fmt"
	"os"

	"github.com/idpool/idpool/internal/bench"
	"github.com/idpool/idpool/internal/cli"
	"github.com/idpool/idpool/internal/server"
	"github.com/idpool/idpool/internal/storage/storecmd"
	"github.com/idpool/idpool/internal/version"
)

// command is one of the binary's own commands: its help line and its entry.
type command struct {
	purpose string
	run     func(args []string) int
	// private commands write the store: they run with umask 077.
	private bool
}

// commands are the server-side commands; the help screen lists them in
// this order, so a new command is documented where it is added.
var commandOrder = []string{"serve", "healthcheck", "migrate", "backup", "bench", "version"}

var commands = map[string]command{
	"serve":       {"run the server (development mode without --config)", server.Main, true},
	"migrate":     {"apply the storage schema migrations, or show their status", func(a []string) int { return storecmd.Migrate(a, os.Stdout, os.Stderr) }, true},
	"backup":      {"write a consistent copy of the store", func(a []string) int { return storecmd.Backup(a, os.Stdout, os.Stderr) }, true},
	"bench":       {"load-test a server (idpool bench ceilings: the machine's limits)", func(a []string) int { return bench.Main(a, os.Stdout, os.Stderr) }, false},
	"healthcheck": {"exit 0 when the local server's /healthz answers 200 (the image's HEALTHCHECK)", func(a []string) int { return server.Healthcheck(a, os.Stdout, os.Stderr) }, false},
	"version":     {"print the version, commit and build date", func([]string) int { fmt.Println(version.String()); return 0 }, false},
}

func helpCommands() []cli.Command {
	out := make([]cli.Command, 0, len(commandOrder))
	for _, n := range commandOrder {
		out = append(out, cli.Command{Name: n, Purpose: commands[n].purpose})
	}
	return out
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		// As "aws" alone, a missing command exits 252; the screen says what to type.
		cli.WriteTopHelp(os.Stdout, os.Stderr, helpCommands())
		os.Exit(252)
	}
	switch args[0] {
	case "help", "--help", "-h":
		if len(args) == 1 {
			os.Exit(cli.WriteTopHelp(os.Stdout, os.Stderr, helpCommands()))
		}
	case "--version":
		args[0] = "version"
	}
	if c, ok := commands[args[0]]; ok {
		if c.private {
			ownerOnly()
		}
		os.Exit(c.run(args[1:]))
	}
	os.Exit(cli.Main(args, os.Stdin, os.Stdout, os.Stderr))
}
