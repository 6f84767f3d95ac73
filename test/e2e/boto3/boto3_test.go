// Package boto3 drives idpool with boto3, the AWS SDK for Python, as Debian
// ships it: a third independent implementation of the wire protocol.
package boto3

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

type clientError struct {
	Code, Message string
	Status        int
}

func TestBoto3Flow(t *testing.T) {
	python := harness.Tool(t, "IDPOOL_TEST_PYTHON", "python3")
	if _, _, code := harness.Run(t, nil, python, "-c", "import boto3"); code != 0 {
		harness.Missing(t, "boto3 for "+python)
	}
	s := harness.Start(t, harness.Options{})
	stdout, stderr, code := harness.Run(t, s.AWSEnv(t), python,
		filepath.Join(harness.Root(), "test", "e2e", "boto3", "flow.py"), s.URL)
	if code != 0 {
		t.Fatalf("flow.py exit %d\n%s\n%s", code, stderr, stdout)
	}
	var out struct {
		Create struct {
			IdentityPoolId, IdentityPoolName string
			AllowUnauthenticatedIdentities   bool
		}
		Describe         string
		Paginated        []string
		IdentityID       string `json:"identityId"`
		DescribeIdentity struct {
			IdentityId      string
			HasCreationDate bool
		}
		Listed      []string
		Tags        map[string]string
		Errors      map[string]*clientError
		AfterDelete *clientError
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	pid := out.Create.IdentityPoolId
	if !regexp.MustCompile(`^us-east-1:[0-9a-f-]{36}$`).MatchString(pid) ||
		out.Create.IdentityPoolName != "boto3 pool" || !out.Create.AllowUnauthenticatedIdentities {
		t.Errorf("create: %+v", out.Create)
	}
	if out.Describe != "boto3 pool" {
		t.Errorf("describe: %q", out.Describe)
	}
	// The paginator (MaxResults=2 over 5 pools) must see every pool exactly once.
	seen := map[string]int{}
	for _, id := range out.Paginated {
		seen[id]++
	}
	if len(out.Paginated) != 5 || len(seen) != 5 || seen[pid] != 1 {
		t.Errorf("paginated: %v", out.Paginated)
	}
	if !strings.HasPrefix(out.IdentityID, "us-east-1:") || out.DescribeIdentity.IdentityId != out.IdentityID ||
		!out.DescribeIdentity.HasCreationDate {
		t.Errorf("identity: %s %+v", out.IdentityID, out.DescribeIdentity)
	}
	if len(out.Listed) != 1 || out.Listed[0] != out.IdentityID {
		t.Errorf("listed: %v", out.Listed)
	}
	if out.Tags["team"] != "qa" || len(out.Tags) != 1 {
		t.Errorf("tags: %v", out.Tags)
	}
	if e := out.Errors["unknownPool"]; e == nil || e.Code != "ResourceNotFoundException" ||
		e.Message != "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found." {
		t.Errorf("unknown pool: %+v", e)
	}
	if e := out.Errors["badName"]; e == nil || e.Code != "ValidationException" ||
		e.Message != "1 validation error detected: Value 'bad/name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+" {
		t.Errorf("bad name: %+v", e)
	}
	if e := out.AfterDelete; e == nil || e.Code != "ResourceNotFoundException" {
		t.Errorf("after delete: %+v", e)
	}
}
