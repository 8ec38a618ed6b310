package chatkit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps a notifier under a platform's rate per channel (Slack:
// about one message a second; Discord: five per five seconds). It never
// waits: Reserve says how long until a slot frees up, and the outbox
// retries then.
type Limiter struct {
	every rate.Limit
	burst int

	mu sync.Mutex
	by map[string]*rate.Limiter
}

// maxChannels bounds the limiters kept; idle ones are dropped past it.
const maxChannels = 10000

// NewLimiter allows every messages a second per channel, burst at once.
func NewLimiter(every rate.Limit, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, by: map[string]*rate.Limiter{}}
}

// Reserve takes n slots of the channel's rate at now, or, taking nothing,
// says how long until they are free. n above the burst counts as the burst.
func (l *Limiter) Reserve(channel string, n int, now time.Time) time.Duration {
	n = min(max(n, 1), l.burst)
	l.mu.Lock()
	lim, ok := l.by[channel]
	if !ok {
		if len(l.by) >= maxChannels {
			for ch, x := range l.by {
				if x.TokensAt(now) >= float64(l.burst) { // idle: a new limiter is the same
					delete(l.by, ch)
				}
			}
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.by[channel] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, n)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}
