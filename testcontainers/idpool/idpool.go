// Package idpool starts idpool, a self-hosted Amazon Cognito Identity, in a
// container for a test, with testcontainers-go:
//
//	c, err := idpool.Run(ctx)
//	defer testcontainers.TerminateContainer(c)
//	pool, err := c.CreatePool(ctx, "app")
//	client := c.CognitoIdentity()
//
// The image is idpool:dev (make image in the idpool repository), or
// IDPOOL_IMAGE, or testcontainers.WithImage. Without WithConfig the server
// runs in development mode: one account, 000000000000, signed for with the
// access key "test" and secret "test".
package idpool

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Development mode's account, keys and region.
const (
	DefaultImage    = "idpool:dev"
	AccountID       = "000000000000"
	AccessKeyID     = "test"
	SecretAccessKey = "test"
	Region          = "us-east-1"

	port       = "9350/tcp"
	configPath = "/etc/idpool/config.yaml"
	seedPath   = "/etc/idpool/stack.yaml"
)

// Container is a running idpool.
type Container struct {
	*testcontainers.DockerContainer
	// EndpointURL is the base URL of the Cognito Identity, STS and IAM APIs
	// (BaseEndpoint for the AWS SDKs, --endpoint-url for the aws CLI).
	EndpointURL string
	// Issuer is the iss of the OpenID tokens the server issues; its
	// discovery document and keys are at Issuer/.well-known/.
	Issuer string
	// AccessKeyID and SecretAccessKey sign the helpers' calls: development
	// mode's unless WithCredentials says otherwise.
	AccessKeyID, SecretAccessKey string
	Region                       string
}

// WithConfig runs the server with this idpool config file (YAML); the
// server is then in production mode, with the config's accounts. Pair it
// with WithCredentials.
func WithConfig(yaml string) testcontainers.CustomizeRequestOption {
	return withFile(yaml, configPath, "IDPOOL_CONFIG")
}

// WithSeed applies this stack file (docs/stack-files.md) at start, so a
// test begins with its pools, roles and providers, at the same ids on
// every run.
func WithSeed(yaml string) testcontainers.CustomizeRequestOption {
	return withFile(yaml, seedPath, "IDPOOL_SEED")
}

func withFile(content, path, env string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Files = append(req.Files, testcontainers.ContainerFile{
			Reader: strings.NewReader(content), ContainerFilePath: path, FileMode: 0o444,
		})
		return testcontainers.WithEnv(map[string]string{env: path})(req)
	}
}

// WithStore keeps the state in this PostgreSQL database (a postgres:// URL
// the container can reach) instead of SQLite in the container.
func WithStore(url string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"IDPOOL_STORE": url})
}

// WithCredentials sets the access key the helpers sign with (an access
// key of an account in the WithConfig file).
func WithCredentials(accessKeyID, secretAccessKey string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{credsEnv: accessKeyID + ":" + secretAccessKey})
}

// credsEnv carries WithCredentials to Run; the server ignores it.
const credsEnv = "IDPOOL_TESTCONTAINERS_CREDENTIALS"

// Run starts idpool and waits until it answers /healthz. The host port is
// chosen before the start, so the issuer in the server's tokens is the URL
// the test reaches it at (a token consumer on the host can fetch its keys).
func Run(ctx context.Context, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	hostPort, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("idpool: choose a host port: %w", err)
	}
	issuer := "http://localhost:" + hostPort
	img := os.Getenv("IDPOOL_IMAGE")
	if img == "" {
		img = DefaultImage
	}
	defaults := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(port),
		testcontainers.WithEnv(map[string]string{"IDPOOL_ISSUER": issuer}),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort(port): {{HostPort: hostPort}}}
		}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/healthz").WithPort(port).WithStartupTimeout(60 * time.Second)),
	}
	ctr, err := testcontainers.Run(ctx, img, append(defaults, opts...)...)
	var c *Container
	if ctr != nil {
		c = &Container{DockerContainer: ctr, Issuer: issuer, AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Region: Region}
	}
	if err != nil {
		return c, fmt.Errorf("idpool: run %s: %w", img, err)
	}
	host, err := ctr.Host(ctx)
	if err != nil {
		return c, fmt.Errorf("idpool: container host: %w", err)
	}
	mapped, err := ctr.MappedPort(ctx, port)
	if err != nil {
		return c, fmt.Errorf("idpool: mapped port: %w", err)
	}
	c.EndpointURL = "http://" + net.JoinHostPort(host, mapped.Port())
	if insp, err := ctr.Inspect(ctx); err == nil {
		for _, e := range insp.Config.Env {
			if v, ok := strings.CutPrefix(e, credsEnv+"="); ok {
				c.AccessKeyID, c.SecretAccessKey, _ = strings.Cut(v, ":")
			}
		}
	}
	return c, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, p, err := net.SplitHostPort(l.Addr().String())
	return p, err
}

// AWSConfig is an SDK config for the container: its endpoint, region and
// the helpers' credentials, with no retries, so a test sees every answer.
func (c *Container) AWSConfig() aws.Config {
	return aws.Config{
		Region:           c.Region,
		BaseEndpoint:     aws.String(c.EndpointURL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, ""),
		RetryMaxAttempts: 1,
	}
}

// CognitoIdentity is a Cognito Identity client for the container.
func (c *Container) CognitoIdentity() *cognitoidentity.Client {
	return cognitoidentity.NewFromConfig(c.AWSConfig())
}
