package forgery

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/test/harness"
)

// TestRegions: a server with `regions:` answers requests signed for those
// regions only, as an AWS regional endpoint does: a request signed for
// another gets InvalidSignatureException (Cognito) or SignatureDoesNotMatch
// (STS, IAM) "Credential should be scoped to a valid region, not 'R'. ".
// IAM, a global service signed for us-east-1 on AWS, also takes us-east-1.
// Without `regions:` every well-formed region is answered, each its own
// view of the pools (the development default).
func TestRegions(t *testing.T) {
	s := harness.Start(t, harness.Options{Config: "regions: [eu-central-1]\naccounts:\n  - id: \"" + harness.DevAccount +
		"\"\n    keys: [{accessKeyId: " + harness.DevAccessKey + ", secretAccessKey: " + harness.DevSecretKey + "}]\n"})
	n := &tally{attempts: map[string]int{}, refused: map[string]int{}}
	signedFor := func(e endpoint, region string) error {
		sg := devSigning(e)
		sg.region, sg.when = region, time.Now()
		return do(e.request(s.URL, sg))
	}
	for _, e := range endpoints() {
		if err := signedFor(e, "eu-central-1"); err != nil {
			t.Fatalf("%s signed for the configured region: %v", e.name, err)
		}
		for _, region := range []string{"eu-west-1", "us-west-2"} {
			err := signedFor(e, region)
			n.refuse(t, "regions", e.name+" signed for "+region, err, e.mismatch)
			if he, ok := err.(*httpError); ok && !strings.Contains(html.UnescapeString(he.body), "Credential should be scoped to a valid region, not '"+region+"'. ") {
				t.Errorf("%s signed for %s: %s", e.name, region, he.body)
			}
		}
		if e.service == "iam" {
			if err := signedFor(e, "us-east-1"); err != nil {
				t.Errorf("IAM signed for us-east-1: %v", err)
			}
		} else {
			n.refuse(t, "regions", e.name+" signed for us-east-1", signedFor(e, "us-east-1"), e.mismatch)
		}
	}
	n.report(t)

	open := harness.Start(t, harness.Options{})
	for _, e := range endpoints() {
		sg := devSigning(e)
		sg.region = "eu-west-1"
		if err := do(e.request(open.URL, sg)); err != nil {
			t.Errorf("%s signed for eu-west-1 on a server without regions: %v", e.name, err)
		}
	}
}
