package remind

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// current is a record of one deal and one claim, for atDelivery.
type current struct {
	deal  *deal.Deal
	claim *cpor.Claim
}

func (c current) Deals(_ context.Context, ids []int64) ([]*deal.Deal, error) {
	if c.deal != nil && len(ids) == 1 && ids[0] == c.deal.ID {
		return []*deal.Deal{c.deal}, nil
	}
	return nil, nil
}

func (c current) GetClaim(_ context.Context, id int64) (*cpor.Claim, error) {
	if c.claim != nil && c.claim.ID == id {
		return c.claim, nil
	}
	return nil, fmt.Errorf("claim %d: %w", id, ledger.ErrNotFound)
}

func (current) DropOutbox(context.Context, ledger.Delivery) (bool, error) { return true, nil }

// delivery is n claimed from the outbox: its key gets the place, as the
// store's dedup key does.
func delivery(n ledger.Notice, queued time.Time) ledger.Delivery {
	to := chat.Place{Platform: "slack", Channel: "C0SALES01"}
	return ledger.Delivery{ID: 1, Attempt: 1, Kind: n.Kind, Key: n.Key + "|" + to.String(), Queued: queued,
		Message: chat.Message{To: to, Subject: n.Subject, Text: n.Text, Actions: n.Actions}}
}

// TestAtDelivery: a referral reminder and a claim's closing warning are
// written again when delivered, saying the time left then, or dropped,
// saying why, once what they ask for is over; other news goes as written.
func TestAtDelivery(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ref := &deal.Deal{ID: 7, Name: "Plants", Direction: deal.Inbound, Kind: deal.IPCoSell, SaleType: deal.CoSell, Status: deal.Received,
		Location: "1234567", Customer: deal.Customer{Name: "Fabrikam"}, From: "microsoft",
		ReceivedAt: t0, ExpiresAt: t0.Add(deal.ReferralWindow), CreatedAt: t0}
	due := ref.ExpiresAt.Add(-3 * 24 * time.Hour)
	reminder := ReminderNotice(ref, 3*24*time.Hour, due.Add(time.Minute))
	with := func(mod func(d *deal.Deal)) *deal.Deal {
		d := ref.Clone()
		mod(d)
		return d
	}

	claim, _, err := cpor.New(cpor.Draft{TenantID: "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c", Country: "FR", Engagement: "modern-work", Workload: "Teams"}, "i", t0)
	if err != nil {
		t.Fatal(err)
	}
	claim.ID = 3
	if _, _, err := claim.Confirm(t0, t0); err != nil {
		t.Fatal(err)
	}
	warnedAt := claim.OfficialAt.Add(-cpor.ClosingNotice + time.Minute)
	warning := ClaimClosingNotice(claim, warnedAt)
	claimAs := func(mod func(c *cpor.Claim)) *cpor.Claim {
		c := *claim
		mod(&c)
		return &c
	}

	tests := []struct {
		name   string
		rec    current
		n      ledger.Notice
		now    time.Time
		want   string // in the text delivered; "" with drop
		drop   string // in why it is dropped
		redone bool
	}{
		{name: "reminder on time", rec: current{deal: ref}, n: reminder, now: due.Add(2 * time.Minute), want: "expires in 3 days,"},
		{name: "reminder a day late", rec: current{deal: ref}, n: reminder, now: due.Add(24 * time.Hour),
			want: "expires in 2 days, on 2026-11-16 09:00 UTC: accept or decline it, or cosellbot records it as expired. (Sent late: this 3d reminder was due 2026-11-13 09:00 UTC, but could not be delivered here until now.)", redone: true},
		{name: "reminder of a moved expiry", rec: current{deal: with(func(d *deal.Deal) { d.ExpiresAt = d.ExpiresAt.Add(24 * time.Hour) })}, n: reminder, now: due.Add(time.Hour),
			want: "expires in 3 days 23 hours, on 2026-11-17 09:00 UTC", redone: true},
		{name: "reminder of an accepted referral", rec: current{deal: with(func(d *deal.Deal) { d.Status = deal.Accepted })}, n: reminder, now: due.Add(time.Hour),
			drop: "deal #7 is accepted now: it takes no answer"},
		{name: "reminder of an expired referral", rec: current{deal: ref}, n: reminder, now: ref.ExpiresAt,
			drop: "deal #7 expired on 2026-11-16 09:00 UTC"},
		{name: "reminder of a deal gone", rec: current{}, n: reminder, now: due.Add(time.Hour), drop: "deal #7 no longer exists"},
		{name: "warning on time", rec: current{claim: claim}, n: warning, now: warnedAt.Add(time.Minute), want: "closes in 1 day;"},
		{name: "warning late, window open", rec: current{claim: claim}, n: warning, now: claim.OfficialAt.Add(-5 * time.Hour),
			want: "closes in 5 hours;", redone: true},
		{name: "warning after the window, not swept", rec: current{claim: claim}, n: warning, now: claim.OfficialAt,
			drop: "the customer's window to decline claim #3 closed at 2026-11-09 23:00 UTC (their last day was 2026-11-09, Europe/Paris time)"},
		{name: "warning of an official claim", rec: current{claim: claimAs(func(c *cpor.Claim) { c.Status = cpor.Official })}, n: warning, now: claim.OfficialAt.Add(time.Hour),
			drop: "closed at 2026-11-09 23:00 UTC: the claim is official"},
		{name: "warning of a declined claim", rec: current{claim: claimAs(func(c *cpor.Claim) { c.Status = cpor.Declined })}, n: warning, now: warnedAt.Add(time.Hour),
			drop: "the customer declined claim #3"},
		{name: "warning of a moved window", rec: current{claim: claimAs(func(c *cpor.Claim) { c.OfficialAt = c.OfficialAt.Add(48 * time.Hour) })}, n: warning, now: warnedAt.Add(time.Hour),
			drop: "now closes at 2026-11-11 23:00 UTC: its own warning comes a day before"},
		{name: "warning of a claim gone", rec: current{}, n: warning, now: warnedAt.Add(time.Hour), drop: "claim #3 no longer exists"},
		{name: "other claim news", rec: current{}, n: ClaimNotice(claim, deal.Event{Detail: "official"}), now: claim.OfficialAt.Add(48 * time.Hour), want: "official"},
		{name: "other deal news", rec: current{}, n: ledger.Notice{Key: "deal:7#v2#received", Subject: "deal:7", Kind: "received", Text: "📥 new"}, now: t0.Add(30 * 24 * time.Hour), want: "📥 new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why, err := atDelivery(t.Context(), tt.rec, delivery(tt.n, due.Add(time.Minute)), tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if tt.drop != "" {
				if !strings.Contains(why, tt.drop) {
					t.Errorf("why = %q, want it dropped saying %q", why, tt.drop)
				}
				return
			}
			if why != "" {
				t.Fatalf("dropped (%s), want it delivered", why)
			}
			if !strings.Contains(got.Message.Text, tt.want) || got.Redone != tt.redone {
				t.Errorf("delivered %q (redone %v), want %q (redone %v)", got.Message.Text, got.Redone, tt.want, tt.redone)
			}
		})
	}
}

// TestReminderSentLateSaysWhy: a reminder late when delivered says why: the
// sweep was not running when it fell due, the referral was recorded after
// it, or it was on time and its delivery failed until now.
func TestReminderSentLateSaysWhy(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d := &deal.Deal{ID: 7, Direction: deal.Inbound, Kind: deal.IPCoSell, Status: deal.Received, From: "microsoft",
		ExpiresAt: t0.Add(deal.ReferralWindow), CreatedAt: t0}
	off := 3 * 24 * time.Hour
	due := d.ExpiresAt.Add(-off)
	recorded := d.Clone()
	recorded.CreatedAt = due.Add(time.Hour)
	tests := []struct {
		name       string
		d          *deal.Deal
		fired, now time.Time
		want       string
	}{
		{"on time", d, due, due.Add(LateAfter), ""},
		{"swept late", d, due.Add(5 * time.Hour), due.Add(5 * time.Hour), "while cosellbot's sweep was not running"},
		{"swept late, delivered later", d, due.Add(5 * time.Hour), due.Add(30 * time.Hour), "while cosellbot's sweep was not running"},
		{"recorded late", recorded, recorded.CreatedAt, recorded.CreatedAt, "before the referral was recorded here"},
		{"delivered late", d, due.Add(time.Minute), due.Add(LateAfter + 2*time.Minute), "but could not be delivered here until now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := reminderNotice(tt.d, off, tt.fired, tt.now).Text
			_, note, late := strings.Cut(text, "(Sent late:")
			if late != (tt.want != "") || !strings.Contains(note, tt.want) {
				t.Errorf("text %q, want late note %q", text, tt.want)
			}
		})
	}
}

// TestDeliveryKeys: the reminder's offset and the warned window are read
// back from the outbox keys the notices write; other keys are neither.
func TestDeliveryKeys(t *testing.T) {
	end := time.Date(2026, 11, 9, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		key      string
		offset   time.Duration
		isOffset bool
		end      time.Time
		isEnd    bool
	}{
		{key: "deal:12#before-3d#1794733200000000|slack:C0SALES01", offset: 72 * time.Hour, isOffset: true},
		{key: "deal:12#before-12h#1794733200000000|log", offset: 12 * time.Hour, isOffset: true},
		{key: "deal:12#before-90m#1794733200000000|log", offset: 90 * time.Minute, isOffset: true},
		{key: fmt.Sprintf("claim:3#%s#%d|slack:C0CLAIMS1", cpor.PlanClosing, end.UnixMicro()), end: end, isEnd: true},
		{key: "claim:3#v4#claim|slack:C0CLAIMS1"},
		{key: "deal:12#v3#reminder|slack:C0SALES01"},
		{key: "w#3d|slack:C0SALES01"},
		{key: "digest:2026-11-02|slack:C0SALES01"},
	}
	for _, tt := range tests {
		off, ok := reminderOffset(tt.key)
		if ok != tt.isOffset || off != tt.offset {
			t.Errorf("reminderOffset(%q) = %s, %v; want %s, %v", tt.key, off, ok, tt.offset, tt.isOffset)
		}
		got, ok := closingWindow(tt.key)
		if ok != tt.isEnd || !got.Equal(tt.end) {
			t.Errorf("closingWindow(%q) = %s, %v; want %s, %v", tt.key, got, ok, tt.end, tt.isEnd)
		}
	}
}

// unreadable is an outbox whose record does not answer: one reminder is
// due, and reading its deal fails.
type unreadable struct {
	current
	item             ledger.Delivery
	deferred, marked []time.Time
}

func (u *unreadable) ClaimOutbox(context.Context, time.Time, time.Duration, int) ([]ledger.Delivery, error) {
	return []ledger.Delivery{u.item}, nil
}
func (u *unreadable) Deals(context.Context, []int64) ([]*deal.Deal, error) {
	return nil, errors.New("database is locked")
}
func (u *unreadable) MarkSent(_ context.Context, _ ledger.Delivery, now time.Time, _ string) (bool, error) {
	u.marked = append(u.marked, now)
	return true, nil
}
func (u *unreadable) MarkFailed(_ context.Context, _ ledger.Delivery, _ error, at time.Time, _ bool) (bool, error) {
	u.marked = append(u.marked, at)
	return true, nil
}
func (u *unreadable) DeferOutbox(_ context.Context, _ ledger.Delivery, at time.Time) (bool, error) {
	u.deferred = append(u.deferred, at)
	return true, nil
}

// A reminder whose referral cannot be read when it is due is not sent as
// written (it may say what is no longer true): it waits, no try counted.
func TestUncheckedReminderWaits(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d := &deal.Deal{ID: 7, Direction: deal.Inbound, Kind: deal.IPCoSell, Status: deal.Received, From: "microsoft", ExpiresAt: t0.Add(deal.ReferralWindow), CreatedAt: t0}
	box := &unreadable{item: delivery(ReminderNotice(d, 72*time.Hour, t0), t0)}
	sent := 0
	n := notifierFunc(func(chat.Message) { sent++ })
	if _, err := NewDispatcher(box, n, func() time.Time { return t0 }, nil).Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if sent != 0 || len(box.marked) != 0 || len(box.deferred) != 1 || !box.deferred[0].Equal(t0.Add(BaseBackoff)) {
		t.Errorf("sent %d, marked %v, deferred %v; want it put back for %s, unsent", sent, box.marked, box.deferred, BaseBackoff)
	}
}

type notifierFunc func(chat.Message)

func (f notifierFunc) Send(_ context.Context, m chat.Message) (string, error) {
	f(m)
	return "ref", nil
}
