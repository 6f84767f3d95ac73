// Package crash kills a real idpool server with SIGKILL at random points
// under a write load, restarts it on the same store, and checks that every
// acknowledged write survived, no write happened in part, and the store
// passes its integrity checks (issue 8, crash safety).
//
// IDPOOL_CRASH_ROUNDS (default 20) sets the SQLite rounds,
// IDPOOL_CRASH_PG_ROUNDS (default 5) the PostgreSQL rounds, and
// IDPOOL_CRASH_SEED repeats a run's kill delays (the seed is logged).
package crash

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/internal/storage/pgtest"
	"github.com/idpool/idpool/test/harness"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Kill delays, from the start of a round's load.
const (
	minKillDelay = 20 * time.Millisecond
	maxKillDelay = 500 * time.Millisecond
)

// TestCrashSQLite crashes a server on its default SQLite store.
func TestCrashSQLite(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	crashRounds(t, s, sqliteBackend(filepath.Join(s.DataDir, "idpool.db")), envInt(t, "IDPOOL_CRASH_ROUNDS", 20))
}

// TestCrashPostgres crashes a server on PostgreSQL; the database stays up.
func TestCrashPostgres(t *testing.T) {
	dsn := pgtest.Shared(t).NewDatabase(t)
	s := harness.Start(t, harness.Options{Args: []string{"--store", dsn}})
	crashRounds(t, s, postgresBackend(dsn), envInt(t, "IDPOOL_CRASH_PG_ROUNDS", 5))
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// crashRounds runs the rounds: load, SIGKILL, check the store as the crash
// left it, restart, check through the API. At the end it stops the server
// and checks the store once more against the API's view.
func crashRounds(t *testing.T, s *harness.Server, b backend, rounds int) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("IDPOOL_CRASH_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("IDPOOL_CRASH_SEED=%q: %v", v, err)
		}
	}
	t.Logf("crash (%s): seed %d (IDPOOL_CRASH_SEED=%d repeats the kill delays)", b.name, seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	ctx := context.Background()
	created, err := s.Cognito().CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String(poolName(0)), AllowUnauthenticatedIdentities: true,
		DeveloperProviderName: aws.String(devProvider), IdentityPoolTags: map[string]string{"gen": "0"},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	pool := aws.ToString(created.IdentityPoolId)
	l := newLedger()

	for round := 1; round <= rounds; round++ {
		delay := minKillDelay + time.Duration(rng.Int64N(int64(maxKillDelay-minKillDelay)))
		ld := &load{signed: s.Cognito(), anon: s.Anonymous(harness.Region), pool: pool, round: round, l: l}
		// A guard against a hang, not a timed assertion: writers stop at
		// their first call after the kill.
		lctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		done := make(chan struct{})
		go func() { ld.run(lctx); close(done) }()
		time.Sleep(delay)
		s.Kill()
		<-done
		hung := lctx.Err() != nil
		cancel()
		if hung {
			t.Fatalf("round %d: writers still waiting 2 minutes after the kill", round)
		}
		if len(l.apiErrs) > 0 {
			t.Fatalf("round %d: the server refused %d calls of the load, first: %s\n%s", round, len(l.apiErrs), l.apiErrs[0], tail(s.Logs()))
		}
		killed := time.Now()
		if bad := checkLedger(checkStore(t, b, pool), l, pool); len(bad) > 0 {
			t.Fatalf("round %d (killed after %v), store as the crash left it:\n%s", round, delay, lines(bad))
		}
		checked := time.Now()
		s.Restart()
		restarted := time.Now()
		checkAPI(t, reader(s), l, pool, round)
		l.mu.Lock()
		t.Logf("round %d: killed after %v; %d acknowledged, %d unacknowledged so far; store check %v, restart %v, API check %v",
			round, delay, l.acked, l.unacked, checked.Sub(killed).Round(time.Millisecond),
			restarted.Sub(checked).Round(time.Millisecond), time.Since(restarted).Round(time.Millisecond))
		l.mu.Unlock()
		if t.Failed() {
			t.Fatalf("round %d (killed after %v) failed", round, delay)
		}
	}

	listed := listIdentities(t, s, pool)
	if err := s.Stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, tail(s.Logs()))
	}
	st := checkStore(t, b, pool)
	if bad := checkLedger(st, l, pool); len(bad) > 0 {
		t.Fatalf("after a clean stop:\n%s", lines(bad))
	}
	for id := range l.ids {
		if !listed[id] {
			t.Errorf("ListIdentities does not list acknowledged identity %s", id)
		}
	}
	if n := st.poolIdentities(pool); n != len(listed) {
		t.Errorf("ListIdentities lists %d identities, the store holds %d", len(listed), n)
	}
	if !t.Failed() {
		t.Log(summary(b.name, rounds, l))
	}
}

func lines(s []string) string {
	out := ""
	for i, l := range s {
		if i == 20 {
			return out + "  ...\n"
		}
		out += "  " + l + "\n"
	}
	return out
}

func tail(logs string) string { return logs[max(0, len(logs)-3000):] }
