package crash

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// devProvider is the pool's developer provider name.
const devProvider = "login.crash.example"

// rolePrefix + generation is the pool's authenticated role (development
// mode trusts role ARNs IAM does not know).
const rolePrefix = "arn:aws:iam::" + harness.DevAccount + ":role/crash-"

func roleARN(n int) string { return rolePrefix + strconv.Itoa(n) }

// poolName is the pool's name at generation n.
func poolName(n int) string { return fmt.Sprintf("crash-%d", n) }

// poolARN is the ARN TagResource takes for pool.
func poolARN(pool string) string {
	return fmt.Sprintf("arn:aws:cognito-identity:%s:%s:identitypool/%s", harness.Region, harness.DevAccount, pool)
}

// load is one round's writers against one server process.
type load struct {
	signed, anon *ci.Client
	pool         string
	round        int
	l            *ledger
}

// answered sorts a call's outcome: nil is acknowledged; an error the server
// answered (an API error) is recorded as a failure; anything else (the
// connection died with the process) leaves the write unknown, and the
// worker stops.
func (ld *load) answered(what string, err error) (acked, goOn bool) {
	if err == nil {
		return true, true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		ld.l.apiError(what, err)
	}
	return false, false
}

// run starts the writers and returns when every one has stopped, which
// they do at their first unanswered call: after the kill.
func (ld *load) run(ctx context.Context) {
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() { ld.guests(ctx) })
		wg.Go(func() { ld.devUsers(ctx, g) })
		wg.Go(func() { ld.merges(ctx, g) })
	}
	wg.Go(func() { ld.renames(ctx) })
	wg.Go(func() { ld.roles(ctx) })
	wg.Go(func() { ld.tags(ctx, poolARN(ld.pool)) })
	wg.Wait()
}

// guests creates guest identities with unsigned GetId calls.
func (ld *load) guests(ctx context.Context) {
	for {
		out, err := ld.anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &ld.pool})
		ok, goOn := ld.answered("GetId", err)
		id := ""
		if ok {
			id = aws.ToString(out.IdentityId)
		}
		ld.l.guest(ld.round, id, ok)
		if !goOn {
			return
		}
	}
}

// devToken registers developer user user (a new identity, or the one it
// is on) and returns its identity.
func (ld *load) devToken(ctx context.Context, user string) (string, bool) {
	out, err := ld.signed.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &ld.pool, Logins: map[string]string{devProvider: user},
	})
	ok, _ := ld.answered("GetOpenIdTokenForDeveloperIdentity", err)
	if !ok {
		return "", false
	}
	return aws.ToString(out.IdentityId), true
}

// devUsers registers new developer users, each on a new identity.
func (ld *load) devUsers(ctx context.Context, g int) {
	for i := 0; ; i++ {
		user := fmt.Sprintf("r%03d-dev%d-%d", ld.round, g, i)
		id, ok := ld.devToken(ctx, user)
		ld.l.devUser(ld.round, user, id, ok)
		if !ok {
			return
		}
	}
}

// merges registers two users on two identities and merges the first onto
// the second; every other time it also merges a third user who is on no
// identity yet (which links it to the destination).
func (ld *load) merges(ctx context.Context, g int) {
	for i := 0; ; i++ {
		src, dst, fresh := fmt.Sprintf("r%03d-msrc%d-%d", ld.round, g, i),
			fmt.Sprintf("r%03d-mdst%d-%d", ld.round, g, i), fmt.Sprintf("r%03d-mnew%d-%d", ld.round, g, i)
		srcID, ok := ld.devToken(ctx, src)
		ld.l.devUser(ld.round, src, srcID, ok)
		if !ok {
			return
		}
		dstID, ok := ld.devToken(ctx, dst)
		ld.l.devUser(ld.round, dst, dstID, ok)
		if !ok {
			return
		}
		if !ld.merge(ctx, &mergeRec{round: ld.round, src: src, dst: dst, srcID: srcID, dstID: dstID}) {
			return
		}
		if i%2 == 1 && !ld.merge(ctx, &mergeRec{round: ld.round, src: fresh, dst: dst, dstID: dstID}) {
			return
		}
	}
}

func (ld *load) merge(ctx context.Context, m *mergeRec) bool {
	out, err := ld.signed.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{
		IdentityPoolId: &ld.pool, DeveloperProviderName: aws.String(devProvider),
		SourceUserIdentifier: &m.src, DestinationUserIdentifier: &m.dst,
	})
	ok, goOn := ld.answered("MergeDeveloperIdentities", err)
	if ok && aws.ToString(out.IdentityId) != m.dstID {
		ld.l.apiError("MergeDeveloperIdentities", fmt.Errorf("%s -> %s answered %s, want the destination's identity %s",
			m.src, m.dst, aws.ToString(out.IdentityId), m.dstID))
	}
	m.acked = ok
	ld.l.merge(m)
	return goOn
}

// renames sets the pool's name to the next generation, keeping the rest
// of its configuration.
func (ld *load) renames(ctx context.Context) {
	for {
		n := ld.l.nextGen("name")
		_, err := ld.signed.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{
			IdentityPoolId: &ld.pool, IdentityPoolName: aws.String(poolName(n)),
			AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String(devProvider),
		})
		ok, goOn := ld.answered("UpdateIdentityPool", err)
		ld.l.genDone("name", n, ok)
		if !goOn {
			return
		}
	}
}

// roles sets the pool's authenticated role to the next generation.
func (ld *load) roles(ctx context.Context) {
	for {
		n := ld.l.nextGen("roles")
		_, err := ld.signed.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{
			IdentityPoolId: &ld.pool, Roles: map[string]string{"authenticated": roleARN(n)},
		})
		ok, goOn := ld.answered("SetIdentityPoolRoles", err)
		ld.l.genDone("roles", n, ok)
		if !goOn {
			return
		}
	}
}

// tags sets the pool's "gen" tag to the next generation.
func (ld *load) tags(ctx context.Context, arn string) {
	for {
		n := ld.l.nextGen("tags")
		_, err := ld.signed.TagResource(ctx, &ci.TagResourceInput{
			ResourceArn: &arn, Tags: map[string]string{"gen": fmt.Sprint(n)},
		})
		ok, goOn := ld.answered("TagResource", err)
		ld.l.genDone("tags", n, ok)
		if !goOn {
			return
		}
	}
}
