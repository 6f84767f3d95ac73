package crash

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/idpool/idpool/test/harness"
)

// reader is a client for the checks, with the SDK's default retries. The
// load's clients make one attempt, so that an answer lost to the kill is
// never sent again; the checks only read, and the SDK's retry covers its
// own race on a loaded machine: it may close a connection while still
// reading a response larger than its buffer ("use of closed network
// connection", aws/aws-sdk-go-v2#2737, retried since the SDK's PR #2949).
func reader(s *harness.Server) *ci.Client {
	return ci.New(ci.Options{
		Region: harness.Region, BaseEndpoint: aws.String(s.URL),
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, ""),
	})
}

// checkAPI asks the restarted server, through the SDK, for what round
// promised: its guests and developer users, and the pool's counters.
func checkAPI(t *testing.T, c *ci.Client, l *ledger, pool string, round int) {
	t.Helper()
	ctx := context.Background()
	l.mu.Lock()
	var guests []string
	for id, r := range l.guests {
		if r == round {
			guests = append(guests, id)
		}
	}
	users := map[string]*userRec{}
	for u, rec := range l.users {
		if rec.round == round {
			users[u] = rec
		}
	}
	l.mu.Unlock()

	for _, id := range guests {
		out, err := c.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: aws.String(id)})
		if err != nil {
			t.Errorf("round %d: DescribeIdentity(%s) of an acknowledged GetId: %v", round, id, err)
		} else if aws.ToString(out.IdentityId) != id {
			t.Errorf("round %d: DescribeIdentity(%s) answered %s", round, id, aws.ToString(out.IdentityId))
		}
	}
	for user, rec := range users {
		out, err := c.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{
			IdentityPoolId: &pool, DeveloperUserIdentifier: aws.String(user),
		})
		var nf *types.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			if rec.mustExist {
				t.Errorf("round %d: acknowledged developer user %s not found", round, user)
			}
		case err != nil:
			t.Errorf("round %d: LookupDeveloperIdentity(%s): %v", round, user, err)
		case rec.allowed != nil && !rec.allowed[aws.ToString(out.IdentityId)]:
			t.Errorf("round %d: developer user %s is on %s, want one of %v", round, user, aws.ToString(out.IdentityId), keys(rec.allowed))
		}
	}

	desc, err := c.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &pool})
	if err != nil {
		t.Fatalf("round %d: DescribeIdentityPool: %v", round, err)
	}
	checkGen(t, l, round, "name", aws.ToString(desc.IdentityPoolName), "crash-")
	if !desc.AllowUnauthenticatedIdentities || aws.ToString(desc.DeveloperProviderName) != devProvider {
		t.Errorf("round %d: pool lost its configuration: %+v", round, desc)
	}
	roles, err := c.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &pool})
	if err != nil {
		t.Fatalf("round %d: GetIdentityPoolRoles: %v", round, err)
	}
	checkGen(t, l, round, "roles", roles.Roles["authenticated"], rolePrefix)
	tags, err := c.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(poolARN(pool))})
	if err != nil {
		t.Fatalf("round %d: ListTagsForResource: %v", round, err)
	}
	checkGen(t, l, round, "tags", tags.Tags["gen"], "")
}

// checkGen checks that counter kind shows the last acknowledged generation
// or a later tried one, and raises the acknowledged floor to what it shows:
// it is durable now.
func checkGen(t *testing.T, l *ledger, round int, kind, value, prefix string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.cfg[kind]
	n := 0
	if value != "" || g.acked > 0 {
		var err error
		if n, err = strconv.Atoi(strings.TrimPrefix(value, prefix)); err != nil || !strings.HasPrefix(value, prefix) {
			t.Errorf("round %d: pool %s is %q, not a generation", round, kind, value)
			return
		}
	}
	if n < g.acked || n > g.tried {
		t.Errorf("round %d: pool %s is generation %d; %d was acknowledged, %d the last tried", round, kind, n, g.acked, g.tried)
	}
	g.acked = max(g.acked, n)
}

// listIdentities pages through the pool with ListIdentities.
func listIdentities(t *testing.T, s *harness.Server, pool string) map[string]bool {
	t.Helper()
	c := reader(s)
	ids := map[string]bool{}
	var token *string
	for {
		out, err := c.ListIdentities(context.Background(), &ci.ListIdentitiesInput{
			IdentityPoolId: &pool, MaxResults: aws.Int32(60), NextToken: token,
		})
		if err != nil {
			t.Fatalf("ListIdentities after %d identities: %v\n%s", len(ids), err, tail(s.Logs()))
		}
		for _, id := range out.Identities {
			if ids[aws.ToString(id.IdentityId)] {
				t.Errorf("ListIdentities lists %s twice", aws.ToString(id.IdentityId))
			}
			ids[aws.ToString(id.IdentityId)] = true
		}
		if token = out.NextToken; token == nil {
			return ids
		}
	}
}

// summary is the counted result line.
func summary(backend string, rounds int, l *ledger) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("crash (%s): %d rounds, %d acknowledged writes, all present; %d unacknowledged; integrity ok",
		backend, rounds, l.acked, l.unacked)
}
