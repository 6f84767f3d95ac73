package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/wire"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
	poolA = "us-east-1:aaaaaaaa-0000-0000-0000-000000000000"
	poolB = "us-east-1:bbbbbbbb-0000-0000-0000-000000000000"
)

// lookup knows poolA (account A) and poolB (account B), and identity
// "idB" in poolB.
func lookup(_ context.Context, pool, identity string) (string, string, bool) {
	if pool == "" && identity == "idB" {
		pool = poolB
	}
	switch pool {
	case poolA:
		return acctA, poolA, true
	case poolB:
		return acctB, poolB, true
	}
	return "", "", false
}

func call(in *Injector, account, op, body string) (*wire.Request, error) {
	c := &auth.Caller{}
	if account != "" {
		c.Principal = &auth.Principal{AccountID: account}
	}
	r := &wire.Request{Protocol: apierr.JSON, Operation: op, Caller: c, Input: []byte(body)}
	_, err := in.Begin(context.Background(), r)
	return r, err
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apierr.As(err).Code
}

func mustAdd(t *testing.T, in *Injector, account string, r Rule) Fault {
	t.Helper()
	f, err := in.Add(account, r)
	if err != nil {
		t.Fatalf("Add(%+v): %v", r, err)
	}
	return f
}

func TestTimesThenPasses(t *testing.T) {
	in := New(Config{Lookup: lookup})
	mustAdd(t, in, acctA, Rule{Operation: "ListIdentityPools", Error: apierr.TooManyRequests, Times: 2})
	for i, want := range []string{apierr.TooManyRequests, apierr.TooManyRequests, "", ""} {
		r, err := call(in, acctA, "ListIdentityPools", `{"MaxResults":5}`)
		if code(err) != want {
			t.Fatalf("call %d: %v, want %q", i, err, want)
		}
		if want != "" && (apierr.As(err).Message != "Rate exceeded" || len(r.Attrs) != 1 || r.Attrs[0].Key != "fault") {
			t.Errorf("call %d: message %q, attrs %v", i, apierr.As(err).Message, r.Attrs)
		}
	}
	if f := in.List(acctA)[0]; f.Injected != 2 || *f.Remaining != 0 || f.Active {
		t.Errorf("after: %+v", f)
	}
}

// A rule touches only its own account's calls; unsigned calls belong to
// the account of the pool they name, or of the identity's pool.
func TestAccountIsolation(t *testing.T) {
	in := New(Config{Lookup: lookup})
	mustAdd(t, in, acctA, Rule{Operation: "*", Error: apierr.InternalError})
	if _, err := call(in, acctB, "ListIdentityPools", `{}`); err != nil {
		t.Errorf("account B's signed call faulted by A's rule: %v", err)
	}
	if _, err := call(in, "", "GetId", `{"IdentityPoolId":"`+poolB+`"}`); err != nil {
		t.Errorf("unsigned GetId on B's pool faulted: %v", err)
	}
	if _, err := call(in, "", "GetCredentialsForIdentity", `{"IdentityId":"idB"}`); err != nil {
		t.Errorf("unsigned call on B's identity faulted: %v", err)
	}
	if _, err := call(in, "", "GetId", `{"IdentityPoolId":"`+poolA+`","AccountId":"`+acctB+`"}`); code(err) != apierr.InternalError {
		t.Errorf("unsigned GetId on A's pool: %v", err)
	}
	if _, err := call(in, acctA, "IdpoolService.ClearFaults", `{}`); err != nil {
		t.Errorf("extensions are never faulted: %v", err)
	}
}

func TestScopes(t *testing.T) {
	in := New(Config{Lookup: lookup})
	mustAdd(t, in, acctB, Rule{Operation: "GetCredentialsForIdentity", IdentityPoolId: poolB, Error: apierr.ResourceNotFound})
	mustAdd(t, in, acctA, Rule{Operation: "GetId", Login: "accounts.google.com", Error: apierr.NotAuthorized})
	_, err := call(in, "", "GetCredentialsForIdentity", `{"IdentityId":"idB"}`)
	if code(err) != apierr.ResourceNotFound || apierr.As(err).Message != "IdentityPool '"+poolB+"' not found." {
		t.Errorf("pool scope through the identity: %v", err)
	}
	if _, err := call(in, "", "GetId", `{"IdentityPoolId":"`+poolA+`"}`); err != nil {
		t.Errorf("login scope matched a call without the login: %v", err)
	}
	if _, err := call(in, "", "GetId", `{"IdentityPoolId":"`+poolA+`","Logins":{"accounts.google.com":"x"}}`); code(err) != apierr.NotAuthorized {
		t.Errorf("login scope: %v", err)
	}
}

func TestPercentAndWindow(t *testing.T) {
	now := time.Unix(1000, 0)
	rolls := []float64{10, 60, 49.9}
	in := New(Config{Lookup: lookup, Now: func() time.Time { return now }, Roll: func() float64 {
		r := rolls[0]
		rolls = rolls[1:]
		return r
	}})
	f := mustAdd(t, in, acctA, Rule{Operation: "DescribeIdentityPool", Error: apierr.InternalError, Percent: 50})
	var got []string
	for range 3 {
		_, err := call(in, acctA, "DescribeIdentityPool", `{"IdentityPoolId":"`+poolA+`"}`)
		got = append(got, code(err))
	}
	if strings.Join(got, ",") != "InternalErrorException,,InternalErrorException" {
		t.Errorf("percent 50 with rolls 10, 60, 49.9: %q", got)
	}
	in.Clear(acctA, f.FaultId)
	mustAdd(t, in, acctA, Rule{Operation: "*", Error: apierr.TooManyRequests, StartAfter: Duration(time.Second), ActiveFor: Duration(2 * time.Second)})
	for _, c := range []struct {
		at   time.Duration
		want string
	}{{0, ""}, {time.Second, apierr.TooManyRequests}, {2900 * time.Millisecond, apierr.TooManyRequests}, {3 * time.Second, ""}} {
		now = time.Unix(1000, 0).Add(c.at)
		if _, err := call(in, acctA, "ListIdentityPools", `{}`); code(err) != c.want {
			t.Errorf("at +%v: %v, want %q", c.at, err, c.want)
		}
	}
}

func TestLatency(t *testing.T) {
	in := New(Config{Lookup: lookup})
	mustAdd(t, in, acctA, Rule{Operation: "ListIdentityPools", Latency: Duration(150 * time.Millisecond)})
	start := time.Now()
	if _, err := call(in, acctA, "ListIdentityPools", `{}`); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("latency rule answered after %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := &wire.Request{Protocol: apierr.JSON, Operation: "ListIdentityPools", Caller: &auth.Caller{Principal: &auth.Principal{AccountID: acctA}}, Input: []byte(`{}`)}
	if _, err := in.Begin(ctx, r); err == nil {
		t.Error("a client that hung up still waited out the latency")
	}
}

func TestBadRules(t *testing.T) {
	in := New(Config{})
	for _, c := range []struct {
		r    Rule
		want string
	}{
		{Rule{Operation: "GetIdz", Error: apierr.TooManyRequests}, "Value 'GetIdz' at 'operation' failed to satisfy constraint: Member must be a Cognito Identity operation name or *"},
		{Rule{Operation: "ListIdentityPools", Error: apierr.ExternalService}, "Value 'ExternalServiceException' at 'error' failed to satisfy constraint: Member must be an error ListIdentityPools can return: InternalErrorException, InvalidParameterException, NotAuthorizedException, ResourceNotFoundException, TooManyRequestsException"},
		{Rule{Operation: "*", Error: apierr.LimitExceeded}, "every operation can return: InternalErrorException, InvalidParameterException, TooManyRequestsException"},
		{Rule{Operation: "GetId", Error: apierr.TooManyRequests, Percent: 100.5}, "Value '100.5' at 'percent' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{Rule{Operation: "GetId"}, "A rule needs an error, a latency or both"},
		{Rule{Error: apierr.TooManyRequests}, "Value null at 'operation'"},
		{Rule{Operation: strings.Repeat("x", 5000), Error: apierr.TooManyRequests}, "Value '" + strings.Repeat("x", 64) + "...' at 'operation'"},
	} {
		_, err := in.Add(acctA, c.r)
		if err == nil || err.Code != apierr.Validation || !strings.Contains(err.Message, c.want) || !strings.HasPrefix(err.Message, "1 validation error detected: ") {
			t.Errorf("Add(%.40q, %q) = %v, want a ValidationException containing %q", c.r.Operation, c.r.Error, err, c.want)
		}
	}
	for range MaxRulesPerAccount {
		mustAdd(t, in, acctA, Rule{Operation: "GetId", Error: apierr.TooManyRequests})
	}
	if _, err := in.Add(acctA, Rule{Operation: "GetId", Error: apierr.TooManyRequests}); err == nil || err.Code != apierr.LimitExceeded {
		t.Errorf("rule %d: %v", MaxRulesPerAccount+1, err)
	}
	if n := in.Clear(acctB, ""); n != 0 {
		t.Errorf("clearing B removed %d of A's rules", n)
	}
}
