package wire_test

import (
	"context"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/wire"
)

type echoIn struct{ Name string }
type echoOut struct{ Name, Account string }

// idpool's own operations answer only under their prefix, only signed by
// an account's keys, and refuse input they do not declare.
func TestExtensions(t *testing.T) {
	f := newFixture(t, func(c *wire.Config) {
		c.Extensions = []ops.Operation{ops.Extension("Echo", func(_ context.Context, c *auth.Caller, in *echoIn) (*echoOut, error) {
			return &echoOut{Name: in.Name, Account: c.Account()}, nil
		})}
	})
	resp, out := f.signedPost(t, "IdpoolService.Echo", `{"Name":"x"}`, "test")
	if resp.StatusCode != 200 || out["Name"] != "x" || out["Account"] != "000000000000" {
		t.Fatalf("signed: %d %v", resp.StatusCode, out)
	}
	cases := []struct {
		name, target, body string
		status             int
		code               string
	}{
		{"unsigned", "IdpoolService.Echo", `{"Name":"x"}`, 403, apierr.MissingAuthenticationToken},
		{"under AWS's prefix", "AWSCognitoIdentityService.Echo", `{"Name":"x"}`, 400, apierr.UnknownOperation},
		{"unknown extension", "IdpoolService.Nope", `{}`, 400, apierr.UnknownOperation},
	}
	for _, c := range cases {
		resp, out := f.post(t, c.target, "application/x-amz-json-1.1", c.body)
		if resp.StatusCode != c.status || out["__type"] != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, resp.StatusCode, out, c.status, c.code)
		}
	}
	resp, out = f.signedPost(t, "IdpoolService.Echo", `{"Name":"x","Extra":1}`, "test")
	if resp.StatusCode != 400 || out["__type"] != apierr.Serialization || out["message"] != "Unknown member \"Extra\"." {
		t.Errorf("unknown member: %d %v", resp.StatusCode, out)
	}
	resp, out = f.signedPost(t, "IdpoolService.Echo", `{"Name":5}`, "test")
	if resp.StatusCode != 400 || out["__type"] != apierr.Serialization {
		t.Errorf("wrong type: %d %v", resp.StatusCode, out)
	}
}
