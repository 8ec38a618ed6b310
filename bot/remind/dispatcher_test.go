package remind_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Failures: a transient one backs off and succeeds later, a platform's
// Retry-After is honoured, a permanent one is dead at once, and one that
// never stops failing is dead after MaxAttempts.
func TestDispatcherRetries(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		place := func(ch string) chat.Place { return chat.Place{Platform: "log", Channel: ch} }
		for _, ch := range []string{"flaky", "slow", "gone", "broken"} {
			n := ledger.Notice{Key: ch, Subject: "deal:1", Kind: "x", Text: ch, Places: []chat.Place{place(ch)}}
			if err := st.Notify(ctx, t0, n); err != nil {
				t.Fatal(err)
			}
		}
		n := &fakeNotifier{fail: func(m chat.Message, try int) error {
			switch m.To.Channel {
			case "flaky":
				if try == 1 {
					return errors.New("connection reset")
				}
			case "slow":
				if try == 1 {
					return chat.RetryAfter(10*time.Minute, errors.New("rate limited"))
				}
			case "gone":
				return chat.Permanent(errors.New("channel_not_found"))
			case "broken":
				return errors.New("500")
			}
			return nil
		}}
		now := t0
		d := remind.NewDispatcher(st, n, func() time.Time { return now }, nil)
		step := func(to time.Time) {
			now = to
			for {
				got, err := d.Once(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got == 0 {
					return
				}
			}
		}
		step(t0)
		if len(n.messages()) != 0 {
			t.Fatalf("sent %v on the first round", n.messages())
		}
		step(t0.Add(remind.Backoff(1)))
		if sent := n.messages(); len(sent) != 1 || sent[0].To.Channel != "flaky" {
			t.Fatalf("after the first backoff sent %v, want flaky only", sent)
		}
		step(t0.Add(10 * time.Minute))
		if sent := n.messages(); len(sent) != 2 || sent[1].To.Channel != "slow" {
			t.Fatalf("after Retry-After sent %v, want slow too", sent)
		}
		for range remind.MaxAttempts {
			step(now.Add(remind.MaxBackoff))
		}
		waiting, dead, err := st.OutboxCounts(ctx)
		if err != nil || waiting != 0 || dead != 2 {
			t.Errorf("counts %d waiting, %d dead, %v; want 0 and 2 (gone, broken)", waiting, dead, err)
		}
		if got := n.seen["deal:1|log:gone|gone"]; got != 1 {
			t.Errorf("a permanent failure was tried %d times, want 1", got)
		}
		if got := n.seen["deal:1|log:broken|broken"]; got != remind.MaxAttempts {
			t.Errorf("a failing message was tried %d times, want %d", got, remind.MaxAttempts)
		}
		if d.Dead.Load() != 2 || d.Sent.Load() != 2 {
			t.Errorf("dispatcher counted %d sent, %d dead", d.Sent.Load(), d.Dead.Load())
		}
	})
}

// A message cosellbot itself holds back to keep a channel's pace (60
// reminders due at once to one channel) waits its turn however long: it is
// no failed attempt, and never dies of waiting.
func TestPacedMessagesNeverDie(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		n := ledger.Notice{Key: "busy", Subject: "deal:1", Kind: "x", Text: "busy", Places: []chat.Place{{Platform: "log", Channel: "busy"}}}
		if err := st.Notify(ctx, t0, n); err != nil {
			t.Fatal(err)
		}
		f := &fakeNotifier{fail: func(m chat.Message, try int) error {
			if try <= 3*remind.MaxAttempts {
				return chat.Paced(time.Second, errors.New("this channel's message rate is used up"))
			}
			return nil
		}}
		now := t0
		d := remind.NewDispatcher(st, f, func() time.Time { return now }, nil)
		for range 3*remind.MaxAttempts + 1 {
			if _, err := d.Once(ctx); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Second)
		}
		if waiting, dead, err := st.OutboxCounts(ctx); err != nil || waiting != 0 || dead != 0 || d.Sent.Load() != 1 {
			t.Errorf("after %d paced turns: %d waiting, %d dead, %d sent, %v; want it sent", 3*remind.MaxAttempts, waiting, dead, d.Sent.Load(), err)
		}
	})
}

// A dispatcher stopped (SIGTERM) in the middle of a send lets the send
// finish and records it: given back unrecorded, it would be posted again by
// another replica though the platform had it already.
func TestStoppedMidSendIsRecordedNotRepeated(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		n := ledger.Notice{Key: "slow", Subject: "deal:1", Kind: "x", Text: "slow", Places: []chat.Place{{Platform: "log", Channel: "slow"}}}
		if err := st.Notify(ctx, t0, n); err != nil {
			t.Fatal(err)
		}
		started, answer := make(chan struct{}), make(chan struct{})
		slow := &blockingNotifier{started: started, answer: answer}
		stop, cancel := context.WithCancel(ctx)
		d := remind.NewDispatcher(st, slow, func() time.Time { return t0 }, nil)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = d.Once(stop)
		}()
		<-started
		cancel() // SIGTERM while the platform has the request
		close(answer)
		<-done
		if waiting, _, err := st.OutboxCounts(ctx); err != nil || waiting != 0 || d.Sent.Load() != 1 {
			t.Fatalf("after a stop mid-send: %d waiting, %d sent, %v; want it recorded as sent", waiting, d.Sent.Load(), err)
		}
		again := &fakeNotifier{}
		if _, err := remind.NewDispatcher(st, again, func() time.Time { return t0.Add(remind.Lease) }, nil).Once(ctx); err != nil || len(again.messages()) != 0 {
			t.Errorf("another replica sent %v again (%v)", again.messages(), err)
		}
	})
}

// blockingNotifier answers a send only once answer is closed, as a slow
// platform does, whatever happens to the caller's context meanwhile.
type blockingNotifier struct {
	started, answer chan struct{}
	once            sync.Once
}

func (b *blockingNotifier) Send(ctx context.Context, _ chat.Message) (string, error) {
	b.once.Do(func() { close(b.started) })
	select {
	case <-b.answer:
		return "ref", nil
	case <-ctx.Done(): // a caller that gives up aborts the request, as an HTTP client does
		return "", ctx.Err()
	}
}

// A failure only the operator can fix (chat.Blocked) is dead at once, its
// last error and log line say the fix and the command that sends it
// again; made due again once fixed, it is sent.
func TestBlockedMessageSaysTheFix(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := t.Context()
	to := chat.Place{Platform: "log", Channel: "sales"}
	if err := st.Notify(ctx, t0, ledger.Notice{Key: "k", Subject: "claim:1", Kind: "x", Text: "hello", Places: []chat.Place{to}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	revoked := true
	n := &fakeNotifier{fail: func(chat.Message, int) error {
		mu.Lock()
		defer mu.Unlock()
		if revoked {
			return chat.Blocked(errors.New("invalid_auth"), "rotate the token")
		}
		return nil
	}}
	var logs strings.Builder
	d := remind.NewDispatcher(st, n, func() time.Time { return t0 }, slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := d.Once(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Outbox(ctx, 10)
	if err != nil || len(rows) != 1 || rows[0].State != store.OutboxDead {
		t.Fatalf("outbox %+v, %v; want the row dead at once", rows, err)
	}
	if want := "invalid_auth: rotate the token, then cosellbot outbox --retry-dead"; rows[0].LastError != want {
		t.Errorf("last error %q, want %q", rows[0].LastError, want)
	}
	if !strings.Contains(logs.String(), "until the operator fixes the cause") || !strings.Contains(logs.String(), "cosellbot outbox --retry-dead") {
		t.Errorf("the log does not say what to do:\n%s", logs.String())
	}
	mu.Lock()
	revoked = false
	mu.Unlock()
	if got, err := st.RetryDeadOutbox(ctx, store.DeadOutbox{}, t0); err != nil || len(got.Retried) != 1 {
		t.Fatalf("retry = %+v, %v", got, err)
	}
	if _, err := d.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if sent := n.messages(); len(sent) != 1 || sent[0].Text != "hello" {
		t.Errorf("after the fix and the retry sent %v, want the message", sent)
	}
}
