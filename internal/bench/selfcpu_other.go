//go:build !unix && !windows

package bench

import "time"

// selfCPU is unknown here; the bench report then shows the generator's CPU as 0.
func selfCPU() time.Duration { return 0 }
