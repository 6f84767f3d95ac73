package bench

import (
	"syscall"
	"time"
)

// selfCPU is the CPU time this process has used (user plus kernel).
func selfCPU() time.Duration {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0
	}
	ticks := func(f syscall.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	// FILETIME counts 100-nanosecond intervals.
	return time.Duration((ticks(kernel) + ticks(user)) * 100)
}
