// Package chatkit is what every chat platform adapter shares, so that adding
// a platform is one package that fills in rendering and transport: the
// runner the adapters drive, the --share flag, answering inside the
// platform's deadline (deferring when the work is slow), the
// account-to-user lookup with its bounded cache, the per-channel rate
// limit of notifiers, the retry verdict of outbound calls, and the forms
// that ask for what an action needs before it runs.
package chatkit

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
)

// Runner is what an adapter needs of the command service.
type Runner interface {
	Resolve(ctx context.Context, id string) (access.User, error)
	Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply
	ReadOnly(line string) bool
	// Permits is the refusal Run would give line for its verb alone (nil
	// when allowed): a button checks it before opening a form.
	Permits(ctx context.Context, who access.User, line string) *command.Reply
	// Confirm is the question to ask before running line from a button,
	// with what who should know of its deal now ("" when none is asked).
	Confirm(ctx context.Context, who access.User, line string) (question, cancel string)
}

// ShareFlag ends a command whose answer everyone in the channel should see;
// without it only the person who typed the command sees the answer.
const ShareFlag = "--share"

// CutShare strips a trailing --share from a command line.
func CutShare(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutSuffix(text, ShareFlag); ok && (rest == "" || strings.HasSuffix(rest, " ")) {
		return strings.TrimSpace(rest), true
	}
	return text, false
}

// WorkTimeout bounds work that goes on after a request was answered: a
// command that outlived the deadline, a late answer, a modal opened after
// the acknowledgement. Slack's response_url and Discord's interaction token
// stay valid far longer.
const WorkTimeout = 30 * time.Second

// Background runs work that outlives the request it came with, detached
// from the request's cancellation and bounded by WorkTimeout, and lets
// shutdown and tests wait for it.
//
// Every slash command and button runs here, so the goroutines are reused:
// a new goroutine starts with a small stack and grew it, copying, on every
// request (7 % of the server's CPU under "deal show" load in a profile of
// cosellload bench). A worker that finished waits workerIdle for the next
// piece of work before it exits.
type Background struct {
	wg   sync.WaitGroup
	once sync.Once
	idle chan func() // idle workers receive here
}

// workerIdle is how long a finished worker waits for more work.
const workerIdle = 20 * time.Second

// Go runs fn in the background with a context that keeps parent's values.
func (b *Background) Go(parent context.Context, fn func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), WorkTimeout)
	b.wg.Add(1)
	task := func() {
		defer b.wg.Done()
		defer cancel()
		fn(ctx)
	}
	b.once.Do(func() { b.idle = make(chan func()) })
	select {
	case b.idle <- task:
	default:
		go b.worker(task)
	}
}

// worker runs task, then whatever work comes while it waits.
func (b *Background) worker(task func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		task()
		idle.Reset(workerIdle)
		select {
		case task = <-b.idle:
		case <-idle.C:
			return
		}
	}
}

// Wait blocks until the background work is done.
func (b *Background) Wait() { b.wg.Wait() }

// Deadline is how long a platform waits for an answer (Slack and Discord:
// 3 s), less a margin for the network.
type Deadline struct {
	Within time.Duration
	// After starts the countdown (time.After when nil); tests pass one they
	// fire themselves, so that proving an answer comes in time never
	// depends on how fast the machine is.
	After func(time.Duration) <-chan time.Time
}

// DefaultDeadline leaves half a second of Slack's and Discord's 3 s to the
// network.
const DefaultDeadline = 2500 * time.Millisecond

func (d Deadline) after(within time.Duration) <-chan time.Time {
	if within <= 0 {
		within = DefaultDeadline
	}
	if d.After != nil {
		return d.After(within)
	}
	return time.After(within)
}

// Race runs work in the background and waits for it until the deadline.
// In time it returns the result and true; late it returns false and a
// channel that yields the result once the work is done, for the adapter to
// deliver the way its platform takes late answers. Every bit of work that
// may be slow (the replay record, the database, identity lookups) belongs
// inside work, so that nothing before the deadline can block.
func Race[T any](parent context.Context, bg *Background, d Deadline, work func(ctx context.Context) T) (T, bool, <-chan T) {
	deadline := d.after(d.Within) // counted from before the work starts
	done := make(chan T, 1)
	bg.Go(parent, func(ctx context.Context) { done <- work(ctx) })
	select {
	case v := <-done:
		return v, true, nil
	case <-deadline:
		var zero T
		return zero, false, done
	}
}

// Within is like Race with a budget shorter than the deadline: for work
// that must finish before something else is done in the same answer (the
// values a form opens with), so that the answer never waits for it.
func Within[T any](parent context.Context, bg *Background, d Deadline, budget time.Duration, work func(ctx context.Context) T) (T, bool) {
	d.Within = budget
	v, ok, _ := Race(parent, bg, d, work)
	return v, ok
}

// FormBudget is how long opening a form may wait for the values it opens
// with (the deal, the clicker's profile): a form must open inside the
// platform's 3 s (Slack's trigger_id expires, Discord takes a modal only as
// the first answer), so past this the form opens with what is known.
func FormBudget(deadline time.Duration) time.Duration {
	if deadline <= 0 {
		deadline = DefaultDeadline
	}
	return min(deadline*3/5, 1500*time.Millisecond)
}
