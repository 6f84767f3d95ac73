package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Resources is what the server process and the load generator used during
// a run: the server's memory at the end, and the CPU each spent, so the
// generator's own share of the machine is visible.
type Resources struct {
	ServerPID int `json:"serverPid,omitempty"`
	// ServerRSSBytes is the server's resident set at the end of the run;
	// ServerPeakRSSBytes its high-water mark since it started.
	ServerRSSBytes     int64 `json:"serverRssBytes,omitempty"`
	ServerPeakRSSBytes int64 `json:"serverPeakRssBytes,omitempty"`
	// CPU seconds (user+system) spent during the run.
	ServerCPUSeconds float64 `json:"serverCpuSeconds,omitempty"`
	BenchCPUSeconds  float64 `json:"benchCpuSeconds"`
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// procSample is one reading of a process's counters.
type procSample struct {
	rss, hwm int64         // bytes
	cpu      time.Duration // user + system
}

// readProc reads pid's memory (/proc/PID/status) and CPU (/proc/PID/stat).
func readProc(pid int) (procSample, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procSample{}, err
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}, err
	}
	var s procSample
	if s.rss, s.hwm, err = parseStatus(status); err != nil {
		return procSample{}, err
	}
	if s.cpu, err = parseStatCPU(stat); err != nil {
		return procSample{}, err
	}
	return s, nil
}

// parseStatus returns VmRSS and VmHWM of a /proc/PID/status text, in bytes.
func parseStatus(b []byte) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	found := 0
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("unexpected %s line %q", name, sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("VmRSS or VmHWM missing from /proc status")
	}
	return rss, hwm, nil
}

// parseStatCPU returns utime+stime of a /proc/PID/stat line. The command
// name (field 2) may hold spaces and parentheses, so fields are counted
// after its closing parenthesis.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state is field 3, so utime (14) and stime (15) are
	// at indexes 11 and 12.
	if len(f) < 13 {
		return 0, fmt.Errorf("malformed /proc stat: %d fields", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed /proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// meter measures Resources over a run.
type meter struct {
	pid      int
	server   procSample
	benchCPU time.Duration
}

// startMeter takes the starting readings; pid 0 measures the generator only.
func startMeter(pid int) (*meter, error) {
	m := &meter{pid: pid, benchCPU: selfCPU()}
	if pid > 0 {
		s, err := readProc(pid)
		if err != nil {
			return nil, fmt.Errorf("--server-pid %d: %w", pid, err)
		}
		m.server = s
	}
	return m, nil
}

// stop takes the final readings.
func (m *meter) stop() (*Resources, error) {
	r := &Resources{ServerPID: m.pid, BenchCPUSeconds: (selfCPU() - m.benchCPU).Seconds()}
	if m.pid > 0 {
		s, err := readProc(m.pid)
		if err != nil {
			return nil, fmt.Errorf("--server-pid %d: %w", m.pid, err)
		}
		r.ServerRSSBytes, r.ServerPeakRSSBytes = s.rss, s.hwm
		r.ServerCPUSeconds = (s.cpu - m.server.cpu).Seconds()
	}
	return r, nil
}
