package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// DefaultAddr is where "idpool serve" listens without --addr: loopback only,
// so a development server is not reachable from the network by accident.
const DefaultAddr = "127.0.0.1:9350"

// Options are the serve flags.
type Options struct {
	Addr       string
	DataDir    string
	ConfigFile string
	Store      string
	Issuer     string
	// STSEndpoint sends credential requests to an external STS (AWS STS,
	// MinIO, Ceph RGW, another idpool) instead of the embedded one.
	STSEndpoint string
	// STSKind, STSRoleARNPattern and STSTimeout describe the external STS:
	// the form of its role ARNs and how long to wait for it.
	STSKind           string
	STSRoleARNPattern string
	STSTimeout        string
	LogFormat         string
	LogLevel          string
	// PprofAddr, when set, serves net/http/pprof on that loopback address.
	PprofAddr string
	// Seed is a stack file applied after migrations, before the listener
	// serves (docs/stack-files.md).
	Seed string
}

// parseFlags reads the serve flags; errors are already printed to out. On
// --help it returns flag.ErrHelp and prints nothing (Main prints Usage).
func parseFlags(args []string, out io.Writer) (Options, error) {
	return parseFlagsEnv(args, out, os.LookupEnv)
}

// EnvName is the environment variable that sets a serve flag: IDPOOL_ and
// the flag's name upper-cased with - as _ (--sts-endpoint: IDPOOL_STS_ENDPOINT).
func EnvName(flag string) string {
	return "IDPOOL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// parseFlagsEnv reads the serve flags from the environment (lookup), then
// from args: a flag on the command line wins over its variable.
func parseFlagsEnv(args []string, out io.Writer, lookup func(string) (string, bool)) (Options, error) {
	var o Options
	fs := newFlagSet(&o, out)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := lookup(EnvName(f.Name))
		if !ok || envErr != nil {
			return
		}
		if err := f.Value.Set(v); err != nil {
			envErr = fmt.Errorf("%s: %v", EnvName(f.Name), err)
		}
	})
	if envErr != nil {
		fmt.Fprintln(out, envErr)
		return o, envErr
	}
	if err := fs.Parse(args); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(out, "Run 'idpool serve --help' for the flags.")
		}
		return o, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		fmt.Fprintln(out, err)
		return o, err
	}
	return o, nil
}

// Usage is the text of "idpool serve --help".
func Usage() string { return serveUsage(newFlagSet(&Options{}, io.Discard)) }

// newFlagSet defines the serve flags into o.
func newFlagSet(o *Options, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("idpool serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.Addr, "addr", DefaultAddr, "listen address (host:port)")
	fs.StringVar(&o.DataDir, "data-dir", "./data", "directory for the default SQLite database")
	fs.StringVar(&o.ConfigFile, "config", "", "YAML config file; without one the server runs in development mode (account 000000000000, key test/test)")
	fs.StringVar(&o.Store, "store", "", "storage: a SQLite file path, sqlite:///path or postgres://... (default: SQLite in --data-dir)")
	fs.StringVar(&o.Issuer, "issuer", "", "public URL named in tokens as iss (default http://ADDR; http://localhost:PORT when ADDR is 0.0.0.0 or [::])")
	fs.StringVar(&o.STSEndpoint, "sts-endpoint", "", "external STS URL for credentials (default: the embedded STS)")
	fs.StringVar(&o.STSKind, "sts-kind", "", "the external STS's kind, which fixes the form of the role ARNs pools may name: aws, minio or ceph (default aws)")
	fs.StringVar(&o.STSRoleARNPattern, "sts-role-arn-pattern", "", "regular expression for more role ARNs the external STS takes (matched whole)")
	fs.StringVar(&o.STSTimeout, "sts-timeout", "", "how long one credentials request to the external STS may take, retries included (default 5s)")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&o.Seed, "seed", "", "stack file to apply at start-up, before serving (docs/stack-files.md)")
	fs.StringVar(&o.PprofAddr, "pprof", "", "serve net/http/pprof on this loopback address (off by default)")
	fs.Usage = func() {}
	return fs
}

// serveGroups orders the serve flags on the help screen; TestServeHelp
// checks that every flag is in one.
var serveGroups = []struct {
	title string
	flags []string
}{
	{"Listening", []string{"addr", "issuer"}},
	{"Mode and configuration", []string{"config", "seed"}},
	{"Storage", []string{"data-dir", "store"}},
	{"Credentials", []string{"sts-endpoint", "sts-kind", "sts-role-arn-pattern", "sts-timeout"}},
	{"Logging", []string{"log-format", "log-level"}},
	{"Debugging", []string{"pprof"}},
}

// serveUsage is "idpool serve --help": the flags by group, then examples.
func serveUsage(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("usage: idpool serve [flags]\n\n" +
		"Runs the Cognito Identity API (AWS JSON 1.1), the embedded STS and IAM (Query)\n" +
		"and /healthz, /metrics, /.well-known/* on one port. Without --config the server\n" +
		"runs in development mode: account 000000000000, keys test/test, any role ARN\n" +
		"trusted, POST /_idpool/reset. Never expose a development server.\n\n" +
		"Every flag can also be set from the environment variable named after it\n" +
		"($IDPOOL_ADDR, $IDPOOL_STORE, ...); a flag given on the command line wins.\n")
	for _, g := range serveGroups {
		b.WriteString("\n" + g.title + ":\n")
		for _, name := range g.flags {
			f := fs.Lookup(name)
			if f == nil {
				continue
			}
			line := "  --" + f.Name
			if f.DefValue != "" {
				line += " (default " + f.DefValue + ")"
			}
			line += "  $" + EnvName(f.Name)
			b.WriteString(line + "\n        " + f.Usage + "\n")
		}
	}
	b.WriteString(`
Examples:
  idpool serve                                   # development server on 127.0.0.1:9350, SQLite in ./data
  idpool serve --addr 127.0.0.1:19350 --data-dir /tmp/idp   # another port and directory
  idpool serve --config idpool.yaml              # production: accounts, keys, limits from the file
  idpool serve --config idpool.yaml --store postgres://idpool:secret@db/idpool --addr 0.0.0.0:9350
  idpool serve --issuer https://id.example.com   # the public URL behind a TLS proxy, named in tokens
  idpool serve --sts-endpoint http://127.0.0.1:9000 --sts-kind minio   # vend credentials through MinIO's STS
  idpool serve --log-format json --log-level debug

Then, from another shell:
  export IDPOOL_ENDPOINT_URL=http://127.0.0.1:9350 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  idpool create-identity-pool --identity-pool-name demo --allow-unauthenticated-identities
`)
	return b.String()
}

// newLogger builds the process logger on stderr.
func newLogger(o Options) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", o.LogLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, hopts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", o.LogFormat)
}
