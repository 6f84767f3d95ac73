// Package cli is idpool's command-line client: every "aws cognito-identity"
// subcommand with the aws CLI's options, parameter syntax, output formats
// and exit codes, driven by the botocore model in internal/apimodel and
// calling the service through the AWS SDK for Go v2.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes of the aws CLI.
const (
	exitOK      = 0
	exitUsage   = 252
	exitConfig  = 253
	exitService = 254
	exitOther   = 255
)

// progName replaces "aws" in messages that name the program.
const progName = "idpool"

// Main runs the CLI with args (without the program name) and returns the
// process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	m, err := loadModel()
	if err != nil {
		fmt.Fprintf(stderr, "\n%s\n", err)
		return exitOther
	}
	r := &runner{model: m, stdin: stdin, stdout: stdout, stderr: stderr}
	return r.exit(r.run(args))
}

type runner struct {
	model  *model
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// endpoint is where the current call goes (for connection errors).
	endpoint endpoint
	// requestID is the last answer's x-amzn-RequestId (--explain), and
	// explained the trace printed after the answer.
	requestID, explained string
}

func usageText() string {
	return "usage: " + progName + " [options] <command> <subcommand> [<subcommand> ...] [parameters]\n" +
		"To see help text, you can run:\n\n" +
		"  " + progName + " help\n" +
		"  " + progName + " <command> help\n" +
		"  " + progName + " <command> <subcommand> help\n"
}

// exit prints err the way the aws CLI does and maps it to an exit code.
func (r *runner) exit(err error) int {
	defer func() {
		if r.explained != "" {
			fmt.Fprint(r.stderr, r.explained)
		}
	}()
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var pe *paramError
	var ce *configError
	var se *serviceError
	var ae *applyError
	switch {
	case errors.As(err, &ae):
		fmt.Fprintf(r.stderr, "%s\n", ae.msg)
		return exitService
	case errors.As(err, &ue):
		msg := ue.msg
		if !strings.HasPrefix(msg, "Unknown options") {
			msg = progName + ": error: " + msg
		}
		fmt.Fprintf(r.stderr, "\n%s\n%s\n\n", usageText(), msg)
		return exitUsage
	case errors.As(err, &pe):
		fmt.Fprintf(r.stderr, "\n%s\n", pe.msg)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(r.stderr, "\n%s\n", ce.msg)
		return exitConfig
	case errors.As(err, &se):
		fmt.Fprintf(r.stderr, "\n%s\n", se.Error())
		return exitService
	}
	fmt.Fprintf(r.stderr, "\n%s\n", err.Error())
	return exitOther
}

func (r *runner) run(args []string) error {
	rest, g, err := splitGlobals(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 && rest[0] == "cognito-identity" {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return &usageError{"the following arguments are required: operation"}
	}
	switch rest[0] {
	case "help":
		_, err := io.WriteString(r.stdout, r.model.serviceHelp())
		return err
	case "decode-token":
		return r.decodeToken(rest[1:], g)
	case "apply":
		return r.apply(context.Background(), rest[1:], g)
	case "fault":
		return r.fault(context.Background(), rest[1:], g)
	case "lifetimes":
		return r.lifetimes(context.Background(), rest[1:], g)
	case "explain":
		return r.explain(context.Background(), rest[1:], g)
	case "explain-credentials":
		return r.explainCredentials(context.Background(), rest[1:], g)
	case "login":
		return r.login(context.Background(), rest[1:], g)
	case "export":
		return r.export(context.Background(), rest[1:], g)
	}
	op, ok := r.model.byCLI[rest[0]]
	if !ok {
		names := make([]string, 0, len(r.model.Operations)+2)
		for _, o := range r.model.Operations {
			names = append(names, o.CLI)
		}
		// decode-token is left out so the message matches the aws CLI's.
		names = append(names, "help")
		return &usageError{"argument operation: Invalid choice, valid choices are:\n\n" + choiceColumns(names)}
	}
	if len(rest) > 1 && rest[1] == "help" {
		_, err := io.WriteString(r.stdout, op.help())
		return err
	}
	err = r.runOperation(context.Background(), op, g, rest[1:])
	if g.explain {
		r.explained = r.explainCall(context.Background(), g)
	}
	return err
}

// serviceError is an error the service returned: exit 254.
type serviceError struct {
	code, message, op string
	retries           int
}

func (e *serviceError) Error() string {
	retries := ""
	if e.retries >= 0 {
		retries = fmt.Sprintf(" (reached max retries: %d)", e.retries)
	}
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation%s: %s", e.code, e.op, retries, e.message)
}

// stderrFile returns stderr as a file when it is one (for the terminal test).
func (r *runner) stderrFile() *os.File {
	f, _ := r.stderr.(*os.File)
	return f
}
