package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func faqEntry(id, answer string) faq.Entry {
	e := faq.Entry{ID: id, Seed: "004", Related: []string{"other"}, Text: map[faq.Lang]faq.Text{}}
	for _, l := range faq.Langs {
		e.Text[l] = faq.Text{Question: "q " + string(l), Alternates: []string{"alt " + string(l)}, Answer: answer + " " + string(l)}
	}
	return e
}

func TestFAQOverrides(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v0, err := s.FAQVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		e := faqEntry("custom-1", "first")
		if err := s.PutFAQ(ctx, e, ledger.Entry{At: at, Actor: "admin@x.io", Action: "faq-added", Detail: "added custom-1"}); err != nil {
			t.Fatal(err)
		}
		v1, _ := s.FAQVersion(ctx)
		if v1 == v0 {
			t.Fatalf("version did not change after an add: %s", v1)
		}
		e.Text[faq.FR] = faq.Text{Question: "q fr", Answer: "changée"}
		if err := s.PutFAQ(ctx, e, ledger.Entry{At: at.Add(time.Minute), Actor: "admin@x.io", Action: "faq-edited", Detail: "edited"}); err != nil {
			t.Fatal(err)
		}
		gone := faq.Entry{ID: "partner-id-where", Removed: true}
		if err := s.PutFAQ(ctx, gone, ledger.Entry{At: at.Add(2 * time.Minute), Actor: "admin@x.io", Action: "faq-removed", Detail: "removed"}); err != nil {
			t.Fatal(err)
		}
		v2, _ := s.FAQVersion(ctx)
		if v2 == v1 {
			t.Fatalf("version did not change after an edit: %s", v2)
		}
		got, err := s.FAQOverrides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "custom-1" || got[1].ID != "partner-id-where" || !got[1].Removed {
			t.Fatalf("overrides: %+v", got)
		}
		if !reflect.DeepEqual(got[0].Text, e.Text) || got[0].Seed != "004" || !reflect.DeepEqual(got[0].Related, e.Related) {
			t.Fatalf("round trip: got %+v, want %+v", got[0], e)
		}
	})
}

func TestFAQMisses(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		for i, q := range []string{"What about Teams Phone?", "what about teams phone?", "Combien coûte Azure ?", "old one"} {
			when := at.Add(time.Duration(i) * time.Minute)
			if q == "old one" {
				when = at.Add(-48 * time.Hour)
			}
			if err := s.RecordFAQMisses(ctx, ledger.FAQMiss{Question: q, Lang: "en", Actor: "a@x.io", At: when}); err != nil {
				t.Fatal(err)
			}
		}
		misses, err := s.FAQMisses(ctx, at.Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(misses) != 2 || misses[0].Question != "what about teams phone?" || misses[0].Count != 2 || !misses[0].At.Equal(at.Add(time.Minute)) {
			t.Fatalf("misses: %+v", misses)
		}
		// A batch (serve's miss writer) with an empty question keeps none.
		batch := []ledger.FAQMiss{{Question: "what about teams phone?", Lang: "en", Actor: "b@x.io", At: at}, {Question: "  ", At: at}}
		if err := s.RecordFAQMisses(ctx, batch...); err == nil {
			t.Fatal("an empty question was recorded")
		}
		// A batch is kept whole, each miss counted.
		batch[1] = ledger.FAQMiss{Question: "Combien coûte Azure ?", Lang: "fr", Actor: "b@x.io", At: at.Add(5 * time.Minute)}
		if err := s.RecordFAQMisses(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		misses, err = s.FAQMisses(ctx, at.Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(misses) != 2 || misses[0].Count != 3 || misses[1].Count != 2 {
			t.Fatalf("after a batch: %+v", misses)
		}
	})
}

// An answer its asker said was not what they asked is a miss kept with the
// entry that answered (00013): counted with the question's other misses,
// the entry last said of it given, on both databases; a database rolled
// back before 00013 and migrated again keeps its misses, as answered by
// none.
func TestFAQMissesAnsweredWrongly(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		for i, m := range []ledger.FAQMiss{
			{Question: "what's the csa commission for azure", Lang: "en", Actor: "a@x.io"},
			{Question: "What's the CSA commission for Azure", Lang: "en", Actor: "b@x.io", Wrong: "csa-what"},
			{Question: "what's the csa commission for azure", Lang: "en", Actor: "c@x.io", Wrong: "csa-commission-rate"},
			{Question: "combien coûte azure", Lang: "fr", Actor: "a@x.io"},
		} {
			m.At = at.Add(time.Duration(i) * time.Minute)
			if err := s.RecordFAQMisses(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		misses, err := s.FAQMisses(ctx, at.Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			q, wrong      string
			count, wrongs int
		}{{"what's the csa commission for azure", "csa-commission-rate", 3, 2}, {"combien coûte azure", "", 1, 0}}
		if len(misses) != len(want) {
			t.Fatalf("misses: %+v", misses)
		}
		for i, w := range want {
			if m := misses[i]; m.Question != w.q || m.Wrong != w.wrong || m.Count != w.count || m.Wrongs != w.wrongs {
				t.Errorf("miss %d: %+v, want %+v", i, m, w)
			}
		}
		if err := store.MigrateDownTo(ctx, s, 14); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Migrate(ctx); err != nil || n != migrationCount(t)-14 {
			t.Fatalf("Migrate after rolling back 00015 = %d, %v; want 00015 and those after, nil", n, err)
		}
		again, err := s.FAQMisses(ctx, at.Add(-time.Hour), 10)
		if err != nil || len(again) != 2 || again[0].Count != 3 || again[0].Wrongs != 0 {
			t.Errorf("misses after 00015 again: %+v, %v; want them all, answered by none", again, err)
		}
	})
}
