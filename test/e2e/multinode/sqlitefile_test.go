package multinode

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/idpool/idpool/test/harness"
)

// TestTwoProcessesOnOneSQLiteFile: each SQLite read connection keeps the
// pools it decoded while the database is unchanged (docs/storage.md). Two
// idpool processes on one SQLite file must still answer as one service: a
// pool renamed, opened to guests and joined by a second pool through one
// process shows at once in every read of the other, however many of its
// read connections had the old pool cached; and so must an identity the
// other process deletes.
func TestTwoProcessesOnOneSQLiteFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "shared.db")
	a := harness.Start(t, harness.Options{Args: []string{"--store", file}})
	b := harness.Start(t, harness.Options{Args: []string{"--store", file}})
	ctx := context.Background()
	ca, cb := a.Cognito(), b.Cognito()

	pool, err := ca.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("before"), AllowUnauthenticatedIdentities: false,
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	id := pool.IdentityPoolId
	// More reads than the process has read connections (max(4, 2*cores)),
	// so every one of them has the pool cached.
	const reads = 40
	check := func(when, name string, guests bool, pools int) {
		t.Helper()
		for i := range reads {
			d, err := ca.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: id})
			if err != nil {
				t.Fatalf("%s, read %d: DescribeIdentityPool: %v", when, i, err)
			}
			if got := aws.ToString(d.IdentityPoolName); got != name || d.AllowUnauthenticatedIdentities != guests {
				t.Fatalf("%s, read %d: pool %q, guests %v; want %q, %v", when, i, got, d.AllowUnauthenticatedIdentities, name, guests)
			}
			l, err := ca.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
			if err != nil {
				t.Fatalf("%s, read %d: ListIdentityPools: %v", when, i, err)
			}
			if len(l.IdentityPools) != pools {
				t.Fatalf("%s, read %d: %d pools listed, want %d", when, i, len(l.IdentityPools), pools)
			}
		}
	}
	check("before", "before", false, 1)

	if _, err := cb.UpdateIdentityPool(ctx, &cognitoidentity.UpdateIdentityPoolInput{
		IdentityPoolId: id, IdentityPoolName: aws.String("after"), AllowUnauthenticatedIdentities: true,
	}); err != nil {
		t.Fatalf("UpdateIdentityPool on the other process: %v", err)
	}
	if _, err := cb.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("second"), AllowUnauthenticatedIdentities: true,
	}); err != nil {
		t.Fatalf("CreateIdentityPool on the other process: %v", err)
	}
	check("after the other process's writes", "after", true, 2)

	// A guest identity in the pool the other process opened: GetId reads
	// the pool too, and must see it open.
	guest, err := ca.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: id})
	if err != nil {
		t.Fatalf("GetId as a guest after the other process allowed guests: %v", err)
	}

	// Identities are cached too: the guest's token calls on every read
	// connection of A, then B deletes it, and none of A's next calls may
	// still find it.
	for i := range reads {
		if _, err := ca.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: guest.IdentityId}); err != nil {
			t.Fatalf("GetOpenIdToken %d for the guest: %v", i, err)
		}
	}
	if _, err := cb.DeleteIdentities(ctx, &cognitoidentity.DeleteIdentitiesInput{
		IdentityIdsToDelete: []string{aws.ToString(guest.IdentityId)},
	}); err != nil {
		t.Fatalf("DeleteIdentities on the other process: %v", err)
	}
	for i := range reads {
		_, err := ca.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: guest.IdentityId})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("GetOpenIdToken %d for the guest the other process deleted: %v, want ResourceNotFoundException", i, err)
		}
	}
}
