package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/idpool/idpool/internal/stack"
)

const applyUsage = "usage: " + progName + " apply -f FILE [--dry-run] [--prune] [--endpoint-url URL] [--region R] [--profile P]"

// apply runs "idpool apply": make the target match a stack file
// (docs/stack-files.md).
func (r *runner) apply(ctx context.Context, args []string, g *globals) error {
	var file string
	var o stack.Options
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-f" || a == "--file":
			if i+1 >= len(args) {
				return &usageError{"argument " + a + ": expected one argument"}
			}
			i++
			file = args[i]
		case strings.HasPrefix(a, "--file="):
			file = strings.TrimPrefix(a, "--file=")
		case a == "--dry-run":
			o.DryRun = true
		case a == "--prune":
			o.Prune = true
		case a == "help" || a == "--help" || a == "-h":
			_, err := fmt.Fprintln(r.stdout, applyUsage+"\n\nMakes the target match the stack file: prints one line per object\n(create, update, unchanged; delete with --prune). See docs/stack-files.md.")
			return err
		default:
			return &usageError{"Unknown options: " + a}
		}
	}
	if file == "" {
		return &usageError{"the following arguments are required: -f/--file"}
	}
	f, err := stack.ReadFile(file)
	if err != nil {
		return &paramError{err.Error()}
	}
	if f.Region != "" {
		if g.region != "" && g.region != f.Region {
			return &paramError{fmt.Sprintf("%s: the file's Region is %s but --region is %s", file, f.Region, g.region)}
		}
		g.region = f.Region
	}
	cfg, err := loadConfig(ctx, g, true)
	if err != nil {
		return err
	}
	o.Out = r.stdout
	r.endpoint = resolveEndpoint(g.endpointURL, os.Getenv)
	_, err = stack.Apply(ctx, f, stack.NewClients(cfg, r.endpoint.url), o)
	var se *stack.Error
	if errors.As(err, &se) {
		return &applyError{err.Error()}
	}
	return err
}

// applyError is a stack file that did not apply: exit 254, like a
// service error.
type applyError struct{ msg string }

func (e *applyError) Error() string { return e.msg }

// export runs "idpool export": the account's pools, with the roles and
// providers they name, as a stack file on stdout.
func (r *runner) export(ctx context.Context, args []string, g *globals) error {
	for _, a := range args {
		if a == "help" || a == "--help" || a == "-h" {
			_, err := fmt.Fprintln(r.stdout, "usage: "+progName+" export [--endpoint-url URL] [--region R] [--profile P] > stack.yaml\n\nWrites the identity pools of the account and region, with their ids, roles,\nrole mappings, principal tags and tags, and the IAM roles and providers they\nname, as a stack file (docs/stack-files.md).")
			return err
		}
		return &usageError{"Unknown options: " + a}
	}
	cfg, err := loadConfig(ctx, g, true)
	if err != nil {
		return err
	}
	f, err := stack.Export(ctx, stack.NewClients(cfg, g.endpointURL))
	if err != nil {
		return &applyError{"export: " + err.Error()}
	}
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	_, err = r.stdout.Write(b)
	return err
}
