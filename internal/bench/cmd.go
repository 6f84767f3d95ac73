package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/term"
)

const usage = `usage: idpool bench [flags]            drive a Cognito Identity endpoint with load
       idpool bench --fill N [flags]   create N guest identities through the API, as fast as it goes
       idpool bench ceilings [flags]   measure this machine's ceilings (RS512 signing, bare HTTP, SQLite)
       idpool bench issuer-cert [--issuer-dir DIR]
                                       print the path of the getid-login issuer's TLS certificate
                                       (creating it): start the server with SSL_CERT_FILE=that path

--rate N sends N requests/s on a fixed schedule (open loop) and counts latency from each
request's scheduled time; --server-pid PID adds the server's memory and CPU to the report.

Operations for --mix: %s
Targets must be on this machine (loopback) unless --allow-remote is given.

`

// Main runs "idpool bench" and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	var sub string
	if len(args) > 0 && (args[0] == "ceilings" || args[0] == "issuer-cert") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("idpool bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usage, strings.Join(OperationNames(), ", "))
		fs.PrintDefaults()
	}
	endpoint := fs.String("endpoint", envOr("AWS_ENDPOINT_URL", "http://127.0.0.1:9350"), "endpoint URL")
	region := fs.String("region", envOr("AWS_REGION", "us-east-1"), "region")
	accessKey := fs.String("access-key", envOr("AWS_ACCESS_KEY_ID", "test"), "access key id for signed operations")
	secretKey := fs.String("secret-key", envOr("AWS_SECRET_ACCESS_KEY", "test"), "secret access key")
	conc := fs.Int("concurrency", 32, "concurrent requests")
	duration := fs.Duration("duration", 10*time.Second, "how long to run (at most 1h)")
	requests := fs.Int64("requests", 0, "stop after this many requests (0: duration only)")
	mix := fs.String("mix", "getid-new=1,openid=1,creds=1,describe=1,list=1", "operation weights, name=weight,...")
	pool := fs.String("pool", "", "existing identity pool id (default: create one)")
	seed := fs.Int("seed", 100, "guest identities to create first for openid/creds")
	fillN := fs.Int("fill", 0, "create this many identities and exit")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback endpoint")
	rate := fs.Float64("rate", 0, "open loop: send this many requests/s on a fixed schedule (0: as fast as possible)")
	serverPID := fs.Int("server-pid", 0, "report this local server process's memory and CPU")
	logins := fs.Int("logins", 100, "logins to seed for getid-login")
	issuerDir := fs.String("issuer-dir", DefaultIssuerDir(), "where getid-login's issuer keeps its TLS certificate")
	listPages := fs.Int("list-pages", 1000, "pages of 60 identities list-deep walks for NextTokens")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if sub == "issuer-cert" {
		path, err := IssuerCertPath(*issuerDir)
		if err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		fmt.Fprintln(stdout, path)
		return 0
	}
	if os.Getenv("GOGC") == "" {
		// The generator allocates little that lives long: collecting less
		// often leaves more of the shared machine to the server.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var progress io.Writer
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !*asJSON {
		progress = stderr
	}

	if sub == "ceilings" {
		c, err := MeasureCeilings(ctx, *duration, *conc)
		if err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		if *asJSON {
			return writeJSON(stdout, stderr, c)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "RS512 signatures/s (all cores)\t%.0f\t(%.0f us CPU each)\n", c.RS512SignsPerSec, c.RS512CPUMicrosPerSign)
		fmt.Fprintf(tw, "bare HTTP handler req/s (c=%d)\t%.0f\t(p99 %.2f ms, %.0f us CPU each with the client)\n", *conc, c.BareHTTPPerSec, c.BareHTTPP99Ms, c.BareHTTPCPUMicrosPerReq)
		fmt.Fprintf(tw, "SQLite durable inserts/s (1 writer)\t%.0f\t(%.0f us CPU each)\n", c.SQLiteInsertsPerSec, c.SQLiteCPUMicrosPerInsert)
		tw.Flush()
		return 0
	}

	if *fillN > 0 {
		if err := checkLoopback(*endpoint, *allowRemote); err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 2
		}
		c := newClient(*endpoint, *region, *accessKey, *secretKey, *conc)
		e, err := prepare(ctx, c, Config{PoolID: *pool, Mix: map[string]int{}})
		if err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		defer e.close()
		m, err := startMeter(*serverPID)
		if err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		start := time.Now()
		if _, err := fill(ctx, c, e.poolID, *fillN, *conc, false); err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		el := time.Since(start)
		res, err := m.stop()
		if err != nil {
			fmt.Fprintln(stderr, "idpool bench:", err)
			return 1
		}
		fr := FillReport{PoolID: e.poolID, Identities: *fillN, ElapsedSec: el.Seconds(), PerSecond: float64(*fillN) / el.Seconds(), Resources: res}
		if *asJSON {
			return writeJSON(stdout, stderr, fr)
		}
		fmt.Fprintf(stdout, "pool %s: %d identities in %.1fs (%.0f/s)\n", fr.PoolID, fr.Identities, fr.ElapsedSec, fr.PerSecond)
		writeResources(stdout, res)
		return 0
	}

	weights, err := parseMix(*mix)
	if err != nil {
		fmt.Fprintln(stderr, "idpool bench:", err)
		return 2
	}
	rep, err := Run(ctx, Config{
		Endpoint: *endpoint, Region: *region, AccessKey: *accessKey, SecretKey: *secretKey,
		Concurrency: *conc, Duration: *duration, Requests: *requests, Mix: weights,
		PoolID: *pool, Seed: *seed, AllowRemote: *allowRemote,
		Rate: *rate, ServerPID: *serverPID, Logins: *logins, IssuerDir: *issuerDir, ListPages: *listPages,
	}, progress)
	if err != nil {
		fmt.Fprintln(stderr, "idpool bench:", err)
		return 1
	}
	if *asJSON {
		return writeJSON(stdout, stderr, rep)
	}
	WriteTable(stdout, rep)
	return 0
}

// WriteTable prints a report for people.
func WriteTable(w io.Writer, rep *Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\trequests\terrors\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\t")
	for _, s := range append(rep.Operations, rep.Total) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", s.Operation, s.Requests, s.ErrorsN, s.PerSecond, s.P50, s.P90, s.P99, s.Max)
	}
	tw.Flush()
	var types []string
	for k := range rep.Total.Errors {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, k := range types {
		fmt.Fprintf(w, "error %s: %d\n", k, rep.Total.Errors[k])
	}
	fmt.Fprintf(w, "%.1fs at concurrency %d against %s\n", rep.ElapsedSec, rep.Concurrency, rep.Endpoint)
	if rep.TargetRate > 0 {
		fmt.Fprintf(w, "open loop at %.0f req/s scheduled: latency counted from each scheduled send time\n", rep.TargetRate)
	}
	writeResources(w, rep.Resources)
}

// FillReport is the outcome of --fill.
type FillReport struct {
	PoolID     string     `json:"poolId"`
	Identities int        `json:"identities"`
	ElapsedSec float64    `json:"elapsedSeconds"`
	PerSecond  float64    `json:"identitiesPerSecond"`
	Resources  *Resources `json:"resources,omitempty"`
}

func writeResources(w io.Writer, r *Resources) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "load generator CPU %.1fs", r.BenchCPUSeconds)
	if r.ServerPID > 0 {
		fmt.Fprintf(w, "; server (pid %d) CPU %.1fs, RSS %.1f MiB (peak %.1f MiB)", r.ServerPID, r.ServerCPUSeconds,
			float64(r.ServerRSSBytes)/(1<<20), float64(r.ServerPeakRSSBytes)/(1<<20))
	}
	fmt.Fprintln(w)
}

func parseMix(s string) (map[string]int, error) {
	m := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, weight, found := strings.Cut(part, "=")
		w := 1
		if found {
			n, err := strconv.Atoi(weight)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad weight in %q", part)
			}
			w = n
		}
		m[name] = w
	}
	return m, nil
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "idpool bench:", err)
		return 1
	}
	return 0
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
