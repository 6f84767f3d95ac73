package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
	rss, hwm, err := parseStatus([]byte("Name:\tidpool\nVmPeak:\t 3433476 kB\nVmHWM:\t   40000 kB\nVmRSS:\t   37560 kB\nThreads:\t9\n"))
	if err != nil || rss != 37560<<10 || hwm != 40000<<10 {
		t.Fatalf("rss %d hwm %d err %v", rss, hwm, err)
	}
	if _, _, err := parseStatus([]byte("Name:\tx\nVmRSS:\t1 kB\n")); err == nil {
		t.Error("missing VmHWM accepted")
	}
	if _, _, err := parseStatus([]byte("VmRSS:\tlots kB\nVmHWM:\t1 kB\n")); err == nil {
		t.Error("bad number accepted")
	}
}

func TestParseStatCPU(t *testing.T) {
	// The command name holds a space and a parenthesis: fields are counted
	// after the last ')'. utime 250 and stime 50 ticks are 3 s.
	line := "21733 (idp ool) x) S 1 21733 1 0 -1 4194560 12345 0 0 0 250 50 0 0 20 0 9 0 1234 3515879424 9390 18446744073709551615\n"
	got, err := parseStatCPU([]byte(line))
	if err != nil || got != 3*time.Second {
		t.Fatalf("cpu %v err %v", got, err)
	}
	if _, err := parseStatCPU([]byte("1 (x) S 1 2")); err == nil {
		t.Error("short line accepted")
	}
}

func TestMeterReadsARealProcess(t *testing.T) {
	m, err := startMeter(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.stop()
	if err != nil {
		t.Fatal(err)
	}
	if r.ServerRSSBytes <= 0 || r.ServerPeakRSSBytes < r.ServerRSSBytes || r.ServerCPUSeconds < 0 || r.BenchCPUSeconds < 0 {
		t.Fatalf("resources: %+v", r)
	}
	if _, err := startMeter(1 << 30); err == nil {
		t.Error("a pid that does not exist was accepted")
	}
}
