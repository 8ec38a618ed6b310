// Package logcapture provides a log sink that tests read while the code
// under test writes to it from other goroutines (servers, background
// loops): a bytes.Buffer is not safe for that.
package logcapture

import (
	"bytes"
	"sync"
)

// Buffer is an io.Writer that many goroutines may write to while one
// reads. The zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// Len is how many bytes were written.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// String is what was written.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
