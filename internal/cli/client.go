package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
)

// configError is a configuration problem (no region, no credentials): exit 253.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// newClient builds a cognito-identity client from the environment, the
// shared config files and the global options, as the aws CLI resolves them.
func newClient(ctx context.Context, g *globals, ep endpoint, signed bool) (*cognitoidentity.Client, error) {
	cfg, err := loadConfig(ctx, g, signed)
	if err != nil {
		return nil, err
	}
	return cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) {
		if ep.url != "" {
			o.BaseEndpoint = aws.String(ep.url)
		}
	}), nil
}

// loadConfig resolves the SDK configuration (region, credentials, HTTP
// client) from the environment, the shared config files and the global
// options, as the aws CLI does.
func loadConfig(ctx context.Context, g *globals, signed bool) (aws.Config, error) {
	connect, err := timeoutOption("--cli-connect-timeout", g.connectTimeout)
	if err != nil {
		return aws.Config{}, err
	}
	read, err := timeoutOption("--cli-read-timeout", g.readTimeout)
	if err != nil {
		return aws.Config{}, err
	}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = connect }).
		WithTransportOptions(func(t *http.Transport) {
			t.ResponseHeaderTimeout = read
			if g.noVerifySSL {
				t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for --no-verify-ssl
			}
		})
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(httpClient)}
	if g.region != "" {
		opts = append(opts, config.WithRegion(g.region))
	}
	if g.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.profile))
	}
	if g.caBundle != "" {
		f, err := os.Open(g.caBundle)
		if err != nil {
			return aws.Config{}, &fatalError{"[Errno 2] No such file or directory: '" + g.caBundle + "'"}
		}
		defer f.Close()
		opts = append(opts, config.WithCustomCABundle(f))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			return aws.Config{}, &fatalError{"The config profile (" + pe.Profile + ") could not be found"}
		}
		return aws.Config{}, &fatalError{err.Error()}
	}
	if cfg.Region == "" {
		return aws.Config{}, &configError{`You must specify a region. You can also configure your region by running "aws configure".`}
	}
	if g.noSignRequest {
		cfg.Credentials = aws.AnonymousCredentials{}
	} else if signed {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return aws.Config{}, &configError{`Unable to locate credentials. You can configure credentials by running "aws configure".`}
		}
	}
	return cfg, nil
}

// endpoint is the URL the CLI calls and where it came from.
type endpoint struct{ url, from string }

// endpointVars are read in this order when --endpoint-url is absent: idpool's
// own variable, then the aws CLI v2's service-specific and global ones.
var endpointVars = []string{"IDPOOL_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY", "AWS_ENDPOINT_URL"}

// resolveEndpoint chooses the endpoint as the aws CLI v2 does (--endpoint-url
// wins; a service-specific variable beats the global one;
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns the AWS_ ones off), with
// IDPOOL_ENDPOINT_URL before them. An empty url leaves the choice to the SDK:
// a profile's endpoint_url in ~/.aws/config, else AWS itself.
func resolveEndpoint(flag string, getenv func(string) string) endpoint {
	if flag != "" {
		return endpoint{flag, "--endpoint-url"}
	}
	ignore := strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
	for _, v := range endpointVars {
		if ignore && v != "IDPOOL_ENDPOINT_URL" {
			continue
		}
		if u := getenv(v); u != "" {
			return endpoint{u, v}
		}
	}
	return endpoint{}
}

// connectHint follows "Could not connect to the endpoint URL": where the
// endpoint came from and how to reach a local server instead.
func connectHint(ep endpoint) string {
	from := "the AWS default for the region (or endpoint_url in ~/.aws/config)"
	if ep.from != "" {
		from = ep.from
	}
	return "The endpoint came from " + from + ". To use a local server (idpool serve), pass\n" +
		"--endpoint-url http://127.0.0.1:9350 or export IDPOOL_ENDPOINT_URL=http://127.0.0.1:9350."
}

// timeoutOption parses --cli-*-timeout (seconds; 0 means none; default 60).
func timeoutOption(flag, v string) (time.Duration, error) {
	if v == "" {
		return 60 * time.Second, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, &usageError{"argument " + flag + ": invalid int value: '" + v + "'"}
	}
	return time.Duration(f * float64(time.Second)), nil
}
