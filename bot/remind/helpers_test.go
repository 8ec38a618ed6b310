package remind_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// t0 is a Monday morning; the tests' clocks start there.
var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

var (
	sales = chat.Place{Platform: "slack", Channel: "C0SALES01"}
	ops   = chat.Place{Platform: "discord", Channel: "123456789012345678"}
	// claimsChannel is subscribed for CPOR claim news (kind=cpor).
	claimsChannel = chat.Place{Platform: "slack", Channel: "C0CLAIMS1"}
)

// referral is an inbound referral received at at, in a location.
func referral(name, location string, at time.Time) *deal.Deal {
	return &deal.Deal{
		Name: name, Direction: deal.Inbound, Kind: deal.ServicesCoSell, SaleType: deal.CoSell,
		Status: deal.Received, Currency: "USD", Location: location,
		Customer: deal.Customer{Name: "Contoso " + name, Location: "SE", Account: deal.Other},
		Help:     deal.HelpNone, From: "microsoft", Microsoft: deal.MSAccepted,
		ReceivedAt: at, ExpiresAt: at.Add(deal.ReferralWindow), CreatedAt: at, UpdatedAt: at,
	}
}

// fakeNotifier records what it is asked to send; fail, when set, decides a
// failure per message and attempt.
type fakeNotifier struct {
	mu   sync.Mutex
	sent []chat.Message
	seen map[string]int // tries per subject|place|text
	fail func(m chat.Message, try int) error
	// block, when set, is called before sending (to simulate a slow send).
	block func(m chat.Message)
}

func (f *fakeNotifier) Send(_ context.Context, m chat.Message) (string, error) {
	if f.block != nil {
		f.block(m)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil {
		f.seen = map[string]int{}
	}
	k := m.Subject + "|" + m.To.String() + "|" + m.Text
	f.seen[k]++
	if f.fail != nil {
		if err := f.fail(m, f.seen[k]); err != nil {
			return "", err
		}
	}
	f.sent = append(f.sent, m)
	return fmt.Sprintf("ref-%d", len(f.sent)), nil
}

func (f *fakeNotifier) messages() []chat.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chat.Message(nil), f.sent...)
}
