package bench

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the same pure-Go driver the server uses
)

// Ceilings are the machine's own limits, measured in the same run as the
// server, so results can be given as ratios that hold on a noisy machine.
type Ceilings struct {
	RS512SignsPerSec    float64 `json:"rs512SignsPerSecond"`
	BareHTTPPerSec      float64 `json:"bareHttpRequestsPerSecond"`
	BareHTTPP99Ms       Millis  `json:"bareHttpP99Ms"`
	SQLiteInsertsPerSec float64 `json:"sqliteDurableInsertsPerSecond"`
	// CPU time per operation, from this process's own accounting: unlike
	// the rates, it barely moves when other processes take the cores, so
	// costs can be compared on a busy machine (the bare HTTP figure covers
	// the load generator and the handler, which share this process).
	RS512CPUMicrosPerSign    float64 `json:"rs512CpuMicrosPerSign"`
	BareHTTPCPUMicrosPerReq  float64 `json:"bareHttpCpuMicrosPerRequest"`
	SQLiteCPUMicrosPerInsert float64 `json:"sqliteCpuMicrosPerInsert"`
}

// MeasureCeilings measures each ceiling for about d.
func MeasureCeilings(ctx context.Context, d time.Duration, conc int) (*Ceilings, error) {
	var c Ceilings
	// The key is made before the CPU count starts: its prime search (20-60
	// ms here, 0.1-0.3% of a 10 s count) is not a signature's cost.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	key.Precompute()
	cpu := selfCPU()
	// perOp turns the CPU spent since the last call into microseconds per
	// operation, for rate operations per second over d.
	perOp := func(rate float64) float64 {
		now := selfCPU()
		spent := now - cpu
		cpu = now
		if rate <= 0 {
			return 0
		}
		return float64(spent.Microseconds()) / (rate * d.Seconds())
	}
	if c.RS512SignsPerSec, err = signRate(ctx, key, d); err != nil {
		return nil, err
	}
	c.RS512CPUMicrosPerSign = perOp(c.RS512SignsPerSec)
	if c.BareHTTPPerSec, c.BareHTTPP99Ms, err = bareHTTPRate(ctx, d, conc); err != nil {
		return nil, err
	}
	c.BareHTTPCPUMicrosPerReq = perOp(c.BareHTTPPerSec)
	if c.SQLiteInsertsPerSec, err = sqliteInsertRate(ctx, d); err != nil {
		return nil, err
	}
	c.SQLiteCPUMicrosPerInsert = perOp(c.SQLiteInsertsPerSec)
	return &c, nil
}

// signRate is RSA-2048 PKCS#1 v1.5 SHA-512 signatures per second with key
// on all cores.
func signRate(ctx context.Context, key *rsa.PrivateKey, d time.Duration) (float64, error) {
	digest := sha512.Sum512([]byte("idpool ceiling"))
	var n atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA512, digest[:]); err == nil {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// bareHTTPRate drives a trivial JSON handler on loopback with the same load
// generator: the most any HTTP server on this machine can answer.
func bareHTTPRate(ctx context.Context, d time.Duration, conc int) (float64, Millis, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","IdentityPoolName":"bare"}`))
	})}
	go srv.Serve(l)
	defer srv.Close()
	rep, err := Run(ctx, Config{
		Endpoint: "http://" + l.Addr().String(), Region: "us-east-1", AccessKey: "test", SecretKey: "test",
		Concurrency: conc, Duration: d, Mix: map[string]int{"describe": 1},
		PoolID: "us-east-1:00000000-0000-0000-0000-000000000000",
	}, nil)
	if err != nil {
		return 0, 0, err
	}
	return rep.Total.PerSecond, rep.Total.P99, nil
}

// sqliteInsertRate is one identity and its login per durable transaction
// (WAL, synchronous=FULL), one writer: SQLite's own ceiling without group commit.
func sqliteInsertRate(ctx context.Context, d time.Duration) (float64, error) {
	dir, err := os.MkdirTemp("", "idpool-ceiling-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "c.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE identities (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, created INTEGER NOT NULL)`,
		`CREATE TABLE logins (pool_id TEXT, provider TEXT, subject TEXT, identity_id TEXT, PRIMARY KEY (pool_id, provider, subject))`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	deadline := time.Now().Add(d)
	start := time.Now()
	n := 0
	for time.Now().Before(deadline) {
		id := "us-east-1:" + uuid.Must(uuid.NewV7()).String()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(`INSERT INTO identities VALUES (?, 'p', ?)`, id, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return 0, err
		}
		if _, err := tx.Exec(`INSERT INTO logins VALUES ('p', 'dev', ?, ?)`, id, id); err != nil {
			tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("commit: %w", err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
