package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
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
func newClient(ctx context.Context, g *globals, signed bool) (*cognitoidentity.Client, error) {
	cfg, err := loadConfig(ctx, g, signed)
	if err != nil {
		return nil, err
	}
	return cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) {
		if g.endpointURL != "" {
			o.BaseEndpoint = aws.String(g.endpointURL)
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
