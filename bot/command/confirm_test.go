package command_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Winning cannot be undone, and registration may be rejected for a deal won
// within 72 hours of its creation: a tester read that only in the reply
// after the click, and never for a P2P deal. The Won button's question
// says it before (the card's confirm, and the question Discord asks at the
// press), for the kinds that are registered, while it applies.
func TestWonQuestionWarnsBeforeAnEarlyWin(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=IP customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n share=yes solution="Contoso Insight" ` + team)
	e.run(`deal new kind=p2p name=P2P customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n share=yes solution="Contoso Insight" ` + team)
	e.run(`deal new kind=services name=S customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n role=transaction area=Security play="Cloud security" ` + team)
	const advice = "registration may be rejected for a deal won within 72 hours of its creation"
	won := func(id string) (card, asked string) {
		t.Helper()
		r := e.run("deal show " + id)
		i := slices.IndexFunc(r.Actions, func(a chat.Action) bool { return a.Command == "deal won "+id })
		if i < 0 {
			t.Fatalf("deal %s offers no Won: %+v", id, r.Actions)
		}
		q, _ := e.svc.Confirm(t.Context(), access.LocalAdmin, "deal won "+id)
		return r.Actions[i].Confirm, q
	}
	e.clk.t = start.Add(5 * time.Hour)
	for id, want := range map[string]bool{"1": true, "2": true, "3": false} {
		card, asked := won(id)
		for _, q := range []string{card, asked} {
			if !strings.HasPrefix(q, "Mark deal #"+id+" won?") || strings.Contains(q, advice) != want {
				t.Errorf("deal %s five hours old: question %q, advice %v", id, q, want)
			}
		}
		if want && !strings.Contains(card, "created on 2026-11-22 09:00 UTC") || want && !strings.Contains(card, "wait until 2026-11-25 09:00 UTC") {
			t.Errorf("deal %s: the advice does not say how old it is and until when: %q", id, card)
		}
	}
	e.clk.t = start.Add(73 * time.Hour)
	if card, asked := won("1"); strings.Contains(card+asked, advice) {
		t.Errorf("three days old, the question still warns: %q / %q", card, asked)
	}
	// A private deal is never registered, and a won one is no longer
	// upgraded (a tester won a private IP co-sell deal after the 72-hour
	// advice alone): that is what its question says, at any age, and its
	// reply after.
	e.run(`deal new kind=ip name=Private customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" ` + team)
	const private = "It is private: a private deal cannot be registered, and once won it can no longer be upgraded; if you will register it, upgrade it first (deal upgrade 4 partner-led)."
	for _, age := range []time.Duration{74, 200} {
		e.clk.t = start.Add(age * time.Hour)
		card, asked := won("4")
		for _, q := range []string{card, asked} {
			if !strings.Contains(q, private) || strings.Contains(q, advice) {
				t.Errorf("private deal, %d h: question %q", age, q)
			}
		}
	}
	if r := e.run("deal won 4"); !strings.Contains(r.Text, "private: it can no longer be registered") {
		t.Errorf("won reply %q", r.Text)
	}
}
