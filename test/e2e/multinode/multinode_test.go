// Package multinode runs several idpool processes on one PostgreSQL
// database (issue 6), or on one SQLite file, and checks that they behave
// as one service.
package multinode

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/test/harness"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const devProvider = "login.multinode.example"

// TestRacingNodesCreateOneIdentityPerLogin: three nodes answer
// GetOpenIdTokenForDeveloperIdentity for the same logins at once; every
// login ends up with exactly one identity, whichever node was asked, and
// list pagination tokens of one node work on another.
func TestRacingNodesCreateOneIdentityPerLogin(t *testing.T) {
	pgURL := pgtest.Shared(t).NewDatabase(t)
	var nodes []*harness.Server
	for range 3 {
		nodes = append(nodes, harness.Start(t, harness.Options{Args: []string{"--store", pgURL}}))
	}
	ctx := context.Background()
	pool, err := nodes[0].Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("multinode"),
		AllowUnauthenticatedIdentities: false,
		DeveloperProviderName:          aws.String(devProvider),
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)

	const users, rounds = 25, 2
	var mu sync.Mutex
	got := map[string]map[string]bool{} // user -> identity ids answered
	var wg sync.WaitGroup
	errs := make(chan error, users*rounds*len(nodes))
	for n, node := range nodes {
		client := node.Cognito()
		for u := range users {
			wg.Go(func() {
				user := fmt.Sprintf("user-%02d", u)
				for range rounds {
					out, err := client.GetOpenIdTokenForDeveloperIdentity(ctx, &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
						IdentityPoolId: aws.String(poolID),
						Logins:         map[string]string{devProvider: user},
					})
					if err != nil {
						errs <- fmt.Errorf("node %d, %s: %w", n, user, err)
						return
					}
					mu.Lock()
					if got[user] == nil {
						got[user] = map[string]bool{}
					}
					got[user][aws.ToString(out.IdentityId)] = true
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	// Every call must succeed: a race lost on one node is resolved inside
	// its transaction, never surfaced to the client.
	failed := 0
	for err := range errs {
		if failed++; failed <= 5 {
			t.Log(err)
		}
	}
	if failed > 0 {
		for i, n := range nodes {
			logs := n.Logs()
			t.Logf("node %d logs (last 3000 bytes):\n%s", i, logs[max(0, len(logs)-3000):])
		}
		t.Fatalf("%d calls failed", failed)
	}
	for user, ids := range got {
		if len(ids) != 1 {
			t.Errorf("%s got %d identities: %v", user, len(ids), ids)
		}
	}
	// Every node finds one identity for each login.
	for u := range users {
		user := fmt.Sprintf("user-%02d", u)
		var first string
		for n, node := range nodes {
			out, err := node.Cognito().LookupDeveloperIdentity(ctx, &cognitoidentity.LookupDeveloperIdentityInput{
				IdentityPoolId: aws.String(poolID), DeveloperUserIdentifier: aws.String(user),
			})
			if err != nil {
				t.Fatalf("LookupDeveloperIdentity(%s) on node %d: %v", user, n, err)
			}
			id := aws.ToString(out.IdentityId)
			if first == "" {
				first = id
			} else if id != first {
				t.Errorf("%s: node %d says %s, node 0 says %s", user, n, id, first)
			}
			if prev := got[user]; prev != nil && !prev[id] {
				t.Errorf("%s: lookup says %s, GetOpenIdTokenForDeveloperIdentity said %v", user, id, prev)
			}
		}
		if got[user] == nil {
			got[user] = map[string]bool{first: true}
		}
	}

	// Page through the pool, asking a different node for each page.
	seen := map[string]bool{}
	var token *string
	for page := 0; ; page++ {
		out, err := nodes[page%len(nodes)].Cognito().ListIdentities(ctx, &cognitoidentity.ListIdentitiesInput{
			IdentityPoolId: aws.String(poolID), MaxResults: aws.Int32(7), NextToken: token,
		})
		if err != nil {
			t.Fatalf("ListIdentities page %d on node %d: %v", page, page%len(nodes), err)
		}
		for _, id := range out.Identities {
			checkIdentity(t, id, seen)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(seen) != users {
		t.Fatalf("ListIdentities across nodes found %d identities, want %d", len(seen), users)
	}
	for user, ids := range got {
		for id := range ids {
			if !seen[id] {
				t.Errorf("%s's identity %s is not listed", user, id)
			}
		}
	}
}

func checkIdentity(t *testing.T, id types.IdentityDescription, seen map[string]bool) {
	t.Helper()
	iid := aws.ToString(id.IdentityId)
	if seen[iid] {
		t.Errorf("identity %s listed twice", iid)
	}
	seen[iid] = true
	if len(id.Logins) != 1 || id.Logins[0] != devProvider {
		t.Errorf("identity %s has logins %v, want [%s]", iid, id.Logins, devProvider)
	}
}
