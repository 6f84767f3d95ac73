package sts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

// Kind is the family of an external STS; it fixes the form of its role ARNs.
type Kind string

// The kinds of external STS idpool knows the role ARNs of.
const (
	// KindAWS is AWS STS (and another idpool): arn:aws:iam::123456789012:role/NAME.
	KindAWS Kind = "aws"
	// KindMinIO is MinIO's STS: arn:minio:iam:REGION::role/ID, REGION
	// usually empty (MinIO prints the ARN of each role policy at start-up).
	KindMinIO Kind = "minio"
	// KindCeph is Ceph RGW's STS: arn:aws:iam::TENANT:role/PATH/NAME, the
	// tenant empty for the default tenant (arn:aws:iam:::role/NAME).
	KindCeph Kind = "ceph"
)

// roleForms are the role ARNs each kind takes (unanchored; RoleARNs anchors).
// AWS's is IAM's own: a partition starting with aws, a 12-digit account.
// MinIO's resource id is its internal/arn validResourceIDRegex.
var roleForms = map[Kind]string{
	KindAWS:   `arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+`,
	KindMinIO: `arn:minio:iam:[a-z0-9-]*::role/[A-Za-z0-9][\w/.-]*`,
	KindCeph:  `arn:aws:iam::\w*:role/[\w+=,.@/-]+`,
}

// AWSRoleARNs matches the role ARNs of AWS's form, the only ones a pool
// takes without an external STS of another kind.
var AWSRoleARNs = regexp.MustCompile(`^(?:` + roleForms[KindAWS] + `)$`)

// RoleARNs returns the rule for the role ARNs an external STS takes: its
// kind's form (KindAWS when empty), or a whole match of pattern, the
// operator's own regular expression, when one is given.
func RoleARNs(kind Kind, pattern string) (*regexp.Regexp, error) {
	if kind == "" {
		kind = KindAWS
	}
	form, ok := roleForms[kind]
	if !ok {
		return nil, fmt.Errorf("unknown STS kind %q: want aws, minio or ceph", kind)
	}
	expr := `^(?:` + form + `)$`
	if pattern != "" {
		if _, err := regexp.Compile(pattern); err != nil {
			return nil, fmt.Errorf("role ARN pattern %q: %v", pattern, err)
		}
		expr += `|^(?:` + pattern + `)$`
	}
	return regexp.Compile(expr)
}

// maxRetryBackoff bounds the wait between two attempts at the external STS.
const maxRetryBackoff = 200 * time.Millisecond

// DefaultExternalTimeout bounds one credentials request to an external STS,
// its retries included, when ExternalConfig.Timeout is zero.
const DefaultExternalTimeout = 5 * time.Second

// ExternalConfig configures an external STS.
type ExternalConfig struct {
	// Endpoint is the STS URL (https://sts.amazonaws.com, a MinIO or Ceph RGW
	// endpoint, another idpool). Empty means AWS's endpoint for Region.
	Endpoint string
	// Region is the signing region the SDK uses; default us-east-1.
	Region string
	// Timeout bounds each call, retries included; DefaultExternalTimeout
	// when zero.
	Timeout    time.Duration
	HTTPClient *http.Client
	// Logger receives one line per refusal and per failure; none when nil.
	Logger *slog.Logger
}

// Observer counts an external STS's refusals and failures
// (*metrics.Metrics is one).
type Observer interface {
	ExternalSTSRefused(code string)
	ExternalSTSUnavailable(reason string)
}

// Reasons an external STS gave no answer, for Observer.
const (
	ReasonUnreachable = "unreachable"
	ReasonTimeout     = "timeout"
	ReasonServerError = "server-error"
)

// External vends credentials from another STS with an unsigned
// AssumeRoleWithWebIdentity: the identity-pool token is the only proof.
// The external STS must trust idpool's issuer (an IAM OIDC provider for its
// URL, and roles whose trust policies name it).
type External struct {
	client   *awssts.Client
	endpoint string
	timeout  time.Duration
	log      *slog.Logger
	observer atomic.Pointer[observerBox]
}

type observerBox struct{ Observer }

var _ identity.CredentialVendor = (*External)(nil)

// NewExternal returns a CredentialVendor backed by an external STS.
func NewExternal(cfg ExternalConfig) (*External, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultExternalTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := awssts.Options{
		Region:      cfg.Region,
		Credentials: aws.AnonymousCredentials{},
		// A client waits on the answer, and retries a 5xx itself: a few
		// quick retries inside the timeout, not the SDK's backoff of
		// seconds that would spend it waiting.
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = maxRetryBackoff }),
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "AWS STS " + cfg.Region
	}
	return &External{client: awssts.New(opts), endpoint: endpoint, timeout: cfg.Timeout, log: cfg.Logger}, nil
}

// Observe sends the counts of refusals and failures to o from now on (the
// metrics exist only once the server is composed).
func (e *External) Observe(o Observer) { e.observer.Store(&observerBox{o}) }

// AssumeRoleWithWebIdentity implements identity.CredentialVendor. The
// request's Tags are not sent: STS takes session tags from the token only.
// A refusal keeps the external STS's code and message and is logged; an
// STS that cannot be reached, times out or fails on its side returns an
// error that is identity.ErrSTSUnavailable.
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
	callCtx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	out, err := e.client.AssumeRoleWithWebIdentity(callCtx, in)
	if err != nil {
		return nil, e.failed(ctx, r, err)
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil {
		return nil, e.unavailable(ReasonServerError, errors.New("it answered without credentials"))
	}
	return &identity.Credentials{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    *c.SessionToken,
		Expiration:      aws.ToTime(c.Expiration),
	}, nil
}

// maxLoggedMessage bounds the external STS's message in the log.
const maxLoggedMessage = 512

// failed sorts a failed call: the caller gone, a refusal (a 4xx answer), or
// no usable answer (no connection, the timeout, a 5xx).
func (e *External) failed(ctx context.Context, r identity.AssumeRequest, err error) error {
	if ctx.Err() != nil {
		return ctx.Err() // the client hung up; nothing failed here
	}
	var ae smithy.APIError
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return e.unavailable(ReasonTimeout, fmt.Errorf("no answer within %s: %w", e.timeout, err))
	case errors.As(err, &ae) && status < 500:
		msg := apierr.Clip(redactTokens(ae.ErrorMessage()), maxLoggedMessage)
		e.log.WarnContext(ctx, "external STS refused the credentials; the client gets InvalidIdentityPoolConfigurationException",
			"endpoint", e.endpoint, "role", r.RoleARN, "status", status, "code", ae.ErrorCode(), "message", msg)
		if o := e.observer.Load(); o != nil {
			o.ExternalSTSRefused(ae.ErrorCode())
		}
		return apierr.Queryf(ae.ErrorCode(), "%s", msg)
	case status >= 500:
		return e.unavailable(ReasonServerError, err)
	}
	return e.unavailable(ReasonUnreachable, err)
}

// unavailable counts a call that got no usable answer and returns its
// error: identity.ErrSTSUnavailable with the cause, for the request's log.
func (e *External) unavailable(reason string, cause error) error {
	if o := e.observer.Load(); o != nil {
		o.ExternalSTSUnavailable(reason)
	}
	return fmt.Errorf("%w: %s (%s): %w", identity.ErrSTSUnavailable, e.endpoint, reason, cause)
}

// jwtLike matches a compact JWS/JWE: what an STS message must never carry
// into a log.
// Every JWT starts with eyJ, the base64 of its header's {".
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

// redactTokens replaces anything shaped like a JWT in s: an STS that echoes
// the web identity token in its message must not put it in idpool's log.
func redactTokens(s string) string {
	return jwtLike.ReplaceAllString(s, "[token]")
}
