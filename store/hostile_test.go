package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A reason quoting hostile input (a record id with a NUL, invalid UTF-8, a
// megabyte) still marks the inbox row, on PostgreSQL too, so that the row
// never stays claimable forever.
func TestInboxMarkHostileReason(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		added, err := s.AddInbox(ctx, []store.InboxEntry{entry("generic", "a", "{}")})
		if err != nil {
			t.Fatal(err)
		}
		reason := "record_id \"opp\x00\xff\x1b[2J\": no deal " + strings.Repeat("é", 5000)
		if err := s.MarkInbox(ctx, added[0].ID, store.InboxFailed, reason, t0); err != nil {
			t.Fatalf("MarkInbox with a hostile reason: %v", err)
		}
		got, err := s.InboxEntry(ctx, added[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.InboxFailed || !utf8.ValidString(got.Error) || strings.ContainsRune(got.Error, 0) || len(got.Error) > 2000 {
			t.Errorf("stored %s with reason of %d bytes %q…", got.Status, len(got.Error), got.Error[:min(60, len(got.Error))])
		}
		if !strings.HasPrefix(got.Error, `record_id "opp\x00\xff`) {
			t.Errorf("the reason does not start with the escaped record id: %q", got.Error[:40])
		}
		// The same reason when the event is deferred for a retry.
		if err := s.DeferInbox(ctx, added[0].ID, reason, t0.Add(time.Minute)); err != nil {
			t.Fatalf("DeferInbox with a hostile reason: %v", err)
		}
	})
}

// A failed send to a URL holding its key (?code=) is stored without the key,
// and an error cut at 2,000 bytes stays valid UTF-8.
func TestOutboxLastErrorRedacted(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		n := ledger.Notice{Key: "k", Subject: "deal:7", Kind: "x", Text: "hello", Places: []chat.Place{sales}}
		if err := s.Notify(ctx, t0, n); err != nil {
			t.Fatal(err)
		}
		items := claimAll(t, s, t0)
		if len(items) != 1 {
			t.Fatalf("claimed %d", len(items))
		}
		sendErr := errors.New(`Post "https://fn.azurewebsites.net/api/hook?code=S3cr3tK3y": dial tcp: connection refused ` + strings.Repeat("ö", 1500) + "\x00")
		if _, err := s.MarkFailed(ctx, items[0], sendErr, t0.Add(time.Hour), true); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Outbox(ctx, 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("Outbox() = %+v, %v", rows, err)
		}
		last := rows[0].LastError
		if strings.Contains(last, "S3cr3tK3y") || !strings.Contains(last, "code=REDACTED") {
			t.Errorf("last_error = %q, want the key redacted", last[:100])
		}
		if !utf8.ValidString(last) || len(last) > 2000 {
			t.Errorf("last_error is %d bytes, valid UTF-8 %v", len(last), utf8.ValidString(last))
		}
	})
}
