package server

import (
	"net"
	"os"
)

// defaultIssuer is the issuer when neither --issuer ($IDPOOL_ISSUER) nor the
// config file names one: http://ADDR for a listener on a specific address,
// and http://localhost:PORT for one on every interface (":9350",
// "0.0.0.0:9350", "[::]:9350", as in a container), since the unspecified
// address is no URL a token consumer can reach.
//
// The issuer is one fixed value per process, never taken from a request's
// Host header: tokens name it as iss, the embedded STS and trust policies
// match it (and its host in condition keys), and the signing keys'
// certificates carry it. A Host-derived iss would let each client choose
// the name in tokens, and a token fetched through one name would not verify
// through another. Set IDPOOL_ISSUER to the URL clients reach.
func defaultIssuer(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return "http://" + net.JoinHostPort("localhost", port)
	}
	return "http://" + addr
}

// containerMarkers are the files container engines create in a container's
// root: Docker's and Podman's. The idpool image also sets IDPOOL_IN_CONTAINER.
var containerMarkers = []string{"/.dockerenv", "/run/.containerenv"}

// inContainer reports whether the process runs in a container.
func inContainer(lookup func(string) (string, bool), exists func(string) bool) bool {
	if v, ok := lookup("IDPOOL_IN_CONTAINER"); ok && v != "" && v != "0" && v != "false" {
		return true
	}
	for _, m := range containerMarkers {
		if exists(m) {
			return true
		}
	}
	return false
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// loopbackOnly reports whether addr is bound to a loopback address only.
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// containerWarning is the development-mode warning for a server in a
// container listening beyond loopback: "" when there is nothing to say.
func containerWarning(dev bool, addr string, lookup func(string) (string, bool), exists func(string) bool) string {
	if !dev || loopbackOnly(addr) || !inContainer(lookup, exists) {
		return ""
	}
	return "DEVELOPMENT MODE IN A CONTAINER on " + addr + ": the test account " + devAccount +
		" (access key \"test\", secret \"test\") and POST /_idpool/reset are reachable by anyone who can reach this port " +
		"(every published port, the container network). Publish the port on 127.0.0.1 only (-p 127.0.0.1:9350:9350), " +
		"or mount a config file (IDPOOL_CONFIG) for real accounts."
}
