package iamquery_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/iamquery"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/internal/wire"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:pool"}}}]}`

type env struct {
	svc   *iamquery.Service
	url   string
	store *sqlite.Store
}

func setup(t *testing.T) *env {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc, err := iamquery.New(iamquery.Config{Store: store, Issuer: "http://idpool.test:9350/"})
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.NewStatic([]auth.Account{
		{ID: "000000000000", Keys: map[string]string{"test": "test"}},
		{ID: "111111111111", Keys: map[string]string{"other": "othersecret"}},
	})
	h := wire.New(wire.Config{QueryServices: []awsquery.Service{svc}, Verifier: &sigv4.Verifier{Keyring: keys}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{svc: svc, url: srv.URL, store: store}
}

// role reads a role by ARN straight from the store.
func (e *env) role(arn string) (*iam.Role, error) {
	var role *iam.Role
	err := e.store.View(context.Background(), func(r storage.Reader) (err error) {
		role, err = iam.RoleByARN(r, arn)
		return err
	})
	return role, err
}

func (e *env) client(key, secret string) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(e.url),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
	})
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return ae.ErrorCode()
}

func TestRoleLifecycleWithSDK(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	c := e.client("test", "test")
	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName:                 aws.String("Cognito_Auth"),
		AssumeRolePolicyDocument: aws.String(trust),
		Path:                     aws.String("/app/"),
		Description:              aws.String("authenticated users"),
		MaxSessionDuration:       aws.Int32(7200),
		Tags:                     []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if got := aws.ToString(r.Arn); got != "arn:aws:iam::000000000000:role/app/Cognito_Auth" {
		t.Errorf("Arn = %s", got)
	}
	if id := aws.ToString(r.RoleId); len(id) != 21 || !strings.HasPrefix(id, "AROA") {
		t.Errorf("RoleId = %s", id)
	}
	if r.CreateDate == nil || r.CreateDate.IsZero() {
		t.Error("no CreateDate")
	}
	// The SDK hands back the URL-encoded document, as AWS sends it.
	if doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); doc != trust {
		t.Errorf("policy = %s", aws.ToString(r.AssumeRolePolicyDocument))
	}

	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("cognito_auth"), AssumeRolePolicyDocument: aws.String(trust)})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate name (other case): %v", err)
	}

	got, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("Cognito_Auth")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(got.Role.MaxSessionDuration) != 7200 || aws.ToString(got.Role.Description) != "authenticated users" ||
		len(got.Role.Tags) != 1 || aws.ToString(got.Role.Tags[0].Value) != "blue" || aws.ToString(got.Role.Path) != "/app/" {
		t.Errorf("GetRole = %+v", got.Role)
	}

	role, err := e.role("arn:aws:iam::000000000000:role/app/Cognito_Auth")
	if err != nil || role.RoleID != aws.ToString(r.RoleId) {
		t.Fatalf("lookup by ARN: %v %+v", err, role)
	}
	if _, err := e.role("arn:aws:iam::000000000000:role/Cognito_Auth"); err == nil {
		t.Error("lookup with the wrong path must fail")
	}

	// A trust policy for cognito-identity.amazonaws.com must restrict aud
	// (issue 15): refused on update as on create, and the stored one stays.
	const looseTrust = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:*"}}`
	_, err = c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Cognito_Auth"), PolicyDocument: aws.String(looseTrust)})
	var mpd *iamtypes.MalformedPolicyDocumentException
	if !errors.As(err, &mpd) || mpd.ErrorMessage() != iam.MsgCognitoAud {
		t.Fatalf("UpdateAssumeRolePolicy without aud: %v, want MalformedPolicyDocument %q", err, iam.MsgCognitoAud)
	}
	if role, _ = e.role("arn:aws:iam::000000000000:role/app/Cognito_Auth"); role.AssumeRolePolicyDocument != trust {
		t.Fatalf("a refused update changed the trust policy: %s", role.AssumeRolePolicyDocument)
	}
	const newTrust = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:*","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:other-pool"}}}}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Cognito_Auth"), PolicyDocument: aws.String(newTrust)}); err != nil {
		t.Fatal(err)
	}
	role, _ = e.role("arn:aws:iam::000000000000:role/app/Cognito_Auth")
	if role.AssumeRolePolicyDocument != newTrust {
		t.Errorf("trust not updated: %s", role.AssumeRolePolicyDocument)
	}

	// Accounts never see each other's roles.
	other := e.client("other", "othersecret")
	_, err = other.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("Cognito_Auth")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorMessage() != "The role with name Cognito_Auth cannot be found." {
		t.Fatalf("other account GetRole: %v", err)
	}

	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("Cognito_Auth")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("Cognito_Auth")}); !errors.As(err, &nse) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestListRolesPaginates(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	c := e.client("test", "test")
	for _, n := range []string{"r1", "r2", "r3", "r4", "r5"} {
		path := "/"
		if n == "r3" {
			path = "/svc/"
		}
		if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(n), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := awsiam.NewListRolesPaginator(c, &awsiam.ListRolesInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Roles {
			names = append(names, aws.ToString(r.RoleName))
			if len(r.Tags) != 0 {
				t.Error("ListRoles must not return tags")
			}
		}
	}
	if strings.Join(names, ",") != "r1,r2,r3,r4,r5" || pages != 3 {
		t.Fatalf("listed %v in %d pages", names, pages)
	}
	out, err := c.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("/svc/")})
	if err != nil || len(out.Roles) != 1 || aws.ToString(out.Roles[0].RoleName) != "r3" || out.IsTruncated {
		t.Fatalf("PathPrefix: %v %+v", err, out)
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	c := e.client("test", "test")
	cases := []struct {
		name string
		in   *awsiam.CreateRoleInput
		code string
		msg  string
	}{
		{"bad json", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String("{")}, "MalformedPolicyDocument", "This policy contains invalid Json"},
		{"resource", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Resource":"*"}}`)}, "MalformedPolicyDocument", "Has prohibited field Resource"},
		// Issue 15: a role any identity pool may assume is refused.
		{"cognito without aud", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}`)}, "MalformedPolicyDocument", iam.MsgCognitoAud},
		{"cognito amr only", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":["accounts.google.com","cognito-identity.amazonaws.com"]},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}}`)}, "MalformedPolicyDocument", iam.MsgCognitoAud},
		{"cognito aud StringLike *", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:*","Condition":{"StringLike":{"cognito-identity.amazonaws.com:aud":"*"}}}}`)}, "MalformedPolicyDocument", iam.MsgCognitoAud},
		// idpool's aliases of the principal (its issuer host, an OIDC provider for it) are held to the same rule.
		{"issuer host without aud", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"idpool.test:9350"},"Action":"sts:AssumeRoleWithWebIdentity"}}`)}, "MalformedPolicyDocument", iam.MsgCognitoAud},
		{"issuer provider ARN without aud", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/idpool.test:9350"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"idpool.test:9350:amr":"*"}}}}`)}, "MalformedPolicyDocument", iam.MsgCognitoAud},
		{"name pattern", &awsiam.CreateRoleInput{RoleName: aws.String("bad name"), AssumeRolePolicyDocument: aws.String(trust)}, "ValidationError",
			`1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"duration", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(60)}, "ValidationError",
			"1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"path", &awsiam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust), Path: aws.String("noslash")}, "ValidationError", ""},
	}
	for _, tc := range cases {
		_, err := c.CreateRole(ctx, tc.in)
		if code := apiCode(t, err); code != tc.code {
			t.Errorf("%s: code %s (%v), want %s", tc.name, code, err, tc.code)
			continue
		}
		var ae smithy.APIError
		errors.As(err, &ae)
		if tc.msg != "" && ae.ErrorMessage() != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, ae.ErrorMessage(), tc.msg)
		}
	}
	// The issuer host's own aud key restricts as well as Cognito's.
	hostAud := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"idpool.test:9350"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"idpool.test:9350:aud":"us-east-1:pool"}}}}`
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("hostaud"), AssumeRolePolicyDocument: aws.String(hostAud)}); err != nil {
		t.Errorf("issuer host with its aud condition: %v", err)
	}
	// Missing required members: the SDK validates them itself, so post the form.
	_, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("nope")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("GetRole unknown: %v", err)
	}
	bad := e.client("test", "wrong")
	if _, err := bad.ListRoles(ctx, &awsiam.ListRolesInput{}); apiCode(t, err) != "SignatureDoesNotMatch" {
		t.Fatalf("bad secret: %v", err)
	}
	unknown := e.client("nobody", "x")
	if _, err := unknown.ListRoles(ctx, &awsiam.ListRolesInput{}); apiCode(t, err) != "InvalidClientTokenId" {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestSessionCredentialsRefused(t *testing.T) {
	e := setup(t)
	a, ok := e.svc.Action("CreateRole")
	if !ok {
		t.Fatal("no CreateRole")
	}
	caller := &auth.Caller{Principal: &auth.Principal{AccountID: "000000000000", ARN: "arn:aws:sts::000000000000:assumed-role/r/s", Session: &auth.Session{RoleName: "r"}}}
	_, err := a.Call(context.Background(), caller, url.Values{"RoleName": {"x"}, "AssumeRolePolicyDocument": {trust}})
	if apierr.AsIn(apierr.Query, err).Code != "AccessDenied" {
		t.Fatalf("session principal: %v", err)
	}
}
