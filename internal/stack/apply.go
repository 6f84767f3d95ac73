package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// Clients are the SDK clients apply works through.
type Clients struct {
	Cognito *ci.Client
	IAM     *iam.Client
}

// NewClients returns the Cognito Identity and IAM clients of cfg, both at
// endpoint when it is set (idpool serves both on one port).
func NewClients(cfg aws.Config, endpoint string) Clients {
	return Clients{
		Cognito: ci.NewFromConfig(cfg, func(o *ci.Options) {
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
		}),
		IAM: iam.NewFromConfig(cfg, func(o *iam.Options) {
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
		}),
	}
}

// Options are apply's flags.
type Options struct {
	DryRun bool
	Prune  bool
	Out    io.Writer
}

// Result counts what apply did (or, with DryRun, would do).
type Result struct {
	Create, Update, Unchanged, Delete int
}

// Changes is how many objects were (or would be) changed.
func (r Result) Changes() int { return r.Create + r.Update + r.Delete }

// applier is one run of Apply.
type applier struct {
	f   *File
	c   Clients
	o   Options
	ctx context.Context
	res Result
	// made counts the changes that succeeded.
	made int

	// What the target holds and the file does not (for --prune).
	pruneOIDC, pruneSAML map[string]string
	pruneRoles           map[string]iamtypes.Role
	prunePools           []citypes.IdentityPoolShortDescription
}

// Apply makes the target match f, printing one plan line per object as it
// goes. A failure stops the run; the lines printed before it are what was
// changed, and the returned error names the object's line in the file.
func Apply(ctx context.Context, f *File, c Clients, o Options) (Result, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	a := &applier{f: f, c: c, o: o, ctx: ctx}
	if err := f.checkRegion(c.Cognito.Options().Region); err != nil {
		return Result{}, err
	}
	err := a.run()
	if err != nil && a.made > 0 {
		err = fmt.Errorf("%w\n(the %d change(s) listed before the failing one were made; fix the file and apply again)", err, a.made)
	}
	if err == nil {
		a.summary()
	}
	return a.res, err
}

func (a *applier) summary() {
	r := a.res
	switch {
	case r.Changes() == 0:
		fmt.Fprintf(a.o.Out, "No changes: the target matches %s (%d unchanged).\n", a.f.path, r.Unchanged)
	case a.o.DryRun:
		fmt.Fprintf(a.o.Out, "Plan: %d to create, %d to update, %d to delete, %d unchanged (dry run: nothing was changed).\n", r.Create, r.Update, r.Delete, r.Unchanged)
	default:
		fmt.Fprintf(a.o.Out, "Applied: %d created, %d updated, %d deleted, %d unchanged.\n", r.Create, r.Update, r.Delete, r.Unchanged)
	}
}

// plan prints one line and counts it.
func (a *applier) plan(action, kind, name string, line int, detail string) {
	switch action {
	case "create":
		a.res.Create++
	case "update", "replace":
		a.res.Update++
	case "delete":
		a.res.Delete++
	default:
		a.res.Unchanged++
	}
	where := ""
	if line > 0 {
		where = fmt.Sprintf(" (%s:%d)", a.f.path, line)
	}
	if detail != "" {
		detail = ": " + detail
	}
	fmt.Fprintf(a.o.Out, "%-9s %-14s %s%s%s\n", action, kind, name, detail, where)
}

// fail is an error of the target while applying the object at line.
func (a *applier) fail(line int, what string, err error) error {
	msg := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return &Error{Path: a.f.path, Line: line, Msg: what + ": " + msg}
}

func (a *applier) run() error {
	if err := a.oidcProviders(); err != nil {
		return err
	}
	if err := a.samlProviders(); err != nil {
		return err
	}
	if err := a.roles(); err != nil {
		return err
	}
	if err := a.pools(); err != nil {
		return err
	}
	if !a.o.Prune {
		return nil
	}
	if err := a.prunePoolsNow(); err != nil {
		return err
	}
	return a.pruneIAM()
}

// act runs fn unless this is a dry run.
func (a *applier) act(fn func() error) error {
	if a.o.DryRun {
		return nil
	}
	if err := fn(); err != nil {
		return err
	}
	a.made++
	return nil
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && slices.Contains(codes, ae.ErrorCode())
}

// ---- IAM OpenID Connect providers

func (a *applier) oidcProviders() error {
	list, err := a.c.IAM.ListOpenIDConnectProviders(a.ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return a.fail(0, "listing OpenID Connect providers", err)
	}
	have := map[string]string{} // name -> ARN
	for _, p := range list.OpenIDConnectProviderList {
		arn := aws.ToString(p.Arn)
		if _, name, ok := strings.Cut(arn, ":oidc-provider/"); ok {
			have[name] = arn
		}
	}
	for _, want := range a.f.IAM.OpenIDConnectProviders {
		name := oidcName(want.Url)
		arn, exists := have[name]
		delete(have, name)
		if !exists {
			a.plan("create", "oidc-provider", name, want.at.line, "")
			if err := a.act(func() error { return a.createOIDC(want) }); err != nil {
				return a.fail(want.at.line, "creating OpenID Connect provider "+name, err)
			}
			continue
		}
		got, err := a.c.IAM.GetOpenIDConnectProvider(a.ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			return a.fail(want.at.line, "reading OpenID Connect provider "+name, err)
		}
		sameClients := sameSet(got.ClientIDList, want.ClientIDList)
		sameRest := sameSet(lower(got.ThumbprintList), lower(want.ThumbprintList)) && sameTags(got.Tags, want.Tags)
		switch {
		case sameClients && sameRest:
			a.plan("unchanged", "oidc-provider", name, want.at.line, "")
		case sameRest && subset(got.ClientIDList, want.ClientIDList):
			a.plan("update", "oidc-provider", name, want.at.line, "add client ids")
			err := a.act(func() error {
				for _, id := range want.ClientIDList {
					if slices.Contains(got.ClientIDList, id) {
						continue
					}
					if _, err := a.c.IAM.AddClientIDToOpenIDConnectProvider(a.ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return a.fail(want.at.line, "updating OpenID Connect provider "+name, err)
			}
		default:
			a.plan("replace", "oidc-provider", name, want.at.line, "client ids, thumbprints or tags changed (deleted and created again)")
			err := a.act(func() error {
				if _, err := a.c.IAM.DeleteOpenIDConnectProvider(a.ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
					return err
				}
				return a.createOIDC(want)
			})
			if err != nil {
				return a.fail(want.at.line, "replacing OpenID Connect provider "+name, err)
			}
		}
	}
	a.pruneOIDC = have
	return nil
}

func (a *applier) createOIDC(p OIDCProvider) error {
	_, err := a.c.IAM.CreateOpenIDConnectProvider(a.ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(p.Url), ClientIDList: p.ClientIDList, ThumbprintList: p.ThumbprintList, Tags: iamTags(p.Tags)})
	return err
}

// ---- IAM SAML providers

func (a *applier) samlProviders() error {
	list, err := a.c.IAM.ListSAMLProviders(a.ctx, &iam.ListSAMLProvidersInput{})
	if err != nil {
		return a.fail(0, "listing SAML providers", err)
	}
	have := map[string]string{}
	for _, p := range list.SAMLProviderList {
		arn := aws.ToString(p.Arn)
		if _, name, ok := strings.Cut(arn, ":saml-provider/"); ok {
			have[name] = arn
		}
	}
	for _, want := range a.f.IAM.SAMLProviders {
		arn, exists := have[want.Name]
		delete(have, want.Name)
		create := func() error {
			_, err := a.c.IAM.CreateSAMLProvider(a.ctx, &iam.CreateSAMLProviderInput{Name: aws.String(want.Name),
				SAMLMetadataDocument: aws.String(want.SAMLMetadataDocument), Tags: iamTags(want.Tags)})
			return err
		}
		if !exists {
			a.plan("create", "saml-provider", want.Name, want.at.line, "")
			if err := a.act(create); err != nil {
				return a.fail(want.at.line, "creating SAML provider "+want.Name, err)
			}
			continue
		}
		got, err := a.c.IAM.GetSAMLProvider(a.ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		if err != nil {
			return a.fail(want.at.line, "reading SAML provider "+want.Name, err)
		}
		if strings.TrimSpace(aws.ToString(got.SAMLMetadataDocument)) == strings.TrimSpace(want.SAMLMetadataDocument) && sameTags(got.Tags, want.Tags) {
			a.plan("unchanged", "saml-provider", want.Name, want.at.line, "")
			continue
		}
		a.plan("replace", "saml-provider", want.Name, want.at.line, "metadata or tags changed (deleted and created again)")
		err = a.act(func() error {
			if _, err := a.c.IAM.DeleteSAMLProvider(a.ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
				return err
			}
			return create()
		})
		if err != nil {
			return a.fail(want.at.line, "replacing SAML provider "+want.Name, err)
		}
	}
	a.pruneSAML = have
	return nil
}

// ---- IAM roles

func (a *applier) roles() error {
	have := map[string]iamtypes.Role{} // lower-case name -> role
	var marker *string
	for {
		out, err := a.c.IAM.ListRoles(a.ctx, &iam.ListRolesInput{Marker: marker})
		if err != nil {
			return a.fail(0, "listing IAM roles", err)
		}
		for _, r := range out.Roles {
			have[strings.ToLower(aws.ToString(r.RoleName))] = r
		}
		if !out.IsTruncated || out.Marker == nil {
			break
		}
		marker = out.Marker
	}
	for _, want := range a.f.IAM.Roles {
		key := strings.ToLower(want.RoleName)
		_, exists := have[key]
		delete(have, key)
		if !exists {
			a.plan("create", "role", want.RoleName, want.at.line, "")
			if err := a.act(func() error { return a.createRole(want) }); err != nil {
				return a.fail(want.at.line, "creating role "+want.RoleName, err)
			}
			continue
		}
		got, err := a.c.IAM.GetRole(a.ctx, &iam.GetRoleInput{RoleName: aws.String(want.RoleName)})
		if err != nil {
			return a.fail(want.at.line, "reading role "+want.RoleName, err)
		}
		r := got.Role
		doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
		sameTrust := sameJSON(doc, string(want.AssumeRolePolicyDocument))
		wantPath := want.Path
		if wantPath == "" {
			wantPath = "/"
		}
		if aws.ToString(r.Path) != wantPath {
			// IAM cannot move a role to another path.
			a.plan("replace", "role", want.RoleName, want.at.line, "path changed (deleted and created again)")
			err := a.act(func() error {
				if err := a.deleteRole(want.RoleName); err != nil {
					return err
				}
				return a.createRole(want)
			})
			if err != nil {
				return a.fail(want.at.line, "replacing role "+want.RoleName, err)
			}
			continue
		}
		inline, managed, err := rolePolicies(a.ctx, a.c, want.RoleName)
		if err != nil {
			return a.fail(want.at.line, "reading the policies of role "+want.RoleName, err)
		}
		state := roleState{description: aws.ToString(r.Description), maxSession: aws.ToInt32(r.MaxSessionDuration),
			sameTags: sameTags(r.Tags, want.Tags), inline: inline, managed: managed}
		changes := roleChanges(state, want)
		if !sameTrust {
			changes = append([]string{"trust policy"}, changes...)
		}
		if len(changes) == 0 {
			a.plan("unchanged", "role", want.RoleName, want.at.line, "")
			continue
		}
		a.plan("update", "role", want.RoleName, want.at.line, strings.Join(changes, ", "))
		if err := a.act(func() error { return a.updateRole(want, state, sameTrust, stackTags(r.Tags)) }); err != nil {
			return a.fail(want.at.line, "updating role "+want.RoleName, err)
		}
	}
	a.pruneRoles = have
	return nil
}

func (a *applier) createRole(r Role) error {
	in := &iam.CreateRoleInput{RoleName: aws.String(r.RoleName), AssumeRolePolicyDocument: aws.String(string(r.AssumeRolePolicyDocument)), Tags: iamTags(r.Tags)}
	if r.Path != "" {
		in.Path = aws.String(r.Path)
	}
	if r.Description != "" {
		in.Description = aws.String(r.Description)
	}
	if r.MaxSessionDuration != 0 {
		in.MaxSessionDuration = aws.Int32(r.MaxSessionDuration)
	}
	if _, err := a.c.IAM.CreateRole(a.ctx, in); err != nil {
		return err
	}
	return a.syncPolicies(r, nil, nil)
}

// updateRole brings an existing role at the right path to want.
func (a *applier) updateRole(want Role, r roleState, sameTrust bool, tags []Tag) error {
	name := aws.String(want.RoleName)
	if !sameTrust {
		if _, err := a.c.IAM.UpdateAssumeRolePolicy(a.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: aws.String(string(want.AssumeRolePolicyDocument))}); err != nil {
			return err
		}
	}
	if r.description != want.Description || r.maxSession != maxSession(want) {
		if _, err := a.c.IAM.UpdateRole(a.ctx, &iam.UpdateRoleInput{RoleName: name, Description: aws.String(want.Description), MaxSessionDuration: aws.Int32(maxSession(want))}); err != nil {
			return err
		}
	}
	if set, drop := tagDiff(tags, want.Tags); len(set)+len(drop) > 0 {
		if len(drop) > 0 {
			if _, err := a.c.IAM.UntagRole(a.ctx, &iam.UntagRoleInput{RoleName: name, TagKeys: drop}); err != nil {
				return err
			}
		}
		if len(set) > 0 {
			if _, err := a.c.IAM.TagRole(a.ctx, &iam.TagRoleInput{RoleName: name, Tags: iamTags(set)}); err != nil {
				return err
			}
		}
	}
	return a.syncPolicies(want, r.inline, r.managed)
}

// pruneIAM deletes the roles and providers the file does not declare,
// after the pools (which may name them) are done.
func (a *applier) pruneIAM() error {
	for _, name := range slices.Sorted(maps.Keys(a.pruneRoles)) {
		r := a.pruneRoles[name]
		a.plan("delete", "role", aws.ToString(r.RoleName), 0, "")
		if err := a.act(func() error { return a.deleteRole(aws.ToString(r.RoleName)) }); err != nil {
			return a.fail(0, "deleting role "+aws.ToString(r.RoleName), err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(a.pruneOIDC)) {
		arn := a.pruneOIDC[name]
		a.plan("delete", "oidc-provider", name, 0, "")
		if err := a.act(func() error {
			_, err := a.c.IAM.DeleteOpenIDConnectProvider(a.ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
			return err
		}); err != nil {
			return a.fail(0, "deleting OpenID Connect provider "+name, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(a.pruneSAML)) {
		arn := a.pruneSAML[name]
		a.plan("delete", "saml-provider", name, 0, "")
		if err := a.act(func() error {
			_, err := a.c.IAM.DeleteSAMLProvider(a.ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
			return err
		}); err != nil {
			return a.fail(0, "deleting SAML provider "+name, err)
		}
	}
	return nil
}

// ---- helpers

func iamTags(ts []Tag) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, t := range ts {
		out = append(out, iamtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}

func stackTags(ts []iamtypes.Tag) []Tag {
	var out []Tag
	for _, t := range ts {
		out = append(out, Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func sameTags(got []iamtypes.Tag, want []Tag) bool {
	g := map[string]string{}
	for _, t := range got {
		g[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	w := map[string]string{}
	for _, t := range want {
		w[t.Key] = t.Value
	}
	return reflect.DeepEqual(g, w)
}

func sameSet(a, b []string) bool {
	return subset(a, b) && subset(b, a)
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

func lower(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToLower(v)
	}
	return out
}

// sameJSON compares two JSON texts by value.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(x, y)
}

// convert copies a value into another type with the same JSON members
// (the SDK's structs carry the API's member names as field names).
func convert(dst, src any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
