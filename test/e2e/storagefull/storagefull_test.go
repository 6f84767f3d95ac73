// Package storagefull drives a server whose store stops taking writes (a
// real full filesystem for SQLite; a read-only PostgreSQL) and checks the
// signal: the client's AWS-shaped, retryable error, /healthz, /metrics, one
// log line per episode, reads still served, and recovery without a restart.
package storagefull

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"
	"github.com/jackc/pgx/v5"

	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/test/harness"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// cannotStore is the client's message while the store takes no writes.
const cannotStore = "The service cannot store data right now. Please try again later."

// TestSQLiteDiskFull: the data directory is a 4 MiB tmpfs that the test
// fills with a file; writes fail clearly until the file is removed.
func TestSQLiteDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("cannot mount a tmpfs here (root and CAP_SYS_ADMIN needed): %v %s", err, out)
		if os.Getenv("IDPOOL_TEST_REQUIRE_ALL") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	s := harness.Start(t, harness.Options{DataDir: dir})
	filler := filepath.Join(dir, "filler")
	exercise(t, s, "full", func() { fill(t, filler) }, func() {
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPostgresReadOnly: the database turns read-only under a running
// server (default_transaction_read_only, as on a standby), then back.
func TestPostgresReadOnly(t *testing.T) {
	pg := pgtest.Shared(t)
	url := pg.NewDatabase(t)
	s := harness.Start(t, harness.Options{Args: []string{"--store", url}})
	readOnly := func(on bool) {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, pg.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		stmts := []string{"SET default_transaction_read_only = off", "ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()"}
		if !on {
			stmts[1] = "ALTER SYSTEM RESET default_transaction_read_only"
		}
		for _, q := range stmts {
			if _, err := c.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	t.Cleanup(func() { readOnly(false) })
	exercise(t, s, "read-only", func() { readOnly(true) }, func() { readOnly(false) })
}

// exercise checks one episode: writes work, stop() takes them away, the
// signal is clear everywhere, resume() gives them back, nothing is lost.
func exercise(t *testing.T, s *harness.Server, condition string, stop, resume func()) {
	ctx := context.Background()
	c := s.Cognito() // no retries: each call is one request
	before := createPool(ctx, c, "before")
	if before.err != nil {
		t.Fatalf("CreateIdentityPool before: %v", before.err)
	}
	stop()

	// SQLite's WAL may take a few writes in space it holds already.
	var first error
	attempts := 0
	for ; attempts < 300 && first == nil; attempts++ {
		first = createPool(ctx, c, fmt.Sprintf("during-%d", attempts)).err
	}
	if first == nil {
		t.Fatalf("%d writes succeeded on a %s store", attempts, condition)
	}
	checkCannotStore(t, first)
	for i := range 5 {
		checkCannotStore(t, createPool(ctx, c, fmt.Sprintf("again-%d", i)).err)
	}

	code, body := get(t, s.URL+"/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "storage "+condition) {
		t.Errorf("/healthz while %s: %d %q, want 503 naming the condition", condition, code, body)
	}
	if out, errOut, rc := harness.Run(t, nil, harness.Binary(t), "healthcheck", "--addr", s.Addr); rc == 0 {
		t.Errorf("idpool healthcheck exits 0 while %s:\n%s%s", condition, out, errOut)
	}
	if v := metric(t, s, "idpool_storage_writable"); v != 0 {
		t.Errorf("idpool_storage_writable = %v while %s", v, condition)
	}
	failures := metric(t, s, `idpool_storage_write_failures_total{condition="`+condition+`"}`)
	if failures < 6 {
		t.Errorf("write failures counted %v, want at least 6", failures)
	}

	// Reads are served. This read, the write after recovery and the final
	// list go through the standard retryer: now and then in loaded CI runs
	// the client's kept-alive connection failed mid-body ("use of closed
	// network connection", seen client-side after a 200). That is the Go
	// transport closing its own connection (aws/aws-sdk-go-v2#2737), not
	// the server; the SDK's standard retryer retries net.ErrClosed since
	// aws/aws-sdk-go-v2#2949, and what is checked here is the store.
	reader := cognitoidentity.New(c.Options(), func(o *cognitoidentity.Options) { o.RetryMaxAttempts = 3 })
	if _, err := reader.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(before.id)}); err != nil {
		t.Errorf("DescribeIdentityPool while %s: %v", condition, err)
	}

	// The SDK's standard retryer retries the error (3 attempts).
	retrying := cognitoidentity.New(c.Options(), func(o *cognitoidentity.Options) { o.RetryMaxAttempts = 3 })
	checkCannotStore(t, createPool(ctx, retrying, "retried").err)
	if got := metric(t, s, `idpool_storage_write_failures_total{condition="`+condition+`"}`) - failures; got < 3 {
		t.Errorf("the standard retryer sent %v attempts, want 3", got)
	}
	if n := strings.Count(s.Logs(), "storage cannot take writes"); n != 1 {
		t.Errorf("the episode is logged %d times, want once:\n%s", n, s.Logs())
	}
	if strings.Contains(s.Logs(), "internal error") {
		t.Errorf("a storage condition was logged as an internal error:\n%s", s.Logs())
	}

	resume()
	// The probe finds writes working again without any client write.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := get(t, s.URL+"/healthz"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still not 200 30s after writes were possible again:\n%s", s.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !s.WaitLog("storage takes writes again", 5*time.Second) {
		t.Errorf("recovery not logged:\n%s", s.Logs())
	}
	if v := metric(t, s, "idpool_storage_writable"); v != 1 {
		t.Errorf("idpool_storage_writable = %v after recovery", v)
	}
	after := createPool(ctx, reader, "after")
	if after.err != nil {
		t.Fatalf("CreateIdentityPool after recovery: %v", after.err)
	}

	// Exactly what was acknowledged exists: "before", the writes the WAL
	// took before the first failure, and "after"; no refused write.
	list, err := reader.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range list.IdentityPools {
		names[aws.ToString(p.IdentityPoolName)] = true
	}
	want := map[string]bool{"before": true, "after": true}
	for i := range attempts - 1 {
		want[fmt.Sprintf("during-%d", i)] = true
	}
	for n := range want {
		if !names[n] {
			t.Errorf("acknowledged pool %s is missing", n)
		}
	}
	for n := range names {
		if !want[n] {
			t.Errorf("pool %s exists although its write was refused", n)
		}
	}
}

type created struct {
	id  string
	err error
}

func createPool(ctx context.Context, c *cognitoidentity.Client, name string) created {
	out, err := c.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String(name), AllowUnauthenticatedIdentities: true,
		// About 13 KB per pool, so a few writes outgrow what the WAL holds.
		IdentityPoolTags: bigTags(),
	})
	if err != nil {
		return created{err: err}
	}
	return created{id: aws.ToString(out.IdentityPoolId)}
}

func bigTags() map[string]string {
	tags := map[string]string{}
	for i := range 50 {
		tags[fmt.Sprintf("k%02d", i)] = strings.Repeat("v", 256)
	}
	return tags
}

func checkCannotStore(t *testing.T, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an AWS API error", err)
	}
	if ae.ErrorCode() != "InternalErrorException" || ae.ErrorMessage() != cannotStore {
		t.Errorf("got %s %q, want InternalErrorException %q", ae.ErrorCode(), ae.ErrorMessage(), cannotStore)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", re.HTTPStatusCode())
	}
}

// fill writes path until the filesystem has no space left.
func fill(t *testing.T, path string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break // ENOSPC
		}
	}
	for { // the last partial blocks
		if _, err := f.Write(chunk[:512]); err != nil {
			return
		}
	}
}

func get(t *testing.T, url string) (int, string) { return harness.Get(t, url) }

// metric reads one sample of s's /metrics by its name and labels.
func metric(t *testing.T, s *harness.Server, series string) float64 {
	return harness.Metric(t, s.URL, series)
}
