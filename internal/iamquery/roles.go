package iamquery

import (
	"context"
	"net/url"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

func (s *Service) createRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	doc := s.valid.policyParam(&v, form, "AssumeRolePolicyDocument", "assumeRolePolicyDocument")
	path := "/"
	if p, ok := awsquery.Get(form, "Path"); ok {
		path = p
		v.Length("path", p, 1, 512, false)
		v.Pattern("path", p, s.valid.path, pathPattern)
	}
	desc, _ := awsquery.Get(form, "Description")
	v.Length("description", desc, 0, 1000, false)
	v.Pattern("description", desc, s.valid.desc, descPattern)
	maxDur := int64(iam.DefaultMaxSessionDuration)
	if m, ok := awsquery.Get(form, "MaxSessionDuration"); ok {
		maxDur, _ = v.Int("maxSessionDuration", m, 3600, 43200)
	}
	tags := s.valid.tags(&v, form)
	boundary := ""
	if _, ok := awsquery.Get(form, "PermissionsBoundary"); ok {
		b, err := policyARNParam(&v, form, "PermissionsBoundary", "permissionsBoundary", account)
		if err != nil {
			return nil, err
		}
		boundary = b
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := iam.CheckTrustPolicy(doc, account, s.host); err != nil {
		return nil, err
	}
	if err := duplicateTagKeys(tags); err != nil {
		return nil, err
	}
	role := &iam.Role{
		AccountID: account, RoleName: name, RoleID: iam.UniqueID("AROA", 21), Path: path,
		Description: desc, MaxSessionDuration: int(maxDur), Tags: tags,
		CreateDate: s.now().UTC().Truncate(1e9), AssumeRolePolicyDocument: doc, PermissionsBoundary: boundary,
	}
	res, err := role.Resource()
	if err != nil {
		return nil, roleErr(err, name)
	}
	err = s.store.Update(ctx, func(tx storage.Tx) error { return tx.CreateResource(res) })
	if err != nil {
		return nil, roleErr(err, name)
	}
	s.log.InfoContext(ctx, "iam role created", "account", account, "role", role.ARN())
	return roleResult{Role: toXML(role, true)}, nil
}

func duplicateTagKeys(tags []iam.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return apierr.Queryf(iam.CodeInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}

func (s *Service) getRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	role, err := s.viewRole(ctx, account, name)
	if err != nil {
		return nil, err
	}
	return roleResult{Role: toXML(role, true)}, nil
}

func (s *Service) deleteRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx storage.Tx) error {
		role, err := iam.GetRole(tx, account, name)
		if err != nil {
			return err
		}
		// IAM refuses to delete a role that still has policies; terraform
		// and CloudFormation delete or detach them first.
		if len(role.InlinePolicies) > 0 {
			return apierr.Queryf(iam.CodeDeleteConflict, "Cannot delete entity, must delete policies first.")
		}
		if len(role.AttachedPolicies) > 0 {
			return apierr.Queryf(iam.CodeDeleteConflict, "Cannot delete entity, must detach all policies first.")
		}
		return tx.DeleteResource(account, iam.KindRole, iam.RoleKey(name))
	})
	if err != nil {
		return nil, roleErr(err, name)
	}
	s.log.InfoContext(ctx, "iam role deleted", "account", account, "role", name)
	return nil, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	doc := s.valid.policyParam(&v, form, "PolicyDocument", "policyDocument")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := iam.CheckTrustPolicy(doc, account, s.host); err != nil {
		return nil, err
	}
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		r.AssumeRolePolicyDocument = doc
		return nil
	})
	return nil, err
}

// listPage is how many roles ListRoles reads from storage at a time while
// filtering by PathPrefix.
const listPage = 200

func (s *Service) listRoles(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	prefix := "/"
	if p, ok := awsquery.Get(form, "PathPrefix"); ok {
		prefix = p
		v.Length("pathPrefix", p, 1, 512, false)
		v.Pattern("pathPrefix", p, s.valid.pathPrefix, pathPrefixPattern)
	}
	maxItems := int64(100)
	if m, ok := awsquery.Get(form, "MaxItems"); ok {
		maxItems, _ = v.Int("maxItems", m, 1, 1000)
	}
	after := ""
	if m, ok := awsquery.Get(form, "Marker"); ok {
		// A marker is checked as strictly as Cognito's NextTokens: only
		// one this server issued, for this account, is accepted (it
		// carries an HMAC; pagination). [inf] IAM's text for a marker it
		// did not issue, the one IAM emulators answer.
		cursor, err := s.pages.Decode(markerScope(account), m)
		if err != nil || cursor == "" {
			return nil, apierr.Queryf(apierr.QueryValidation, "Invalid Marker.")
		}
		after = cursor
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var roles []*iam.Role
	truncated := false
	err := s.store.View(ctx, func(r storage.Reader) error {
		roles, truncated = nil, false
		cursor := after
		for {
			page, err := r.ListResources(account, iam.KindRole, cursor, listPage)
			if err != nil {
				return err
			}
			for _, res := range page {
				role, err := iam.DecodeRole(res)
				if err != nil {
					return err
				}
				if !strings.HasPrefix(role.Path, prefix) {
					continue
				}
				if int64(len(roles)) == maxItems {
					truncated = true
					return nil
				}
				roles = append(roles, role)
			}
			if len(page) < listPage {
				return nil
			}
			cursor = page[len(page)-1].Name
		}
	})
	if err != nil {
		return nil, roleErr(err, "")
	}
	out := listRolesResult{IsTruncated: truncated, Roles: make([]roleXML, 0, len(roles))}
	for _, role := range roles {
		// ListRoles leaves out Tags, as IAM does ("use GetRole").
		out.Roles = append(out.Roles, toXML(role, false))
	}
	if truncated {
		out.Marker = s.pages.Encode(markerScope(account), iam.RoleKey(roles[len(roles)-1].RoleName))
	}
	return out, nil
}

// markerScope binds a ListRoles marker to its account.
func markerScope(account string) string { return "iam:ListRoles:" + account }
