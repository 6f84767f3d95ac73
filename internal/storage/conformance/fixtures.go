package conformance

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

const (
	account = "000000000000"
	region  = "us-east-1"
)

// stamp is a fixed, millisecond-precise UTC time.
var stamp = time.Date(2026, 11, 22, 10, 30, 15, 123_000_000, time.UTC)

func ptr[T any](v T) *T { return &v }

// fullPool returns a pool with every field set.
func fullPool(id string) *storage.Pool {
	return &storage.Pool{
		ID:                        id,
		AccountID:                 account,
		Region:                    region,
		Name:                      "pool " + id,
		AllowUnauthenticated:      true,
		AllowClassicFlow:          ptr(false),
		SupportedLoginProviders:   map[string]string{"graph.facebook.com": "123", "accounts.google.com": "abc.apps"},
		DeveloperProviderName:     "login.example",
		OpenIDConnectProviderARNs: []string{"arn:aws:iam::000000000000:oidc-provider/a.example", "arn:aws:iam::000000000000:oidc-provider/b.example"},
		CognitoIdentityProviders: []storage.CognitoProvider{
			{ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", ClientID: "client1", ServerSideTokenCheck: true},
			{ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_def", ClientID: "client2"},
		},
		SAMLProviderARNs: []string{"arn:aws:iam::000000000000:saml-provider/corp"},
		Tags:             map[string]string{"team": "identity", "empty": ""},
		Roles:            map[string]string{"authenticated": "arn:aws:iam::000000000000:role/auth", "unauthenticated": "arn:aws:iam::000000000000:role/unauth"},
		RoleMappings: map[string]storage.RoleMapping{
			"graph.facebook.com": {Type: "Token", AmbiguousRoleResolution: "Deny"},
			"login.example": {Type: "Rules", AmbiguousRoleResolution: "AuthenticatedRole", Rules: []storage.MappingRule{
				{Claim: "isAdmin", MatchType: "Equals", Value: "yes", RoleARN: "arn:aws:iam::000000000000:role/admin"},
				{Claim: "group", MatchType: "Contains", Value: "dev", RoleARN: "arn:aws:iam::000000000000:role/dev"},
			}},
		},
		PrincipalTags: map[string]storage.PrincipalTagMap{
			"graph.facebook.com": {UseDefaults: true},
			"login.example":      {Tags: map[string]string{"username": "sub"}},
		},
		CreatedAt: stamp,
		UpdatedAt: stamp.Add(time.Second),
	}
}

// bare returns a pool with only its keys set.
func bare(id string) *storage.Pool {
	return &storage.Pool{ID: id, AccountID: account, Region: region, Name: "p", CreatedAt: stamp, UpdatedAt: stamp}
}

func identity(poolID, id string, logins ...storage.Login) *storage.Identity {
	return &storage.Identity{ID: id, PoolID: poolID, Authenticated: len(logins) > 0, Logins: logins, CreatedAt: stamp, UpdatedAt: stamp}
}

func login(provider, subject string) storage.Login {
	return storage.Login{Provider: provider, Subject: subject}
}

// poolID and identityID make ids in the AWS shape that sort by n.
func poolID(n int) string     { return fmt.Sprintf("%s:00000000-0000-4000-8000-%012d", region, n) }
func identityID(n int) string { return fmt.Sprintf("%s:10000000-0000-4000-8000-%012d", region, n) }

// wantErr fails unless err is (wraps) target.
func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// same fails unless got and want are deeply equal, comparing times as
// instants and insisting they are in UTC.
func same(t *testing.T, got, want any, what string) {
	t.Helper()
	checkUTC(t, reflect.ValueOf(got), what)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

// checkUTC walks v and fails on a time.Time whose location is not UTC.
func checkUTC(t *testing.T, v reflect.Value, what string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkUTC(t, v.Elem(), what)
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkUTC(t, v.Index(i), what)
		}
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			if tm.Location() != time.UTC {
				t.Fatalf("%s: time %v is not in UTC", what, tm)
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				checkUTC(t, v.Field(i), what)
			}
		}
	}
}

func getPool(t *testing.T, s storage.Store, id string) (p *storage.Pool, err error) {
	t.Helper()
	view(t, s, func(r storage.Reader) error {
		p, err = r.GetPool(id)
		return nil
	})
	return p, err
}

func getIdentity(t *testing.T, s storage.Store, id string) (i *storage.Identity, err error) {
	t.Helper()
	view(t, s, func(r storage.Reader) error {
		i, err = r.GetIdentity(id)
		return nil
	})
	return i, err
}

func loginOwner(t *testing.T, s storage.Store, pool string, l storage.Login) (owner string, err error) {
	t.Helper()
	view(t, s, func(r storage.Reader) error {
		owner, err = r.LoginOwner(pool, l.Provider, l.Subject)
		// LoginIdentity must agree: the same identity as GetIdentity reads,
		// or the same ErrNotFound.
		got, lerr := r.LoginIdentity(pool, l.Provider, l.Subject)
		if !errors.Is(lerr, err) {
			t.Errorf("LoginIdentity(%s/%s) error %v where LoginOwner says %v", l.Provider, l.Subject, lerr, err)
		}
		if err == nil && lerr == nil {
			want, gerr := r.GetIdentity(owner)
			if gerr != nil {
				return gerr
			}
			same(t, got, want, "LoginIdentity("+l.Provider+"/"+l.Subject+")")
		}
		return nil
	})
	return owner, err
}

func createPools(t *testing.T, s storage.Store, pools ...*storage.Pool) {
	t.Helper()
	update(t, s, func(tx storage.Tx) error {
		for _, p := range pools {
			if err := tx.CreatePool(p); err != nil {
				return err
			}
		}
		return nil
	})
}

func createIdentities(t *testing.T, s storage.Store, ids ...*storage.Identity) {
	t.Helper()
	update(t, s, func(tx storage.Tx) error {
		for _, id := range ids {
			if err := tx.CreateIdentity(id); err != nil {
				return err
			}
		}
		return nil
	})
}
