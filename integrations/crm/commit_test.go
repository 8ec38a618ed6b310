package crm

import (
	"context"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A group commit that the database refuses because of one request's entry
// is split: the other requests of the batch are stored and answered, only
// the bad one gets the error.
func TestGroupCommitSplitsAFailingBatch(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		c := &Committer{inbox: st}
		at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		entry := func(key string) ledger.InboxEntry {
			return ledger.InboxEntry{Source: "generic", Key: key, Body: []byte("{}"), ReceivedAt: at}
		}
		bad := entry("bad")
		if st.Dialect() == store.Postgres {
			bad.Key = "bad-\xff" // PostgreSQL refuses invalid UTF-8 (22021)
		} else {
			bad.ReceivedAt = time.Time{} // the store refuses an entry with no time
		}
		reqs := []*commitReq{
			{entries: []ledger.InboxEntry{entry("a1"), entry("a2")}},
			{entries: []ledger.InboxEntry{bad}},
			{entries: []ledger.InboxEntry{entry("c1")}},
		}
		for _, r := range reqs {
			r.reply = make(chan commitReply, 1)
		}
		c.commit(reqs, 4)
		for i, r := range reqs {
			got := <-r.reply
			if wantErr := i == 1; (got.err != nil) != wantErr {
				t.Errorf("request %d: err %v, want error %v", i, got.err, wantErr)
			}
			if i != 1 && len(got.added) != len(r.entries) {
				t.Errorf("request %d: %d results for %d entries", i, len(got.added), len(r.entries))
			}
		}
		rows, err := st.ListInbox(t.Context(), ledger.InboxFilter{})
		if err != nil || len(rows) != 3 {
			t.Errorf("stored %d rows (%v), want the 3 good ones", len(rows), err)
		}
	})
}

// TestLingerEndsOnEnoughDeliveries: a page is taken as soon as
// LingerDeliveries were kicked, without waiting out Linger (an ended
// context shows whether linger waited at all), and counting starts again
// once a page is taken.
func TestLingerEndsOnEnoughDeliveries(t *testing.T) {
	t.Parallel()
	p := NewProcessor(nil, nil, nil, nil, nil)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for range LingerDeliveries - 1 {
		p.Kick()
	}
	if err := p.linger(ended, time.Hour); err == nil {
		t.Fatalf("with %d deliveries kicked, linger did not wait", LingerDeliveries-1)
	}
	p.Kick()
	if err := p.linger(ended, time.Hour); err != nil {
		t.Fatalf("with %d deliveries kicked, linger waited: %v", LingerDeliveries, err)
	}
	p.kicked.Store(0) // as Pending does when it takes pages
	if err := p.linger(ended, time.Hour); err == nil {
		t.Fatal("after a page was taken, linger did not wait for new deliveries")
	}
}
