package ops

import (
	"context"
	"maps"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/storage"
)

type tagResourceInput struct {
	ResourceArn string
	Tags        map[string]string
}

type untagResourceInput struct {
	ResourceArn string
	TagKeys     []string
}

type resourceInput struct {
	ResourceArn string
}

type listTagsOutput struct {
	Tags map[string]string
}

// arnPool reads the pool an ARN names. A malformed ARN is an invalid
// parameter; a well-formed ARN of a missing pool, or of another account's
// or region's pool, is reported as not found.
func arnPool(r storage.Reader, c *auth.Caller, arn string) (*storage.Pool, error) {
	region, account, id, ok := parsePoolARN(arn)
	if !ok {
		return nil, apierr.InvalidParameterf("Invalid ResourceArn: '%s' is not an identity pool ARN.", arn)
	}
	if account != c.Account() || (c.Region != "" && region != c.Region) {
		return nil, poolNotFound(id)
	}
	return callerPool(r, c, id)
}

// TagResource adds or replaces tags of a pool.
func (s *Service) TagResource(ctx context.Context, c *auth.Caller, in *tagResourceInput) (*empty, error) {
	err := s.update(ctx, func(tx storage.Tx) error {
		p, err := arnPool(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		tags := maps.Clone(p.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		maps.Copy(tags, in.Tags)
		if len(tags) > s.limits.TagsPerPool {
			return apierr.InvalidParameterf("An identity pool can have at most %d tags.", s.limits.TagsPerPool)
		}
		p.Tags = nilIfEmpty(tags)
		return tx.UpdatePool(p)
	})
	return &empty{}, err
}

// UntagResource removes tags of a pool; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, c *auth.Caller, in *untagResourceInput) (*empty, error) {
	err := s.update(ctx, func(tx storage.Tx) error {
		p, err := arnPool(tx, c, in.ResourceArn)
		if err != nil {
			return err
		}
		tags := maps.Clone(p.Tags)
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		p.Tags = nilIfEmpty(tags)
		return tx.UpdatePool(p)
	})
	return &empty{}, err
}

// ListTagsForResource returns a pool's tags.
func (s *Service) ListTagsForResource(ctx context.Context, c *auth.Caller, in *resourceInput) (*listTagsOutput, error) {
	out := &listTagsOutput{Tags: map[string]string{}}
	err := s.view(ctx, func(r storage.Reader) error {
		p, err := arnPool(r, c, in.ResourceArn)
		if err != nil {
			return err
		}
		maps.Copy(out.Tags, p.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
