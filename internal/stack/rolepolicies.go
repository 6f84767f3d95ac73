package stack

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// rolePolicies reads a role's inline policies (name -> document) and its
// attached managed policy ARNs.
func rolePolicies(ctx context.Context, c Clients, name string) (map[string]string, []string, error) {
	inline := map[string]string{}
	for p := iam.NewListRolePoliciesPaginator(c.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(name)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, pn := range out.PolicyNames {
			got, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			if err != nil {
				return nil, nil, err
			}
			inline[pn], _ = url.QueryUnescape(aws.ToString(got.PolicyDocument))
		}
	}
	var managed []string
	for p := iam.NewListAttachedRolePoliciesPaginator(c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, ap := range out.AttachedPolicies {
			managed = append(managed, aws.ToString(ap.PolicyArn))
		}
	}
	return inline, managed, nil
}

// samePolicies reports whether a role holds exactly want's policies.
func samePolicies(want Role, inline map[string]string, managed []string) bool {
	if len(want.Policies) != len(inline) || !sameSet(want.ManagedPolicyArns, managed) {
		return false
	}
	for _, p := range want.Policies {
		if doc, ok := inline[p.PolicyName]; !ok || !sameJSON(doc, string(p.PolicyDocument)) {
			return false
		}
	}
	return true
}

// syncPolicies makes role want.RoleName hold want's policies, given what
// it holds: puts new or changed inline ones and deletes the others,
// attaches and detaches managed ones.
func (a *applier) syncPolicies(want Role, inline map[string]string, managed []string) error {
	keep := map[string]bool{}
	for _, p := range want.Policies {
		keep[p.PolicyName] = true
		if doc, ok := inline[p.PolicyName]; ok && sameJSON(doc, string(p.PolicyDocument)) {
			continue
		}
		if _, err := a.c.IAM.PutRolePolicy(a.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(want.RoleName),
			PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(string(p.PolicyDocument))}); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		if !keep[name] {
			if _, err := a.c.IAM.DeleteRolePolicy(a.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(want.RoleName), PolicyName: aws.String(name)}); err != nil {
				return err
			}
		}
	}
	for _, arn := range want.ManagedPolicyArns {
		if !slices.Contains(managed, arn) {
			if _, err := a.c.IAM.AttachRolePolicy(a.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(want.RoleName), PolicyArn: aws.String(arn)}); err != nil {
				return err
			}
		}
	}
	for _, arn := range managed {
		if !slices.Contains(want.ManagedPolicyArns, arn) {
			if _, err := a.c.IAM.DetachRolePolicy(a.ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(want.RoleName), PolicyArn: aws.String(arn)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteRole deletes a role with its policies, which IAM requires gone first.
func (a *applier) deleteRole(name string) error {
	inline, managed, err := rolePolicies(a.ctx, a.c, name)
	if err != nil {
		return err
	}
	if err := a.syncPolicies(Role{RoleName: name}, inline, managed); err != nil {
		return err
	}
	_, err = a.c.IAM.DeleteRole(a.ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	return err
}

// exportPolicies adds a role's policies to its exported form.
func exportPolicies(ctx context.Context, c Clients, role *Role) error {
	inline, managed, err := rolePolicies(ctx, c, role.RoleName)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		role.Policies = append(role.Policies, InlinePolicy{PolicyName: name, PolicyDocument: PolicyText(inline[name])})
	}
	role.ManagedPolicyArns = managed
	return nil
}

// roleChanges lists what differs between a role and want, but its path
// and trust policy, as plan words.
func roleChanges(r roleState, want Role) []string {
	var c []string
	if r.description != want.Description || r.maxSession != maxSession(want) {
		c = append(c, "description or session duration")
	}
	if !r.sameTags {
		c = append(c, "tags")
	}
	if !samePolicies(want, r.inline, r.managed) {
		c = append(c, "policies")
	}
	return c
}

// roleState is what apply compares of a role IAM holds.
type roleState struct {
	description string
	maxSession  int32
	sameTags    bool
	inline      map[string]string
	managed     []string
}

func maxSession(r Role) int32 {
	if r.MaxSessionDuration == 0 {
		return 3600
	}
	return r.MaxSessionDuration
}

// tagDiff is what TagRole and UntagRole must send to turn got into want.
func tagDiff(got, want []Tag) (set []Tag, drop []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			set = append(set, w)
		}
	}
	for _, g := range got {
		if !slices.ContainsFunc(want, func(w Tag) bool { return strings.EqualFold(w.Key, g.Key) }) {
			drop = append(drop, g.Key)
		}
	}
	return set, drop
}
