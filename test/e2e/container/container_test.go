// Package container builds idpool's image (scripts/image.sh) and drives it
// in a real container engine (podman): the aws CLI and the Go SDK against
// it, a restart on the same volume, two containers on one PostgreSQL, a
// seed file mounted in, and the image's size, user and health check.
package container

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/test/harness"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// maxImageBytes bounds the image: one static binary and an empty directory.
const maxImageBytes = 40 << 20

// engineFlags make podman run as root on hosts without systemd's cgroup
// manager or crun, and raise the limits podman's defaults fail on here.
var engineFlags = []string{"--cgroup-manager", "cgroupfs", "--runtime", "runc"}
var runFlags = []string{"--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096", "--network", "host"}

func podman(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command("podman", append(append([]string{}, engineFlags...), args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func mustPodman(t *testing.T, args ...string) string {
	t.Helper()
	out, err := podman(t, args...)
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// image builds the image once per test binary.
func image(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		unavailable(t, "podman is not installed")
	}
	if out, err := podman(t, "info"); err != nil {
		unavailable(t, "podman cannot run here: "+out)
	}
	tag := fmt.Sprintf("localhost/idpool:e2e-%d", os.Getpid())
	out, err := exec.Command(filepath.Join(harness.Root(), "scripts", "image.sh"), tag).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/image.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() { podman(t, "rmi", "-f", tag) })
	return tag
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("IDPOOL_TEST_REQUIRE_ALL") == "1" {
		t.Fatal(why)
	}
	t.Skip(why + " (set IDPOOL_TEST_REQUIRE_ALL=1 to make this a failure)")
}

// container is one running idpool container.
type container struct {
	t    *testing.T
	name string
	url  string
}

// run starts a container of img on a free loopback port; extra are podman
// run flags, args the command after the image (default: serve).
func run(t *testing.T, img string, extra []string, args ...string) *container {
	t.Helper()
	addr := harness.FreeAddr(t)
	name := fmt.Sprintf("idpool-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())
	cmd := append([]string{"run", "-d", "--name", name, "-e", "IDPOOL_ADDR=" + addr}, runFlags...)
	cmd = append(append(cmd, extra...), img)
	mustPodman(t, append(cmd, args...)...)
	c := &container{t: t, name: name, url: "http://" + addr}
	t.Cleanup(func() { podman(t, "rm", "-f", "-t", "2", name) })
	c.waitHealthy()
	return c
}

func (c *container) waitHealthy() {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if out, err := podman(c.t, "exec", c.name, "/idpool", "healthcheck"); err == nil {
			return
		} else if time.Now().After(deadline) {
			c.t.Fatalf("container %s not healthy after 30s: %s\n%s", c.name, out, c.logs())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (c *container) logs() string { out, _ := podman(c.t, "logs", c.name); return out }

func (c *container) cognito() *cognitoidentity.Client {
	return cognitoidentity.New(cognitoidentity.Options{
		Region: harness.Region, BaseEndpoint: aws.String(c.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, ""),
	})
}

func (c *container) aws(args ...string) string {
	c.t.Helper()
	env := []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	cli := harness.Tool(c.t, "IDPOOL_TEST_AWS_CLI", "aws")
	out, errOut, code := harness.Run(c.t, env, cli, append([]string{"--endpoint-url", c.url, "--output", "text"}, args...)...)
	if code != 0 {
		c.t.Fatalf("aws %s: %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return strings.TrimSpace(out)
}

// TestImage: the image's shape, then one container driven by the aws CLI
// and the Go SDK, stopped and started again on its volume.
func TestImage(t *testing.T) {
	img := image(t)
	size, err := strconv.ParseInt(mustPodman(t, "image", "inspect", img, "--format", "{{.Size}}"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image size %.1f MiB", float64(size)/(1<<20))
	if size > maxImageBytes {
		t.Errorf("image is %d bytes, want at most %d", size, maxImageBytes)
	}
	if u := mustPodman(t, "image", "inspect", img, "--format", "{{.Config.User}}"); u != "65532:65532" {
		t.Errorf("image user %q, want 65532:65532", u)
	}
	if hc := mustPodman(t, "image", "inspect", img, "--format", "{{.Config.Healthcheck.Test}}"); !strings.Contains(hc, "/idpool healthcheck") {
		t.Errorf("image health check %q", hc)
	}

	vol := fmt.Sprintf("idpool-e2e-%d", os.Getpid())
	mustPodman(t, "volume", "create", vol)
	t.Cleanup(func() { podman(t, "volume", "rm", "-f", vol) })
	c := run(t, img, []string{"-v", vol + ":/data"})

	// The process runs as the image's user, not root.
	pid := mustPodman(t, "inspect", c.name, "--format", "{{.State.Pid}}")
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "Uid:\t65532\t65532") {
		t.Errorf("container process is not uid 65532:\n%s", status)
	}
	if _, err := podman(t, "healthcheck", "run", c.name); err != nil {
		t.Errorf("podman healthcheck run: %v", err)
	}

	poolID := c.aws("cognito-identity", "create-identity-pool", "--identity-pool-name", "in a container",
		"--allow-unauthenticated-identities", "--query", "IdentityPoolId")
	ctx := context.Background()
	cog := c.cognito()
	if _, err := cog.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(poolID),
		Roles: map[string]string{"unauthenticated": "arn:aws:iam::000000000000:role/guest"}}); err != nil {
		t.Fatal(err)
	}
	id, err := cog.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := cog.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	if err != nil || aws.ToString(cr.Credentials.SessionToken) == "" {
		t.Fatalf("GetCredentialsForIdentity: %v", err)
	}

	// Stopped and started again: the volume kept everything.
	mustPodman(t, "stop", "-t", "10", c.name)
	mustPodman(t, "start", c.name)
	c.waitHealthy()
	if got := c.aws("cognito-identity", "describe-identity", "--identity-id", aws.ToString(id.IdentityId), "--query", "IdentityId"); got != aws.ToString(id.IdentityId) {
		t.Errorf("after restart describe-identity gave %q", got)
	}
	if got := c.aws("cognito-identity", "describe-identity-pool", "--identity-pool-id", poolID, "--query", "IdentityPoolName"); got != "in a container" {
		t.Errorf("after restart the pool is %q", got)
	}
}

// TestDevModeOnEveryInterface: the development account listening on every
// interface in a container is announced in the log.
func TestDevModeOnEveryInterface(t *testing.T) {
	img := image(t)
	port := strings.TrimPrefix(harness.FreeAddr(t), "127.0.0.1:")
	name := fmt.Sprintf("idpool-e2e-wide-%d", os.Getpid())
	mustPodman(t, append(append([]string{"run", "-d", "--name", name, "-e", "IDPOOL_ADDR=[::]:" + port}, runFlags...), img)...)
	t.Cleanup(func() { podman(t, "rm", "-f", "-t", "2", name) })
	c := &container{t: t, name: name, url: "http://127.0.0.1:" + port}
	c.waitHealthy()
	if !strings.Contains(c.logs(), "DEVELOPMENT MODE IN A CONTAINER") {
		t.Errorf("no container warning:\n%s", c.logs())
	}
}

// TestTwoContainersOnePostgres: two containers share one database; a
// pool made through one is read through the other.
func TestTwoContainersOnePostgres(t *testing.T) {
	img := image(t)
	url := pgtest.Shared(t).NewDatabase(t)
	a := run(t, img, []string{"-e", "IDPOOL_STORE=" + url})
	b := run(t, img, []string{"-e", "IDPOOL_STORE=" + url})
	ctx := context.Background()
	p, err := a.cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("shared"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.cognito().DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil || aws.ToString(got.IdentityPoolName) != "shared" {
		t.Fatalf("the other container: %v %v", got, err)
	}
	id, err := b.cognito().GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.cognito().DescribeIdentity(ctx, &cognitoidentity.DescribeIdentityInput{IdentityId: id.IdentityId}); err != nil {
		t.Errorf("identity made on b, read on a: %v", err)
	}
}

// TestSeedFromMountedFile: serve --seed with a stack file mounted read-only
// gives the pinned pool id on the first request.
func TestSeedFromMountedFile(t *testing.T) {
	img := image(t)
	const pinned = "us-east-1:0c9a7e4e-2b1d-4f8e-9a51-3d6f2e7b4a10"
	seed := filepath.Join(t.TempDir(), "stack.yaml")
	body := "Region: us-east-1\nIdentityPools:\n  - IdentityPoolId: " + pinned + "\n    IdentityPoolName: seeded\n    AllowUnauthenticatedIdentities: true\n"
	if err := os.WriteFile(seed, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c := run(t, img, []string{"-v", seed + ":/seed.yaml:ro"}, "serve", "--seed", "/seed.yaml")
	got, err := c.cognito().DescribeIdentityPool(context.Background(), &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(pinned)})
	if err != nil || aws.ToString(got.IdentityPoolName) != "seeded" {
		t.Fatalf("seeded pool: %v %v\n%s", got, err, c.logs())
	}
}
