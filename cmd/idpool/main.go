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

func main() {
	args := os.Args[1:]
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			os.Exit(server.Main(args[1:]))
		case "migrate":
			os.Exit(storecmd.Migrate(args[1:], os.Stdout, os.Stderr))
		case "backup":
			os.Exit(storecmd.Backup(args[1:], os.Stdout, os.Stderr))
		case "bench":
			os.Exit(bench.Main(args[1:], os.Stdout, os.Stderr))
		case "version", "--version":
			fmt.Println("idpool", version.Version)
			return
		}
	}
	os.Exit(cli.Main(args, os.Stdin, os.Stdout, os.Stderr))
}
