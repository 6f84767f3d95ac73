package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// PinnedTarget is the X-Amz-Target of idpool's CreateIdentityPoolWithId.
const PinnedTarget = "IdpoolService.CreateIdentityPoolWithId"

func (a *applier) pools() error {
	listed, err := listPools(a.ctx, a.c)
	if err != nil {
		return a.fail(0, "listing identity pools", err)
	}
	matched := map[string]bool{}
	byName := map[string][]string{}
	for _, p := range listed {
		byName[aws.ToString(p.IdentityPoolName)] = append(byName[aws.ToString(p.IdentityPoolName)], aws.ToString(p.IdentityPoolId))
	}
	for i := range a.f.IdentityPools {
		want := &a.f.IdentityPools[i]
		id := want.IdentityPoolId
		exists := false
		if id != "" {
			_, err := a.c.Cognito.DescribeIdentityPool(a.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)})
			switch {
			case err == nil:
				exists = true
			case isCode(err, "ResourceNotFoundException"):
			default:
				return a.fail(want.at.line, "reading identity pool "+id, err)
			}
		} else {
			ids := byName[want.IdentityPoolName]
			var free []string
			for _, x := range ids {
				if !matched[x] {
					free = append(free, x)
				}
			}
			if len(free) > 1 {
				return &Error{Path: a.f.path, Line: want.at.key("IdentityPoolName"), Msg: fmt.Sprintf("the target has %d pools named %q (%s): give this pool an IdentityPoolId", len(free), want.IdentityPoolName, strings.Join(free, ", "))}
			}
			if len(free) == 1 {
				id, exists = free[0], true
			}
		}
		matched[id] = true
		label := fmt.Sprintf("%q", want.IdentityPoolName)
		if id != "" {
			label += " " + id
		}
		if !exists {
			if err := a.createPool(want, label); err != nil {
				return err
			}
			continue
		}
		if err := a.updatePool(want, id, label); err != nil {
			return err
		}
	}
	for _, p := range listed {
		if !matched[aws.ToString(p.IdentityPoolId)] {
			a.prunePools = append(a.prunePools, p)
		}
	}
	return nil
}

// listPools lists every pool of the account and region.
func listPools(ctx context.Context, c Clients) ([]citypes.IdentityPoolShortDescription, error) {
	var listed []citypes.IdentityPoolShortDescription
	var next *string
	for {
		out, err := c.Cognito.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60), NextToken: next})
		if err != nil {
			return nil, err
		}
		listed = append(listed, out.IdentityPools...)
		if out.NextToken == nil || *out.NextToken == "" {
			return listed, nil
		}
		next = out.NextToken
	}
}

// poolRoles is GetIdentityPoolRoles's answer in the file's types.
type poolRoles struct {
	Roles        map[string]string
	RoleMappings map[string]RoleMapping
}

func readRoles(ctx context.Context, c Clients, id string) (*poolRoles, error) {
	out, err := c.Cognito.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	r := &poolRoles{}
	if err := convert(r, out); err != nil {
		return nil, err
	}
	return r, nil
}

func (a *applier) createPool(want *Pool, label string) error {
	a.plan("create", "identity-pool", label, want.at.line, "")
	if a.o.DryRun {
		return nil
	}
	in := &ci.CreateIdentityPoolInput{}
	if err := convert(in, want); err != nil {
		return a.fail(want.at.line, "creating identity pool "+label, err)
	}
	var opts []func(*ci.Options)
	if want.IdentityPoolId != "" {
		opts = append(opts, pinnedID(want.IdentityPoolId))
	}
	out, err := a.c.Cognito.CreateIdentityPool(a.ctx, in, opts...)
	if err != nil {
		if want.IdentityPoolId != "" && isCode(err, "UnknownOperationException") {
			return &Error{Path: a.f.path, Line: want.at.key("IdentityPoolId"), Msg: "the target does not support pinned pool ids (IdpoolService.CreateIdentityPoolWithId): it is not idpool; remove IdentityPoolId to let it choose"}
		}
		return a.fail(want.at.line, "creating identity pool "+label, err)
	}
	a.made++
	id := aws.ToString(out.IdentityPoolId)
	if want.IdentityPoolId == "" {
		fmt.Fprintf(a.o.Out, "          identity pool %q has id %s\n", want.IdentityPoolName, id)
	}
	if len(want.Roles) > 0 || len(want.RoleMappings) > 0 {
		if err := a.setRoles(want, id); err != nil {
			return a.fail(want.at.key("Roles"), "setting the roles of identity pool "+label, err)
		}
	}
	for _, t := range want.PrincipalTags {
		if err := a.setTags(id, t); err != nil {
			return a.fail(want.at.key("PrincipalTags"), "setting principal tags of identity pool "+label, err)
		}
	}
	return nil
}

// poolSettings is what UpdateIdentityPool sets, normalized for comparison.
func poolSettings(p *Pool) Pool {
	q := Pool{
		IdentityPoolName: p.IdentityPoolName, AllowUnauthenticatedIdentities: p.AllowUnauthenticatedIdentities,
		AllowClassicFlow: p.AllowClassicFlow, SupportedLoginProviders: p.SupportedLoginProviders,
		DeveloperProviderName: p.DeveloperProviderName, OpenIdConnectProviderARNs: sorted(p.OpenIdConnectProviderARNs),
		CognitoIdentityProviders: p.CognitoIdentityProviders, SamlProviderARNs: sorted(p.SamlProviderARNs),
		IdentityPoolTags: p.IdentityPoolTags,
	}
	if len(q.SupportedLoginProviders) == 0 {
		q.SupportedLoginProviders = nil
	}
	if len(q.IdentityPoolTags) == 0 {
		q.IdentityPoolTags = nil
	}
	if len(q.CognitoIdentityProviders) == 0 {
		q.CognitoIdentityProviders = nil
	}
	return q
}

func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// rolesOf is a pool's Roles and RoleMappings, normalized for comparison.
func rolesOf(roles map[string]string, mappings map[string]RoleMapping) string {
	if len(roles) == 0 {
		roles = nil
	}
	if len(mappings) == 0 {
		mappings = nil
	}
	for k, m := range mappings {
		if m.RulesConfiguration != nil && len(m.RulesConfiguration.Rules) == 0 {
			m.RulesConfiguration = nil
		}
		mappings[k] = m
	}
	b, _ := json.Marshal(struct {
		R map[string]string
		M map[string]RoleMapping
	}{roles, mappings})
	return string(b)
}

func (a *applier) updatePool(want *Pool, id, label string) error {
	desc, err := a.c.Cognito.DescribeIdentityPool(a.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)})
	if err != nil {
		return a.fail(want.at.line, "reading identity pool "+label, err)
	}
	var got Pool
	if err := convert(&got, desc); err != nil {
		return a.fail(want.at.line, "reading identity pool "+label, err)
	}
	gotRoles, err := readRoles(a.ctx, a.c, id)
	if err != nil {
		return a.fail(want.at.line, "reading the roles of identity pool "+label, err)
	}
	var changes []string
	settings := !reflect.DeepEqual(poolSettings(&got), poolSettings(want))
	if settings {
		changes = append(changes, "settings")
	}
	rolesChanged := rolesOf(gotRoles.Roles, gotRoles.RoleMappings) != rolesOf(want.Roles, copyMappings(want.RoleMappings))
	if rolesChanged {
		changes = append(changes, "roles")
	}
	var tagChanges []PrincipalTagMap
	for _, t := range want.PrincipalTags {
		out, err := a.c.Cognito.GetPrincipalTagAttributeMap(a.ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: aws.String(id), IdentityProviderName: aws.String(t.IdentityProviderName)})
		if err != nil && !isCode(err, "ResourceNotFoundException") {
			return a.fail(want.at.key("PrincipalTags"), "reading principal tags of identity pool "+label, err)
		}
		var cur PrincipalTagMap
		if out != nil {
			cur = PrincipalTagMap{IdentityProviderName: t.IdentityProviderName, UseDefaults: aws.ToBool(out.UseDefaults), PrincipalTags: out.PrincipalTags}
		}
		if len(cur.PrincipalTags) == 0 {
			cur.PrincipalTags = nil
		}
		w := t
		if len(w.PrincipalTags) == 0 {
			w.PrincipalTags = nil
		}
		if !reflect.DeepEqual(cur, w) {
			tagChanges = append(tagChanges, t)
		}
	}
	if len(tagChanges) > 0 {
		changes = append(changes, "principal tags")
	}
	if len(changes) == 0 {
		a.plan("unchanged", "identity-pool", label, want.at.line, "")
		return nil
	}
	a.plan("update", "identity-pool", label, want.at.line, strings.Join(changes, ", "))
	if a.o.DryRun {
		return nil
	}
	if settings {
		in := &ci.UpdateIdentityPoolInput{}
		if err := convert(in, want); err != nil {
			return a.fail(want.at.line, "updating identity pool "+label, err)
		}
		in.IdentityPoolId = aws.String(id)
		if in.IdentityPoolTags == nil {
			in.IdentityPoolTags = map[string]string{}
		}
		if _, err := a.c.Cognito.UpdateIdentityPool(a.ctx, in); err != nil {
			return a.fail(want.at.line, "updating identity pool "+label, err)
		}
		a.made++
	}
	if rolesChanged {
		if err := a.setRoles(want, id); err != nil {
			return a.fail(want.at.key("Roles"), "setting the roles of identity pool "+label, err)
		}
	}
	for _, t := range tagChanges {
		if err := a.setTags(id, t); err != nil {
			return a.fail(want.at.key("PrincipalTags"), "setting principal tags of identity pool "+label, err)
		}
	}
	return nil
}

func copyMappings(m map[string]RoleMapping) map[string]RoleMapping {
	out := make(map[string]RoleMapping, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (a *applier) setRoles(want *Pool, id string) error {
	in := &ci.SetIdentityPoolRolesInput{}
	if err := convert(in, struct {
		Roles        map[string]string
		RoleMappings map[string]RoleMapping `json:",omitempty"`
	}{want.Roles, want.RoleMappings}); err != nil {
		return err
	}
	if in.Roles == nil {
		in.Roles = map[string]string{}
	}
	in.IdentityPoolId = aws.String(id)
	_, err := a.c.Cognito.SetIdentityPoolRoles(a.ctx, in)
	return err
}

func (a *applier) setTags(id string, t PrincipalTagMap) error {
	_, err := a.c.Cognito.SetPrincipalTagAttributeMap(a.ctx, &ci.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: aws.String(id), IdentityProviderName: aws.String(t.IdentityProviderName),
		UseDefaults: aws.Bool(t.UseDefaults), PrincipalTags: t.PrincipalTags})
	return err
}

func (a *applier) prunePoolsNow() error {
	for _, p := range a.prunePools {
		label := fmt.Sprintf("%q %s", aws.ToString(p.IdentityPoolName), aws.ToString(p.IdentityPoolId))
		a.plan("delete", "identity-pool", label, 0, "")
		if err := a.act(func() error {
			_, err := a.c.Cognito.DeleteIdentityPool(a.ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
			return err
		}); err != nil {
			return a.fail(0, "deleting identity pool "+label, err)
		}
	}
	return nil
}

// pinnedID turns a CreateIdentityPool call into idpool's
// IdpoolService.CreateIdentityPoolWithId: after the SDK serialized the
// input and before it signs, the body gains IdentityPoolId and the target
// changes. The call keeps everything else of the SDK's: endpoint,
// credentials chain, SigV4, retries, error decoding (the output has
// CreateIdentityPool's shape).
func pinnedID(id string) func(*ci.Options) {
	return func(o *ci.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Build.Add(middleware.BuildMiddlewareFunc("idpoolPinnedPoolID",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					req, ok := in.Request.(*smithyhttp.Request)
					if !ok {
						return next.HandleBuild(ctx, in)
					}
					var members map[string]json.RawMessage
					if stream := req.GetStream(); stream != nil {
						body, err := io.ReadAll(stream)
						if err != nil {
							return middleware.BuildOutput{}, middleware.Metadata{}, err
						}
						if err := json.Unmarshal(body, &members); err != nil {
							return middleware.BuildOutput{}, middleware.Metadata{}, err
						}
					}
					if members == nil {
						members = map[string]json.RawMessage{}
					}
					members["IdentityPoolId"], _ = json.Marshal(id)
					body, err := json.Marshal(members)
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					r, err := req.SetStream(bytes.NewReader(body))
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					r.ContentLength = int64(len(body))
					r.Header.Set("X-Amz-Target", PinnedTarget)
					in.Request = r
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		})
	}
}
