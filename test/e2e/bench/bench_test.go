// Package bench runs "idpool bench" against a real server and checks its
// accounting: every request counted once, under the operation it was, and
// errors classified by their AWS type.
package bench

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

type summary struct {
	Operation string         `json:"operation"`
	Requests  int            `json:"requests"`
	OK        int            `json:"ok"`
	Errors    int            `json:"errors"`
	ByType    map[string]int `json:"errorsByType"`
	P50, P99  float64
}

type report struct {
	Total      summary   `json:"total"`
	Operations []summary `json:"operations"`
}

func runBench(t *testing.T, s *harness.Server, args ...string) report {
	t.Helper()
	out, errOut, code := harness.Run(t, nil, harness.Binary(t),
		append([]string{"bench", "--endpoint", s.URL, "--json", "--seed", "10"}, args...)...)
	if code != 0 {
		t.Fatalf("idpool bench: exit %d\n%s", code, errOut)
	}
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r
}

func TestBenchCountsEveryRequest(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	r := runBench(t, s, "--requests", "350", "--concurrency", "4",
		"--mix", "getid-new=1,openid=1,creds=1,describe=1,list=1,roles=1,pools=1")
	if r.Total.Requests != 350 || r.Total.OK != 350 || r.Total.Errors != 0 {
		t.Fatalf("total: %+v", r.Total)
	}
	sum := 0
	for _, op := range r.Operations {
		if op.Requests < 40 || op.Requests > 60 {
			t.Errorf("%s: %d requests, want about 50 (equal weights)", op.Operation, op.Requests)
		}
		sum += op.Requests
	}
	if len(r.Operations) != 7 || sum != 350 {
		t.Errorf("operations: %+v", r.Operations)
	}
}

func TestBenchClassifiesErrors(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	// A pool that does not exist: every GetId is a ResourceNotFoundException.
	r := runBench(t, s, "--requests", "20", "--concurrency", "2", "--mix", "getid-new=1",
		"--pool", "us-east-1:00000000-0000-0000-0000-000000000000")
	if r.Total.Requests != 20 || r.Total.Errors != 20 || r.Total.ByType["ResourceNotFoundException"] != 20 {
		t.Fatalf("total: %+v", r.Total)
	}
}

func TestBenchRefusesRemoteTargets(t *testing.T) {
	_, errOut, code := harness.Run(t, nil, harness.Binary(t), "bench", "--endpoint", "http://192.0.2.1:9350", "--requests", "1")
	if code == 0 {
		t.Fatalf("a non-loopback target was accepted: %s", errOut)
	}
}

// TestBenchGetIdOnLogins: the bench's own OIDC issuer, registered through
// the server's IAM, seeds logins whose GetId then finds their identities.
func TestBenchGetIdOnLogins(t *testing.T) {
	dir := t.TempDir()
	certOut, errOut, code := harness.Run(t, nil, harness.Binary(t), "bench", "issuer-cert", "--issuer-dir", dir)
	if code != 0 {
		t.Fatalf("issuer-cert: exit %d\n%s", code, errOut)
	}
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + strings.TrimSpace(certOut)}})
	out, errOut, code := harness.Run(t, nil, harness.Binary(t), "bench", "--endpoint", s.URL, "--json",
		"--mix", "getid-login=1", "--logins", "5", "--issuer-dir", dir, "--requests", "60", "--concurrency", "3")
	if code != 0 {
		t.Fatalf("idpool bench: exit %d\n%s", code, errOut)
	}
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Total.Requests != 60 || r.Total.OK != 60 || r.Total.Errors != 0 {
		t.Fatalf("total: %+v", r.Total)
	}
}
