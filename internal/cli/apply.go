package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/internal/stack"
)

const applyUsage = "usage: " + progName + " apply -f FILE [--dry-run] [--prune] [--endpoint-url URL] [--region R] [--profile P]\n" +
	"       FILE a CloudFormation template: [--parameter KEY=VALUE ...] [--resource-value LOGICALID[.ATTR]=VALUE ...] [--stack-name NAME]"

// apply runs "idpool apply": make the target match a stack file
// (docs/stack-files.md).
func (r *runner) apply(ctx context.Context, args []string, g *globals) error {
	var file string
	var o stack.Options
	tmpl := stack.TemplateOptions{Parameters: map[string]string{}, ResourceValues: map[string]string{}}
	pair := func(i *int, flag string, into map[string]string) error {
		a := args[*i]
		v, inline := strings.CutPrefix(a, flag+"=")
		if !inline {
			if *i+1 >= len(args) {
				return &usageError{"argument " + flag + ": expected one argument"}
			}
			*i++
			v = args[*i]
		}
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return &paramError{fmt.Sprintf("%s %q: expected KEY=VALUE", flag, v)}
		}
		into[k] = val
		return nil
	}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--parameter" || strings.HasPrefix(a, "--parameter="):
			if err := pair(&i, "--parameter", tmpl.Parameters); err != nil {
				return err
			}
		case a == "--resource-value" || strings.HasPrefix(a, "--resource-value="):
			if err := pair(&i, "--resource-value", tmpl.ResourceValues); err != nil {
				return err
			}
		case a == "--stack-name":
			if i+1 >= len(args) {
				return &usageError{"argument " + a + ": expected one argument"}
			}
			i++
			tmpl.StackName = args[i]
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
	text, err := os.ReadFile(file)
	if err != nil {
		return &paramError{err.Error()}
	}
	if stack.IsTemplate(text) {
		return r.applyTemplate(ctx, file, text, tmpl, o, g)
	}
	if len(tmpl.Parameters)+len(tmpl.ResourceValues) > 0 || tmpl.StackName != "" {
		return &paramError{file + ": --parameter, --resource-value and --stack-name are for CloudFormation templates; this is a stack file"}
	}
	f, err := stack.Parse(file, text)
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

// applyTemplate applies a CloudFormation template: AWS::AccountId is the
// target's account (STS GetCallerIdentity with the same credentials),
// AWS::Region the CLI's region.
func (r *runner) applyTemplate(ctx context.Context, file string, text []byte, tmpl stack.TemplateOptions, o stack.Options, g *globals) error {
	cfg, err := loadConfig(ctx, g, true)
	if err != nil {
		return err
	}
	r.endpoint = resolveEndpoint(g.endpointURL, os.Getenv)
	stsClient := sts.NewFromConfig(cfg, func(so *sts.Options) {
		if r.endpoint.url != "" {
			so.BaseEndpoint = aws.String(r.endpoint.url)
		}
	})
	who, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var api smithy.APIError
	if errors.As(err, &api) {
		return &serviceError{code: api.ErrorCode(), message: api.ErrorMessage(), op: "GetCallerIdentity", retries: -1}
	}
	if err != nil {
		return &fatalError{"GetCallerIdentity (for AWS::AccountId): " + err.Error()}
	}
	tmpl.Region, tmpl.AccountID = cfg.Region, aws.ToString(who.Account)
	f, info, err := stack.ParseTemplate(file, text, tmpl)
	if err != nil {
		return &paramError{err.Error()}
	}
	for _, s := range info.Skipped {
		fmt.Fprintf(r.stdout, "skipped   %s\n", s)
	}
	for _, p := range info.Placeholders {
		fmt.Fprintf(r.stdout, "value     %s = %s (not held by idpool; set it with --resource-value %s=VALUE)\n", p[0], p[1], p[0])
	}
	o.Out = r.stdout
	_, err = stack.Apply(ctx, f, stack.NewClients(cfg, r.endpoint.url), o)
	var se *stack.Error
	if errors.As(err, &se) {
		return &applyError{err.Error()}
	}
	if err != nil {
		return err
	}
	for _, out := range info.Outputs {
		fmt.Fprintf(r.stdout, "output    %s = %s\n", out[0], out[1])
	}
	return nil
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
