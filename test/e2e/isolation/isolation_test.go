package isolation

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/test/harness"
)

// world is account A's resources, which account B attacks.
type world struct {
	poolA, arnA, roleA, roleAName string
	alice, bob                    string // developer identities of pool A
	aliceToken, bobToken          string // their OpenID tokens
	poolB, roleB, guestBToken     string
}

const roleAName = "RoleOfAccountA"

// start runs a server with the two accounts and sets up their world.
func start(t *testing.T) (*harness.Server, *account, *account, *world) {
	t.Helper()
	s := harness.Start(t, harness.Options{Config: config})
	a := newAccount(s, accountA, static(keyA, secretA, ""))
	b := newAccount(s, accountB, static(keyB, secretB, ""))
	return s, a, b, setUp(t, s, a, b)
}

func setUp(t *testing.T, s *harness.Server, a, b *account) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{roleAName: roleAName}
	pa, err := a.cognito.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("pool of A"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		DeveloperProviderName: aws.String("login.a"), IdentityPoolTags: map[string]string{"owner": "a"},
	})
	fatalIf(t, "A CreateIdentityPool", err)
	w.poolA = aws.ToString(pa.IdentityPoolId)
	w.arnA = "arn:aws:cognito-identity:" + harness.Region + ":" + accountA + ":identitypool/" + w.poolA
	ra, err := a.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(roleAName), AssumeRolePolicyDocument: aws.String(trust(w.poolA))})
	fatalIf(t, "A CreateRole", err)
	w.roleA = aws.ToString(ra.Role.Arn)
	_, err = a.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(w.poolA),
		Roles: map[string]string{"authenticated": w.roleA, "unauthenticated": w.roleA}})
	fatalIf(t, "A SetIdentityPoolRoles", err)
	_, err = a.cognito.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: aws.String(w.poolA),
		IdentityProviderName: aws.String("login.a"), PrincipalTags: map[string]string{"team": "sub"}})
	fatalIf(t, "A SetPrincipalTagAttributeMap", err)
	for _, u := range []struct {
		name      string
		id, token *string
	}{{"alice", &w.alice, &w.aliceToken}, {"bob", &w.bob, &w.bobToken}} {
		out, err := a.cognito.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
			IdentityPoolId: aws.String(w.poolA), Logins: map[string]string{"login.a": u.name}})
		fatalIf(t, "A GetOpenIdTokenForDeveloperIdentity "+u.name, err)
		*u.id, *u.token = aws.ToString(out.IdentityId), aws.ToString(out.Token)
	}

	pb, err := b.cognito.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("pool of B"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		DeveloperProviderName: aws.String("login.b"),
	})
	fatalIf(t, "B CreateIdentityPool", err)
	w.poolB = aws.ToString(pb.IdentityPoolId)
	rb, err := b.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("RoleOfAccountB"), AssumeRolePolicyDocument: aws.String(trust(w.poolB))})
	fatalIf(t, "B CreateRole", err)
	w.roleB = aws.ToString(rb.Role.Arn)
	anon := s.Anonymous(harness.Region)
	gid, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(w.poolB), AccountId: aws.String(accountB)})
	fatalIf(t, "B GetId", err)
	gtok, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: gid.IdentityId})
	fatalIf(t, "B GetOpenIdToken", err)
	w.guestBToken = aws.ToString(gtok.Token)
	return w
}

// snapshot is everything account A can read of its own state.
func snapshot(t *testing.T, a *account, w *world) string {
	t.Helper()
	ctx := t.Context()
	var parts []string
	add := func(what string, v any, err error) {
		t.Helper()
		fatalIf(t, "snapshot "+what, err)
		parts = append(parts, what+"="+mustJSON(v))
	}
	pool := aws.String(w.poolA)
	d, err := a.cognito.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: pool})
	add("pool", d, err)
	r, err := a.cognito.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: pool})
	add("roles", r, err)
	pt, err := a.cognito.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: pool, IdentityProviderName: aws.String("login.a")})
	add("principalTags", pt, err)
	tags, err := a.cognito.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(w.arnA)})
	add("tags", tags.Tags, err)
	ids, err := a.cognito.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool, MaxResults: aws.Int32(60)})
	add("identities", ids.Identities, err)
	for _, u := range []string{"alice", "bob"} {
		l, err := a.cognito.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pool, DeveloperUserIdentifier: aws.String(u)})
		add("lookup "+u, l.IdentityId, err)
	}
	role, err := a.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(w.roleAName)})
	add("role", role.Role, err)
	roles, err := a.iam.ListRoles(ctx, &awsiam.ListRolesInput{})
	add("roles", roles.Roles, err)
	return strings.Join(parts, "\n")
}

func TestCrossAccountIsolation(t *testing.T) {
	s, a, b, w := start(t)
	ctx := t.Context()
	if len(w.alice) == 0 || len(w.bob) == 0 || len(w.guestBToken) == 0 {
		t.Fatal("setup gave empty ids or tokens")
	}
	before := snapshot(t, a, w)
	c := &tally{t: t}
	const notFound = "ResourceNotFoundException"
	pool := aws.String(w.poolA)

	// Account B's admin operations on A's pool, identities and tags.
	_, err := b.cognito.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: pool})
	c.want("DescribeIdentityPool", notFound, err)
	_, err = b.cognito.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: pool, IdentityPoolName: aws.String("taken over"), AllowUnauthenticatedIdentities: false})
	c.want("UpdateIdentityPool", notFound, err)
	_, err = b.cognito.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: pool})
	c.want("DeleteIdentityPool", notFound, err)
	_, err = b.cognito.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: pool})
	c.want("GetIdentityPoolRoles", notFound, err)
	_, err = b.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: pool, Roles: map[string]string{"authenticated": w.roleB}})
	c.want("SetIdentityPoolRoles", notFound, err)
	_, err = b.cognito.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: pool, IdentityProviderName: aws.String("login.a")})
	c.want("GetPrincipalTagAttributeMap", notFound, err)
	_, err = b.cognito.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: pool, IdentityProviderName: aws.String("login.a"), UseDefaults: aws.Bool(true)})
	c.want("SetPrincipalTagAttributeMap", notFound, err)
	_, err = b.cognito.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool, MaxResults: aws.Int32(60)})
	c.want("ListIdentities", notFound, err)
	_, err = b.cognito.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: aws.String(w.alice)})
	c.want("DescribeIdentity", notFound, err)
	del, err := b.cognito.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{w.alice}})
	_, still := a.cognito.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: aws.String(w.alice)})
	// idpool answers as for an unknown id (ignored, not reported): the
	// identity must still be there.
	c.check("DeleteIdentities", err == nil && still == nil, []any{err, del, still})
	_, err = b.cognito.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pool, DeveloperUserIdentifier: aws.String("alice")})
	c.want("LookupDeveloperIdentity by user", notFound, err)
	_, err = b.cognito.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pool, IdentityId: aws.String(w.alice)})
	c.want("LookupDeveloperIdentity by identity", notFound, err)
	_, err = b.cognito.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: pool, DeveloperProviderName: aws.String("login.a"),
		SourceUserIdentifier: aws.String("alice"), DestinationUserIdentifier: aws.String("bob")})
	c.want("MergeDeveloperIdentities", notFound, err)
	_, err = b.cognito.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: pool, IdentityId: aws.String(w.alice),
		DeveloperProviderName: aws.String("login.a"), DeveloperUserIdentifier: aws.String("alice")})
	c.want("UnlinkDeveloperIdentity", notFound, err)
	_, err = b.cognito.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pool, Logins: map[string]string{"login.a": "mallory"}})
	c.want("GetOpenIdTokenForDeveloperIdentity new user", notFound, err)
	_, err = b.cognito.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pool, Logins: map[string]string{"login.a": "alice"}})
	c.want("GetOpenIdTokenForDeveloperIdentity existing user", notFound, err)
	// B's own pool and developer provider aimed at A's identity.
	_, err = b.cognito.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: aws.String(w.poolB),
		IdentityId: aws.String(w.alice), Logins: map[string]string{"login.b": "mallory"}})
	c.want("GetOpenIdTokenForDeveloperIdentity into A's identity", notFound, err)
	_, err = b.cognito.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String(w.arnA), Tags: map[string]string{"owner": "b"}})
	c.want("TagResource", notFound, err)
	_, err = b.cognito.UntagResource(ctx, &ci.UntagResourceInput{ResourceArn: aws.String(w.arnA), TagKeys: []string{"owner"}})
	c.want("UntagResource", notFound, err)
	_, err = b.cognito.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(w.arnA)})
	c.want("ListTagsForResource", notFound, err)
	// A's pool id under B's account in the ARN: still A's pool, still refused.
	_, err = b.cognito.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(strings.Replace(w.arnA, accountA, accountB, 1))})
	c.want("ListTagsForResource with B's account in A's pool ARN", notFound, err)
	lp, err := b.cognito.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	c.check("ListIdentityPools shows only B's pools", err == nil && len(lp.IdentityPools) == 1 && aws.ToString(lp.IdentityPools[0].IdentityPoolId) == w.poolB, []any{err, lp})

	// B pointing its own pool at A's role: the role's trust policy names A's
	// pool, so STS refuses the credentials.
	_, err = b.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(w.poolB), Roles: map[string]string{"unauthenticated": w.roleA}})
	fatalIf(t, "B SetIdentityPoolRoles on its own pool", err)
	gid, err := s.Anonymous(harness.Region).GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(w.poolB)})
	fatalIf(t, "B GetId", err)
	_, err = s.Anonymous(harness.Region).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: gid.IdentityId})
	c.want("GetCredentialsForIdentity through A's role", "InvalidIdentityPoolConfigurationException", err)

	// IAM of A's role from B.
	roleName := aws.String(roleAName)
	_, err = b.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: roleName})
	c.want("iam GetRole", "NoSuchEntity", err)
	_, err = b.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: roleName})
	c.want("iam DeleteRole", "NoSuchEntity", err)
	_, err = b.iam.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: roleName, PolicyDocument: aws.String(trust(w.poolB))})
	c.want("iam UpdateAssumeRolePolicy", "NoSuchEntity", err)
	lr, err := b.iam.ListRoles(ctx, &awsiam.ListRolesInput{})
	c.check("iam ListRoles shows only B's roles", err == nil && len(lr.Roles) == 1 && aws.ToString(lr.Roles[0].Arn) == w.roleB, []any{err, lr})

	// STS: A's role with a token of B's pool.
	_, err = stsClient(s).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(w.roleA),
		RoleSessionName: aws.String("intruder"), WebIdentityToken: aws.String(w.guestBToken)})
	c.want("sts AssumeRoleWithWebIdentity of A's role with B's token", "AccessDenied", err)

	after := snapshot(t, a, w)
	if before != after {
		t.Errorf("account A's state changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("isolation: %d cross-account attempts, %d refused, state %s", c.attempts, c.refusals, map[bool]string{true: "unchanged", false: "CHANGED"}[before == after])
}

// TestIdentityIsolation: one identity can't act with, or for, another.
func TestIdentityIsolation(t *testing.T) {
	s, a, _, w := start(t)
	ctx := t.Context()
	before := snapshot(t, a, w)
	anon := s.Anonymous(harness.Region)
	c := &tally{t: t}
	const denied = "NotAuthorizedException"
	cognitoLogin := "cognito-identity.amazonaws.com"

	// Bob's token removes Alice's login.
	_, err := anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: aws.String(w.alice),
		Logins: map[string]string{cognitoLogin: w.bobToken}, LoginsToRemove: []string{"login.a"}})
	c.want("UnlinkIdentity with another identity's token", denied, err)
	_, err = anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: aws.String(w.alice),
		Logins: map[string]string{cognitoLogin: w.guestBToken}, LoginsToRemove: []string{"login.a"}})
	c.want("UnlinkIdentity with another account's token", denied, err)
	// Alice's authenticated identity without (or with someone else's) logins.
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(w.alice)})
	c.want("GetCredentialsForIdentity without logins", denied, err)
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: aws.String(w.alice)})
	c.want("GetOpenIdToken without logins", denied, err)
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(w.alice), Logins: map[string]string{cognitoLogin: w.bobToken}})
	c.want("GetCredentialsForIdentity with another identity's token", denied, err)
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: aws.String(w.alice), Logins: map[string]string{cognitoLogin: w.bobToken}})
	c.want("GetOpenIdToken with another identity's token", denied, err)
	// Bob's OpenID token is for Bob: STS gives it Bob's session only, and a
	// token of A's pool can't be used as a login of B's pool.
	_, err = anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(w.poolB), Logins: map[string]string{cognitoLogin: w.bobToken}})
	c.want("GetId in B's pool with a token of A's pool", denied, err)

	// Credentials vended to Alice: an app user's, not an administrator's.
	creds, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(w.alice), Logins: map[string]string{cognitoLogin: w.aliceToken}})
	fatalIf(t, "Alice's own GetCredentialsForIdentity", err)
	cr := creds.Credentials
	vended := newAccount(s, accountA, static(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretKey), aws.ToString(cr.SessionToken)))
	const accessDenied = "AccessDeniedException"
	_, err = vended.cognito.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	c.want("vended ListIdentityPools", accessDenied, err)
	_, err = vended.cognito.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(w.poolA)})
	c.want("vended DescribeIdentityPool", accessDenied, err)
	_, err = vended.cognito.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("by an app user"), AllowUnauthenticatedIdentities: true})
	c.want("vended CreateIdentityPool", accessDenied, err)
	_, err = vended.cognito.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: aws.String(w.poolA), MaxResults: aws.Int32(10)})
	c.want("vended ListIdentities", accessDenied, err)
	_, err = vended.cognito.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{w.bob}})
	c.want("vended DeleteIdentities", accessDenied, err)
	_, err = vended.cognito.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: aws.String(w.poolA), Logins: map[string]string{"login.a": "bob"}})
	c.want("vended GetOpenIdTokenForDeveloperIdentity (Bob's token)", accessDenied, err)
	_, err = vended.cognito.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String(w.arnA), Tags: map[string]string{"owner": "alice"}})
	c.want("vended TagResource", accessDenied, err)
	_, err = vended.iam.ListRoles(ctx, &awsiam.ListRolesInput{})
	c.want("vended iam ListRoles", "AccessDenied", err)
	_, err = vended.iam.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String(roleAName), PolicyDocument: aws.String(trust(w.poolB))})
	c.want("vended iam UpdateAssumeRolePolicy", "AccessDenied", err)

	after := snapshot(t, a, w)
	if before != after {
		t.Errorf("account A's state changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("isolation: %d identity and vended-credential attempts, %d refused, state %s", c.attempts, c.refusals, map[bool]string{true: "unchanged", false: "CHANGED"}[before == after])

	// The unsigned operations stay open to them, as to anyone.
	if _, err := vended.cognito.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(w.poolA)}); err != nil {
		t.Errorf("vended credentials signing the unsigned GetId: %v", err)
	}
}

// legacyRole stores a role straight into a stopped server's SQLite store
// and starts the server again: a role an older idpool accepted.
func legacyRole(t *testing.T, s *harness.Server, acct, name, trust string) string {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(s.DataDir, "idpool.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	fatalIf(t, "open the store", err)
	r := &iam.Role{AccountID: acct, RoleName: name, RoleID: iam.UniqueID("AROA", 21), Path: "/",
		MaxSessionDuration: iam.DefaultMaxSessionDuration, CreateDate: time.Now().UTC(), AssumeRolePolicyDocument: trust}
	res, err := r.Resource()
	fatalIf(t, "role record", err)
	fatalIf(t, "store the role", st.Update(t.Context(), func(tx storage.Tx) error { return tx.CreateResource(res) }))
	fatalIf(t, "close the store", st.Close())
	s.Restart()
	return r.ARN()
}

// looseTrust lets every identity pool assume a role: the trust policy of
// issue 15's attack (account B's pool got account A's credentials).
const looseTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`

// TestAnyPoolTrust: account B's pool never gets account A's credentials
// through a role that does not name B's pool in an aud condition (issue 15):
// IAM refuses the aud-less trust policy on create and on update (also with
// idpool's issuer host as the principal); such a trust policy stored before
// the rule (a legacy role) works for A's own pool and for no other
// account's, on every path from a pool to a role: default roles,
// CustomRoleArn, the classic flow (GetOpenIdToken + STS); a role whose aud
// names B's pool is B's to assume, as on AWS.
func TestAnyPoolTrust(t *testing.T) {
	s, a, b, w := start(t)
	ctx := t.Context()
	c := &tally{t: t}
	anon := s.Anonymous(harness.Region)

	// IAM: no trust policy that lets any identity pool in.
	_, err := a.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("roleAloose"), AssumeRolePolicyDocument: aws.String(looseTrust)})
	c.want("iam CreateRole without aud", "MalformedPolicyDocument", err)
	amrOnly := strings.Replace(looseTrust, `"}]}`, `","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"*"}}}]}`, 1)
	_, err = a.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("roleAloose"), AssumeRolePolicyDocument: aws.String(amrOnly)})
	c.want("iam CreateRole with amr only", "MalformedPolicyDocument", err)
	_, err = a.iam.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String(w.roleAName), PolicyDocument: aws.String(looseTrust)})
	c.want("iam UpdateAssumeRolePolicy without aud", "MalformedPolicyDocument", err)
	role, err := a.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(w.roleAName)})
	fatalIf(t, "A GetRole", err)
	c.check("refused update left the trust policy", strings.Contains(aws.ToString(role.Role.AssumeRolePolicyDocument), "aud"), aws.ToString(role.Role.AssumeRolePolicyDocument))

	// idpool's alias of the principal, its issuer host, is held to the rule.
	host := strings.TrimPrefix(s.URL, "http://")
	hostTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + host + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"` + host + `:amr":"*"}}}]}`
	_, err = a.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("roleAhost"), AssumeRolePolicyDocument: aws.String(hostTrust)})
	c.want("iam CreateRole with the issuer host, without aud", "MalformedPolicyDocument", err)

	// A role stored before IAM refused such trust policies (written into
	// the store while the server is down), as an upgrade finds it.
	open := legacyRole(t, s, accountA, "roleAloose", looseTrust)

	// A's own pool may use it (same account)...
	_, err = a.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(w.poolA),
		Roles: map[string]string{"authenticated": open, "unauthenticated": open}})
	fatalIf(t, "A SetIdentityPoolRoles", err)
	ga, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(w.poolA)})
	fatalIf(t, "A GetId", err)
	own, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: ga.IdentityId})
	fatalIf(t, "A's pool through A's open role", err)
	if own.Credentials == nil || aws.ToString(own.Credentials.AccessKeyId) == "" {
		t.Fatal("A's pool got no credentials")
	}

	// ...account B's pool may not, by any path.
	_, err = b.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(w.poolB),
		Roles: map[string]string{"unauthenticated": open}})
	fatalIf(t, "B SetIdentityPoolRoles to A's role", err)
	gb, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(w.poolB)})
	fatalIf(t, "B GetId", err)
	const badConfig = "InvalidIdentityPoolConfigurationException"
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: gb.IdentityId})
	c.want("B's pool, default role = A's open role", badConfig, err)
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: gb.IdentityId, CustomRoleArn: aws.String(open)})
	c.want("B's pool, CustomRoleArn = A's open role", badConfig, err)
	tb, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: gb.IdentityId})
	fatalIf(t, "B GetOpenIdToken", err)
	for _, r := range []string{open, w.roleA} {
		_, err = stsClient(s).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(r),
			RoleSessionName: aws.String("intruder"), WebIdentityToken: tb.Token})
		c.want("classic flow: sts with B's token for "+r, "AccessDenied", err)
	}
	// B's authenticated (developer) identity, through A's open role.
	_, err = b.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(w.poolB),
		Roles: map[string]string{"authenticated": open, "unauthenticated": open}})
	fatalIf(t, "B SetIdentityPoolRoles (authenticated)", err)
	dev, err := b.cognito.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: aws.String(w.poolB), Logins: map[string]string{"login.b": "mallory"}})
	fatalIf(t, "B GetOpenIdTokenForDeveloperIdentity", err)
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: dev.IdentityId,
		Logins: map[string]string{"cognito-identity.amazonaws.com": aws.ToString(dev.Token)}})
	c.want("B's developer identity through A's open role", badConfig, err)
	_, err = stsClient(s).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(open),
		RoleSessionName: aws.String("intruder"), WebIdentityToken: dev.Token})
	c.want("sts with B's developer token for A's open role", "AccessDenied", err)

	// A cross-account role done right: A names B's pool in aud; B may use it.
	rb, err := a.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("roleAforB"), AssumeRolePolicyDocument: aws.String(trust(w.poolB))})
	fatalIf(t, "A CreateRole for B's pool", err)
	_, err = b.cognito.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(w.poolB),
		Roles: map[string]string{"unauthenticated": aws.ToString(rb.Role.Arn)}})
	fatalIf(t, "B SetIdentityPoolRoles to A's role for B", err)
	got, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: gb.IdentityId})
	fatalIf(t, "B's pool through A's role that names it", err)
	if got.Credentials == nil || aws.ToString(got.Credentials.AccessKeyId) == "" {
		t.Fatal("no credentials through a cross-account role with aud")
	}
	t.Logf("isolation: %d any-pool trust attempts, %d refused", c.attempts, c.refusals)
}

// TestDevTrustStaysInAccount: in development mode a role ARN IAM does not
// know is trusted only within the pool's own account (issue 15).
func TestDevTrustStaysInAccount(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := t.Context()
	admin := s.Cognito()
	p, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("dev"), AllowUnauthenticatedIdentities: true})
	fatalIf(t, "CreateIdentityPool", err)
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	fatalIf(t, "GetId", err)
	for _, tc := range []struct {
		role string
		ok   bool
	}{{"arn:aws:iam::000000000000:role/NotCreated", true}, {"arn:aws:iam::123456789012:role/NotCreated", false}} {
		_, err = admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"unauthenticated": tc.role}})
		fatalIf(t, "SetIdentityPoolRoles", err)
		_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
		if got := errCode(err); (got == "success") != tc.ok {
			t.Errorf("unknown role %s in dev mode: %s, want success=%v", tc.role, got, tc.ok)
		}
	}
}
