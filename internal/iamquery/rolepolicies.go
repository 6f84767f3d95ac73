package iamquery

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

// IAM's default quotas for a role's permission policies.
const (
	// maxAttachedPolicies: "Managed policies attached to an IAM role".
	maxAttachedPolicies = 10
	// maxInlinePolicyBytes: "Role policy size", all inline policies
	// together, white space not counted.
	maxInlinePolicyBytes = 10240
)

const policyNamePattern = `[\w+=,.@-]+`

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type listRolePoliciesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	IsTruncated bool     `xml:"IsTruncated"`
	Marker      string   `xml:"Marker,omitempty"`
}

type attachedPolicyXML struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedResult struct {
	AttachedPolicies []attachedPolicyXML `xml:"AttachedPolicies>member"`
	IsTruncated      bool                `xml:"IsTruncated"`
	Marker           string              `xml:"Marker,omitempty"`
}

// mutateRole changes account's role name in one transaction: fn's error
// (an IAM answer) stops it with nothing written.
func (s *Service) mutateRole(ctx context.Context, account, name string, fn func(*iam.Role) error) (*iam.Role, error) {
	var out *iam.Role
	err := s.store.Update(ctx, func(tx storage.Tx) error {
		role, err := iam.GetRole(tx, account, name)
		if err != nil {
			return err
		}
		if err := fn(role); err != nil {
			return err
		}
		res, err := role.Resource()
		if err != nil {
			return err
		}
		out = role
		return tx.PutResource(res)
	})
	if err != nil {
		return nil, roleErr(err, name)
	}
	return out, nil
}

// viewRole reads account's role name.
func (s *Service) viewRole(ctx context.Context, account, name string) (*iam.Role, error) {
	var role *iam.Role
	err := s.store.View(ctx, func(r storage.Reader) (err error) {
		role, err = iam.GetRole(r, account, name)
		return err
	})
	if err != nil {
		return nil, roleErr(err, name)
	}
	return role, nil
}

func (s *Service) policyNameParam(v *awsquery.Validation, form url.Values) string {
	name, ok := awsquery.Get(form, "PolicyName")
	if v.Required("policyName", ok) {
		v.Length("policyName", name, 1, 128, false)
		v.Pattern("policyName", name, s.valid.roleName, policyNamePattern)
	}
	return name
}

func noSuchRolePolicy(name string) error {
	return apierr.Queryf(iam.CodeNoSuchEntity, "The role policy with name %s cannot be found.", apierr.Echo(name))
}

// checkPermissionPolicy refuses what is not a policy document: JSON with
// a Statement. [inf] IAM also checks actions and resources; idpool does
// not evaluate permission policies, so it keeps them as sent.
func checkPermissionPolicy(doc string) error {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil || len(p.Statement) == 0 {
		return apierr.Queryf(iam.CodeMalformedPolicyDocument, "Syntax errors in policy.")
	}
	return nil
}

// policySize is a document's size as IAM's quota counts it: white space
// left out.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func (s *Service) putRolePolicy(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	policy := s.policyNameParam(&v, form)
	doc := s.valid.policyParam(&v, form, "PolicyDocument", "policyDocument")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkPermissionPolicy(doc); err != nil {
		return nil, err
	}
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		if r.InlinePolicies == nil {
			r.InlinePolicies = map[string]string{}
		}
		r.InlinePolicies[policy] = doc
		total := 0
		for _, d := range r.InlinePolicies {
			total += policySize(d)
		}
		if total > maxInlinePolicyBytes {
			return apierr.Queryf(iam.CodeLimitExceeded, "Maximum policy size of %d bytes exceeded for role %s", maxInlinePolicyBytes, r.RoleName)
		}
		return nil
	})
	return nil, err
}

func (s *Service) getRolePolicy(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	policy := s.policyNameParam(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	role, err := s.viewRole(ctx, account, name)
	if err != nil {
		return nil, err
	}
	doc, ok := role.InlinePolicies[policy]
	if !ok {
		return nil, noSuchRolePolicy(policy)
	}
	return getRolePolicyResult{RoleName: role.RoleName, PolicyName: policy, PolicyDocument: encodePolicy(doc)}, nil
}

func (s *Service) deleteRolePolicy(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	policy := s.policyNameParam(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		if _, ok := r.InlinePolicies[policy]; !ok {
			return noSuchRolePolicy(policy)
		}
		delete(r.InlinePolicies, policy)
		return nil
	})
	return nil, err
}

// roleList reads what one of a role's List actions needs: the role, and
// its page bounds for markers scoped to the action, the role and extra.
func (s *Service) roleList(ctx context.Context, account string, form url.Values, v *awsquery.Validation, action, extra string) (role *iam.Role, scope string, maxItems int, after string, err error) {
	name := s.valid.roleNameParam(v, form)
	scope = "iam:" + action + ":" + account + ":" + iam.RoleKey(name) + extra
	if maxItems, after, err = s.listParams(v, form, scope); err != nil {
		return nil, "", 0, "", err
	}
	if err = v.Err(); err != nil {
		return nil, "", 0, "", err
	}
	role, err = s.viewRole(ctx, account, name)
	return role, scope, maxItems, after, err
}

func (s *Service) listRolePolicies(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	role, scope, maxItems, after, err := s.roleList(ctx, account, form, &v, "ListRolePolicies", "")
	if err != nil {
		return nil, err
	}
	names, marker := page(s, scope, slices.Collect(maps.Keys(role.InlinePolicies)), func(n string) string { return n }, after, maxItems)
	return listRolePoliciesResult{PolicyNames: append([]string{}, names...), IsTruncated: marker != "", Marker: marker}, nil
}

// policyARNParam reads a managed policy ARN: arn:PARTITION:iam::aws:policy/...
// (AWS managed) or one of account's own; another account's cannot be
// attached. [inf] idpool has no CreatePolicy: a well-formed ARN is taken
// as existing, as AWS managed policies (which idpool cannot list) are.
func policyARNParam(v *awsquery.Validation, form url.Values, param, member, account string) (string, error) {
	arn, ok := awsquery.Get(form, param)
	if v.Required(member, ok) {
		v.Length(member, arn, 20, 2048, false)
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "iam" || parts[3] != "" ||
		!strings.HasPrefix(parts[5], "policy/") || len(parts[5]) == len("policy/") {
		return "", apierr.Queryf(iam.CodeInvalidInput, "ARN %s is not valid.", apierr.Echo(arn))
	}
	if parts[4] != "aws" && parts[4] != account {
		return "", apierr.Queryf(iam.CodeNoSuchEntity, "Policy %s does not exist or is not attachable.", apierr.Echo(arn))
	}
	return arn, nil
}

// withPolicyARN changes the role RoleName names with the policy ARN param names.
func (s *Service) withPolicyARN(ctx context.Context, account string, form url.Values, param, member string, fn func(r *iam.Role, arn string) error) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	arn, err := policyARNParam(&v, form, param, member, account)
	if err != nil {
		return nil, err
	}
	_, err = s.mutateRole(ctx, account, name, func(r *iam.Role) error { return fn(r, arn) })
	return nil, err
}

func (s *Service) attachRolePolicy(ctx context.Context, account string, form url.Values) (any, error) {
	return s.withPolicyARN(ctx, account, form, "PolicyArn", "policyArn", func(r *iam.Role, arn string) error {
		if slices.Contains(r.AttachedPolicies, arn) {
			return nil // attaching again changes nothing, as on IAM
		}
		if len(r.AttachedPolicies) >= maxAttachedPolicies {
			return apierr.Queryf(iam.CodeLimitExceeded, "Cannot exceed quota for PoliciesPerRole: %d", maxAttachedPolicies)
		}
		r.AttachedPolicies = append(r.AttachedPolicies, arn)
		return nil
	})
}

func (s *Service) detachRolePolicy(ctx context.Context, account string, form url.Values) (any, error) {
	return s.withPolicyARN(ctx, account, form, "PolicyArn", "policyArn", func(r *iam.Role, arn string) error {
		i := slices.Index(r.AttachedPolicies, arn)
		if i < 0 {
			return apierr.Queryf(iam.CodeNoSuchEntity, "Policy %s was not found.", apierr.Echo(arn))
		}
		r.AttachedPolicies = slices.Delete(r.AttachedPolicies, i, i+1)
		return nil
	})
}

func (s *Service) listAttachedRolePolicies(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	prefix := "/"
	if p, ok := awsquery.Get(form, "PathPrefix"); ok {
		prefix = p
		v.Length("pathPrefix", p, 1, 512, false)
		v.Pattern("pathPrefix", p, s.valid.pathPrefix, pathPrefixPattern)
	}
	role, scope, maxItems, after, err := s.roleList(ctx, account, form, &v, "ListAttachedRolePolicies", ":"+prefix)
	if err != nil {
		return nil, err
	}
	var all []attachedPolicyXML
	for _, arn := range role.AttachedPolicies {
		_, res, _ := strings.Cut(arn, ":policy")
		if !strings.HasPrefix(res, prefix) {
			continue
		}
		all = append(all, attachedPolicyXML{PolicyName: res[strings.LastIndex(res, "/")+1:], PolicyArn: arn})
	}
	got, marker := page(s, scope, all, func(p attachedPolicyXML) string { return p.PolicyArn }, after, maxItems)
	return listAttachedResult{AttachedPolicies: append([]attachedPolicyXML{}, got...), IsTruncated: marker != "", Marker: marker}, nil
}

func (s *Service) putRolePermissionsBoundary(ctx context.Context, account string, form url.Values) (any, error) {
	return s.withPolicyARN(ctx, account, form, "PermissionsBoundary", "permissionsBoundary", func(r *iam.Role, arn string) error {
		r.PermissionsBoundary = arn
		return nil
	})
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// [inf] deleting a boundary the role does not have succeeds.
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		r.PermissionsBoundary = ""
		return nil
	})
	return nil, err
}
