package sts

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

// ExternalConfig configures an external STS.
type ExternalConfig struct {
	// Endpoint is the STS URL (https://sts.amazonaws.com, a MinIO or Ceph RGW
	// endpoint, another idpool). Empty means AWS's endpoint for Region.
	Endpoint string
	// Region is the signing region the SDK uses; default us-east-1.
	Region     string
	HTTPClient *http.Client
}

// External vends credentials from another STS with an unsigned
// AssumeRoleWithWebIdentity: the identity-pool token is the only proof.
// The external STS must trust idpool's issuer (an IAM OIDC provider for its
// URL, and roles whose trust policies name it).
type External struct {
	client *awssts.Client
}

var _ identity.CredentialVendor = (*External)(nil)

// NewExternal returns a CredentialVendor backed by an external STS.
func NewExternal(cfg ExternalConfig) (*External, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	opts := awssts.Options{
		Region:      cfg.Region,
		Credentials: aws.AnonymousCredentials{},
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	return &External{client: awssts.New(opts)}, nil
}

// AssumeRoleWithWebIdentity implements identity.CredentialVendor. The
// request's Tags are not sent: STS takes session tags from the token only.
// Errors keep the external STS's code and message.
func (e *External) AssumeRoleWithWebIdentity(ctx context.Context, r identity.AssumeRequest) (*identity.Credentials, error) {
	in := &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(r.RoleARN),
		RoleSessionName:  aws.String(r.SessionName),
		WebIdentityToken: aws.String(r.WebIdentityToken),
	}
	if r.SessionName == "" {
		in.RoleSessionName = aws.String(EnhancedFlowSessionName)
	}
	if r.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(r.Duration / time.Second))
	}
	out, err := e.client.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return nil, apierr.Queryf(ae.ErrorCode(), "%s", ae.ErrorMessage()).Wrap(err)
		}
		return nil, apierr.InternalIn(apierr.Query, err)
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil {
		return nil, apierr.InternalIn(apierr.Query, errors.New("sts: external STS answered without credentials"))
	}
	return &identity.Credentials{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    *c.SessionToken,
		Expiration:      aws.ToTime(c.Expiration),
	}, nil
}
