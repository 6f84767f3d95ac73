package iamquery

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
)

type listTagsResult struct {
	Tags        []iam.Tag `xml:"Tags>member"`
	IsTruncated bool      `xml:"IsTruncated"`
	Marker      string    `xml:"Marker,omitempty"`
}

type listInstanceProfilesResult struct {
	InstanceProfiles []struct{} `xml:"InstanceProfiles>member"`
	IsTruncated      bool       `xml:"IsTruncated"`
}

// mergeTags sets tags on list: a key already there (ignoring case, as IAM
// compares tag keys) takes the new value; at most maxTags in all.
func mergeTags(list, tags []iam.Tag, what string) ([]iam.Tag, error) {
	if err := duplicateTagKeys(tags); err != nil {
		return nil, err
	}
	out := slices.Clone(list)
	for _, t := range tags {
		i := slices.IndexFunc(out, func(o iam.Tag) bool { return strings.EqualFold(o.Key, t.Key) })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		// [inf] IAM's text for a tag count over the quota.
		return nil, apierr.Queryf(iam.CodeLimitExceeded, "Cannot exceed quota for TagsPer%s: %d", what, maxTags)
	}
	return out, nil
}

// dropTags removes keys (ignoring case) from list; absent keys are no error.
func dropTags(list []iam.Tag, keys []string) []iam.Tag {
	return slices.DeleteFunc(slices.Clone(list), func(t iam.Tag) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, t.Key) })
	})
}

// tagKeysParam reads TagKeys.member.N (1..50 keys of 1..128).
func (s *Service) tagKeysParam(v *awsquery.Validation, form url.Values) []string {
	keys := awsquery.Members(form, "TagKeys")
	v.Required("tagKeys", len(keys) > 0)
	v.MaxItems("tagKeys", len(keys), maxTags)
	for _, k := range keys {
		v.Length("tagKeys.member", k, 1, 128, false)
		v.Pattern("tagKeys.member", k, s.valid.tagKey, tagPattern)
	}
	return keys
}

func (s *Service) tagRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	ts := s.valid.tags(&v, form)
	v.Required("tags", len(ts) > 0)
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) (err error) {
		r.Tags, err = mergeTags(r.Tags, ts, "Role")
		return err
	})
	return nil, err
}

func (s *Service) untagRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	keys := s.tagKeysParam(&v, form)
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		r.Tags = dropTags(r.Tags, keys)
		return nil
	})
	return nil, err
}

func (s *Service) listRoleTags(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	role, scope, maxItems, after, err := s.roleList(ctx, account, form, &v, "ListRoleTags", "")
	if err != nil {
		return nil, err
	}
	got, marker := page(s, scope, role.Tags, func(t iam.Tag) string { return t.Key }, after, maxItems)
	return listTagsResult{Tags: append([]iam.Tag{}, got...), IsTruncated: marker != "", Marker: marker}, nil
}

// descriptionParam reads an optional Description (0..1000 of IAM's set).
func (s *Service) descriptionParam(v *awsquery.Validation, form url.Values) (string, bool) {
	desc, ok := awsquery.Get(form, "Description")
	v.Length("description", desc, 0, 1000, false)
	v.Pattern("description", desc, s.valid.desc, descPattern)
	return desc, ok
}

func (s *Service) updateRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	desc, hasDesc := s.descriptionParam(&v, form)
	var maxDur int64
	m, hasDur := awsquery.Get(form, "MaxSessionDuration")
	if hasDur {
		maxDur, _ = v.Int("maxSessionDuration", m, 3600, 43200)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		if hasDesc {
			r.Description = desc
		}
		if hasDur {
			r.MaxSessionDuration = int(maxDur)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// UpdateRole's output is an empty structure: IAM still sends the
	// Result element, and the SDKs require it.
	return struct{}{}, nil
}

func (s *Service) updateRoleDescription(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	desc, ok := s.descriptionParam(&v, form)
	v.Required("description", ok)
	if err := v.Err(); err != nil {
		return nil, err
	}
	role, err := s.mutateRole(ctx, account, name, func(r *iam.Role) error {
		r.Description = desc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return roleResult{Role: toXML(role, true)}, nil
}

// listInstanceProfilesForRole: idpool has no EC2 and so no instance
// profiles; a role that exists is in none (terraform asks before DeleteRole).
func (s *Service) listInstanceProfilesForRole(ctx context.Context, account string, form url.Values) (any, error) {
	var v awsquery.Validation
	name := s.valid.roleNameParam(&v, form)
	if _, _, err := s.listParams(&v, form, "iam:ListInstanceProfilesForRole:"+account); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.viewRole(ctx, account, name); err != nil {
		return nil, err
	}
	return listInstanceProfilesResult{InstanceProfiles: []struct{}{}}, nil
}
