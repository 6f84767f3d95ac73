package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// Healthcheck runs "idpool healthcheck": GET /healthz of the server on
// --addr ($IDPOOL_ADDR, as serve reads it; a listener on every interface is
// asked on 127.0.0.1) and exit 0 when it answers 200, 1 otherwise. It is the
// container image's HEALTHCHECK, which has no shell or curl.
func Healthcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("idpool healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "the server's listen address (host:port), as given to serve  $"+EnvName("addr"))
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: idpool healthcheck [--addr host:port] [--timeout 3s]\n\nExits 0 when GET /healthz of the local server answers 200, 1 otherwise.")
		fs.PrintDefaults()
	}
	if v, ok := os.LookupEnv(EnvName("addr")); ok {
		*addr = v
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	url := "http://" + probeAddr(*addr) + "/healthz"
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "idpool healthcheck:", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "idpool healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "idpool healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

// probeAddr is where to reach a server listening on addr from the same
// host: the unspecified address (":9350", "0.0.0.0:9350", "[::]:9350")
// becomes loopback.
func probeAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
