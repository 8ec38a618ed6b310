package store_test

import (
	"bytes"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func entry(source, key, body string) store.InboxEntry {
	return store.InboxEntry{
		Source: source, Key: key, Body: []byte(body), ReceivedAt: t0,
		Headers: map[string]string{"Content-Type": "application/json"},
	}
}

func TestInboxAddDeduplicates(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		got, err := s.AddInbox(ctx, []store.InboxEntry{
			entry("generic", "e1", `{"a":1}`),
			entry("generic", "e2", `{"a":2}`),
			entry("generic", "e1", `{"a":1}`), // repeated within the batch
			entry("hubspot", "e1", `[]`),      // same key, other source: not a duplicate
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []bool{false, false, true, false}
		for i, g := range got {
			if g.Duplicate != want[i] {
				t.Errorf("entry %d: duplicate = %v, want %v", i, g.Duplicate, want[i])
			}
			if !g.Duplicate && g.ID == 0 {
				t.Errorf("entry %d: stored without an id", i)
			}
		}
		again, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "e2", `{"a":2}`), entry("generic", "e3", `{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if !again[0].Duplicate || again[1].Duplicate {
			t.Errorf("second delivery: %+v, want e2 duplicate and e3 new", again)
		}
		all, err := s.ListInbox(ctx, store.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Fatalf("inbox holds %d rows, want 4", len(all))
		}
		first := all[0]
		if first.Source != "generic" || first.Key != "e1" || !bytes.Equal(first.Body, []byte(`{"a":1}`)) ||
			first.Status != store.InboxReceived || !first.ReceivedAt.Equal(t0) || first.Headers["Content-Type"] != "application/json" ||
			!first.ProcessedAt.IsZero() || first.Attempts != 0 {
			t.Errorf("round trip: %+v", first)
		}
		// An outcome and redeliveries together list the rows that are
		// either (inbox --status ignored,duplicate): none is ignored, two
		// came again.
		either, err := s.ListInbox(ctx, store.InboxFilter{Statuses: []store.InboxStatus{store.InboxIgnored}, Duplicated: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(either) != 2 || either[0].Key != "e1" || either[1].Key != "e2" {
			t.Errorf("ignored or delivered again: %d rows %+v, want e1 and e2", len(either), either)
		}
	})
}

func TestInboxAddRefusesIncompleteEntries(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		bad := []store.InboxEntry{
			{Source: "generic", ReceivedAt: t0},
			{Key: "k", ReceivedAt: t0},
			{Source: "generic", Key: "k"},
		}
		for i, e := range bad {
			if _, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "ok", "{}"), e}); err == nil {
				t.Errorf("entry %d accepted: %+v", i, e)
			}
		}
		all, err := s.ListInbox(ctx, store.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 0 {
			t.Errorf("refused batches stored %d rows", len(all))
		}
	})
}

func TestInboxMarkAndList(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		added, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "a", "{}"), entry("hubspot", "b", "[]"), entry("generic", "c", "{}")})
		if err != nil {
			t.Fatal(err)
		}
		later := t0.Add(time.Minute)
		if err := s.MarkInbox(ctx, added[0].ID, store.InboxFailed, "deal_id: no deal", later); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkInbox(ctx, added[0].ID, store.InboxFailed, "still no deal", later); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkInbox(ctx, added[1].ID, store.InboxProcessed, "", later); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkInbox(ctx, added[2].ID, store.InboxReceived, "", later); err == nil {
			t.Error("marking a row received again was accepted")
		}
		if err := s.MarkInbox(ctx, 99999, store.InboxProcessed, "", later); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking a missing row: %v, want ErrNotFound", err)
		}
		failed, err := s.ListInbox(ctx, store.InboxFilter{Statuses: []store.InboxStatus{store.InboxFailed}})
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 || failed[0].Error != "still no deal" || failed[0].Attempts != 2 || !failed[0].ProcessedAt.Equal(later) {
			t.Errorf("failed rows: %+v", failed)
		}
		gen, err := s.ListInbox(ctx, store.InboxFilter{Source: "generic", AfterID: added[0].ID, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(gen) != 1 || gen[0].Key != "c" {
			t.Errorf("generic rows after the first: %+v", gen)
		}
		one, err := s.InboxEntry(ctx, added[1].ID)
		if err != nil || one.Status != store.InboxProcessed {
			t.Errorf("InboxEntry = %+v, %v", one, err)
		}
		if _, err := s.InboxEntry(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("InboxEntry of a missing row: %v", err)
		}
	})
}

func TestLinksAndCursors(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, err := s.Link(ctx, "partnercenter", "r1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown record: %v", err)
		}
		if cur, err := s.Cursor(ctx, "partnercenter-poll"); err != nil || !cur.At.IsZero() || cur.Next != "" {
			t.Fatalf("Cursor of nothing = %+v, %v", cur, err)
		}
		d := outbound("linked", "loc-1")
		d.ExternalID = "r1"
		if err := s.CreateDeal(ctx, d, at("partnercenter", "received", "")); err != nil {
			t.Fatal(err)
		}
		l := change.Link{System: "partnercenter", RecordID: "r1", DealID: d.ID, Seen: t0, ETag: `"e1"`,
			Shadow: change.Shadow{change.Name: {Value: "linked", At: t0}}}
		if err := s.SaveLink(ctx, l); err != nil {
			t.Fatal(err)
		}
		l.Seen, l.ETag = t0.Add(time.Hour), `"e2"`
		l.Shadow = l.Shadow.Sending(change.Values{change.Value: "100"})
		if err := s.SaveLink(ctx, l); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveLink(ctx, change.Link{System: "partnercenter", RecordID: "r0", Seen: t0}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Link(ctx, "partnercenter", "r1")
		if err != nil || !reflect.DeepEqual(got, l) {
			t.Errorf("Link = %+v, %v; want %+v", got, err, l)
		}
		links, err := s.LinksOf(ctx, d.ID)
		if err != nil || len(links) != 1 || !reflect.DeepEqual(links[0], l) {
			t.Errorf("LinksOf = %+v, %v", links, err)
		}
		want := change.Cursor{At: t0.Add(time.Hour), Next: "https://api.example/next"}
		if err := s.SaveCursor(ctx, "partnercenter-poll", want); err != nil {
			t.Fatal(err)
		}
		want.Version = 1 // its first save
		if cur, err := s.Cursor(ctx, "partnercenter-poll"); err != nil || cur != want {
			t.Errorf("Cursor = %+v, %v; want %+v", cur, err, want)
		}
		if err := s.SaveLink(ctx, change.Link{System: "partnercenter"}); err == nil {
			t.Error("a link without a record id was saved")
		}
		byExt, err := s.DealByExternalID(ctx, "r1")
		if err != nil || byExt.ID != d.ID {
			t.Errorf("DealByExternalID = %+v, %v", byExt, err)
		}
		if _, err := s.DealByExternalID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DealByExternalID of nothing: %v", err)
		}
	})
}

// TestInboxClaim: of replicas processing the inbox at once, one holds a row;
// a crashed holder's claim runs out, and marking a row releases it.
func TestInboxClaim(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		added, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "claim", "{}")})
		if err != nil {
			t.Fatal(err)
		}
		id := added[0].ID
		wins := make(chan bool, 8)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				ok, err := s.ClaimInbox(ctx, id, t0, t0.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				wins <- ok
			})
		}
		wg.Wait()
		close(wins)
		n := 0
		for ok := range wins {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d of 8 concurrent claims won, want 1", n)
		}
		if ok, _ := s.ClaimInbox(ctx, id, t0.Add(30*time.Second), t0.Add(2*time.Minute)); ok {
			t.Fatal("a held row was claimed again before its claim ran out")
		}
		if ok, _ := s.ClaimInbox(ctx, id, t0.Add(time.Minute), t0.Add(2*time.Minute)); !ok {
			t.Fatal("a row whose claim ran out could not be claimed")
		}
		if err := s.MarkInbox(ctx, id, store.InboxFailed, "boom", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimInbox(ctx, id, t0.Add(time.Minute), t0.Add(2*time.Minute)); !ok {
			t.Fatal("a failed row was not claimable for replay after marking released it")
		}
		if err := s.MarkInbox(ctx, id, store.InboxProcessed, "", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimInbox(ctx, id, t0.Add(time.Hour), t0.Add(2*time.Hour)); ok {
			t.Fatal("a processed row was claimed")
		}
	})
}
