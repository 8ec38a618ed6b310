package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestForgetInbox stores deliveries of every outcome, received and finished
// on either side of the cut, more of them than one batch deletes, and checks
// that exactly the old finished ones go: never a failed or waiting one, never
// one received or finished after the cut.
func TestForgetInbox(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		cut := t0.Add(30 * 24 * time.Hour)
		type row struct {
			key                string
			received, finished time.Time // finished zero: left waiting
			status             store.InboxStatus
			gone               bool
		}
		var rows []row
		// 2,500 old applied deliveries: three batches.
		for i := range 2500 {
			rows = append(rows, row{key: fmt.Sprintf("old-%d", i), received: t0, finished: t0.Add(time.Minute), status: store.InboxProcessed, gone: true})
		}
		rows = append(rows,
			row{key: "old-ignored", received: t0, finished: t0, status: store.InboxIgnored, gone: true},
			row{key: "old-stale", received: t0, finished: t0, status: store.InboxStale, gone: true},
			row{key: "old-failed", received: t0, finished: t0, status: store.InboxFailed},       // an admin's to replay
			row{key: "old-waiting", received: t0, status: store.InboxReceived},                  // the processor's
			row{key: "old-replayed", received: t0, finished: cut, status: store.InboxProcessed}, // finished at the cut
			row{key: "at-cut", received: cut, finished: cut, status: store.InboxProcessed},
			row{key: "new", received: cut.Add(time.Hour), finished: cut.Add(time.Hour), status: store.InboxProcessed},
			row{key: "new-ignored", received: cut.Add(time.Hour), finished: cut.Add(time.Hour), status: store.InboxIgnored},
		)
		// One at a time, so that ids grow with received_at as they do in
		// service.
		err := s.Batch(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				e := entry("generic", r.key, `{}`)
				e.ReceivedAt = r.received
				added, err := s.AddInbox(ctx, []store.InboxEntry{e})
				if err != nil {
					return err
				}
				if !r.finished.IsZero() {
					if err := s.MarkInbox(ctx, added[0].ID, r.status, "", r.finished); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.ForgetInbox(ctx, cut)
		if err != nil {
			t.Fatal(err)
		}
		var wantGone []string
		var wantKept []string
		for _, r := range rows {
			if r.gone {
				wantGone = append(wantGone, r.key)
			} else {
				wantKept = append(wantKept, r.key)
			}
		}
		if n != int64(len(wantGone)) {
			t.Errorf("ForgetInbox deleted %d rows, want %d", n, len(wantGone))
		}
		left, err := s.ListInbox(ctx, store.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, e := range left {
			kept = append(kept, e.Key)
		}
		if !slices.Equal(kept, wantKept) {
			t.Errorf("kept %q, want %q", kept, wantKept)
		}
		// A second pass finds nothing more; a forgotten delivery's key can
		// be stored again (a very late redelivery is judged like any event).
		if n, err := s.ForgetInbox(ctx, cut); err != nil || n != 0 {
			t.Errorf("second pass: %d, %v; want 0, nil", n, err)
		}
		again, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "old-7", `{}`)})
		if err != nil || again[0].Duplicate {
			t.Errorf("redelivery of a forgotten key: %+v, %v; want stored anew", again, err)
		}
	})
}

// TestForgetInboxEmpty: an empty inbox, and one whose every delivery is
// older than the cut, are handled (the bound is then past the last id).
func TestForgetInboxEmpty(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if n, err := s.ForgetInbox(ctx, t0); err != nil || n != 0 {
			t.Fatalf("empty inbox: %d, %v", n, err)
		}
		added, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "only", `{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkInbox(ctx, added[0].ID, store.InboxProcessed, "", t0); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ForgetInbox(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("one old row: %d, %v; want 1", n, err)
		}
	})
}
