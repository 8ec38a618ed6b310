package faq_test

import (
	"context"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestLive: Warm builds the index once; questions within Recheck reuse it;
// an admin's entry stored in the database (here by another replica) is
// picked up at the next recheck, or after Invalidate: the question that
// notices starts the build and is answered by the old index, and Fresh
// waits for the new one.
func TestLive(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	base := []faq.Entry{entry("partner-id-where", "Where do I find my partner ID?", "Legal info page.")}
	live := faq.NewLive(base, st)
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	if err := live.Warm(ctx, t0); err != nil {
		t.Fatal(err)
	}
	ix, err := live.Index(ctx, t0.Add(time.Second))
	if err != nil || ix.Len() != 1 {
		t.Fatalf("index = %v entries, %v", ix.Len(), err)
	}
	added := entry("office-hours", "When is the partner desk open?", "Weekdays 9-17 CET.")
	if err := st.PutFAQ(ctx, added, ledger.Entry{At: t0, Actor: "other-replica", Action: "faq-added", Detail: "added"}); err != nil {
		t.Fatal(err)
	}
	if again, _ := live.Index(ctx, t0.Add(faq.Recheck/2)); again != ix {
		t.Error("rebuilt within the recheck interval")
	}
	if old, _ := live.Index(ctx, t0.Add(faq.Recheck+time.Second)); old != ix {
		t.Error("the question that noticed the change waited for the new index")
	}
	later, err := live.Fresh(ctx, t0.Add(faq.Recheck+time.Second))
	if err != nil || later.Len() != 2 {
		t.Fatalf("after recheck: %d entries, %v; want the admin's entry too", later.Len(), err)
	}
	if r := later.Ask("when is the partner desk open"); r.EntryID != "office-hours" {
		t.Errorf("added entry not answered: %+v", r)
	}
	if err := st.PutFAQ(ctx, faq.Entry{ID: "office-hours", Removed: true}, ledger.Entry{At: t0, Actor: "admin", Action: "faq-removed", Detail: "removed"}); err != nil {
		t.Fatal(err)
	}
	live.Invalidate()
	if ix, _ := live.Fresh(ctx, t0.Add(faq.Recheck+2*time.Second)); ix.Len() != 1 {
		t.Errorf("after Invalidate: %d entries, want 1", ix.Len())
	}
	if ix, _ := live.Index(ctx, t0.Add(faq.Recheck+3*time.Second)); ix.Len() != 1 {
		t.Errorf("the next question after Invalidate: %d entries, want 1", ix.Len())
	}
}

func entry(id, q, a string) faq.Entry {
	e := faq.Entry{ID: id, Seed: "test", Text: map[faq.Lang]faq.Text{}}
	for _, l := range faq.Langs {
		e.Text[l] = faq.Text{Question: q, Answer: a}
	}
	return e
}
