//go:build !linux

package faq

import "time"

// processCPU is only measured on Linux.
func processCPU() (time.Duration, bool) { return 0, false }
