package server

import (
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
	LogFormat   string
	LogLevel    string
	// PprofAddr, when set, serves net/http/pprof on that loopback address.
	PprofAddr string
	// Seed is a stack file applied after migrations, before the listener
	// serves (docs/stack-files.md).
	Seed string
}

// parseFlags reads the serve flags; errors are already printed to out.
func parseFlags(args []string, out io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("idpool serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.Addr, "addr", DefaultAddr, "listen address (host:port)")
	fs.StringVar(&o.DataDir, "data-dir", "./data", "directory for the default SQLite database")
	fs.StringVar(&o.ConfigFile, "config", "", "YAML config file; without one the server runs in development mode (account 000000000000, key test/test)")
	fs.StringVar(&o.Store, "store", "", "storage: a SQLite file path, sqlite:///path or postgres://... (default: SQLite in --data-dir)")
	fs.StringVar(&o.Issuer, "issuer", "", "public URL named in tokens as iss (default http://ADDR)")
	fs.StringVar(&o.STSEndpoint, "sts-endpoint", "", "external STS URL for credentials (default: the embedded STS)")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&o.Seed, "seed", "", "stack file to apply at start-up, before serving (docs/stack-files.md)")
	fs.StringVar(&o.PprofAddr, "pprof", "", "serve net/http/pprof on this loopback address (off by default)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		fmt.Fprintln(out, err)
		return o, err
	}
	return o, nil
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
