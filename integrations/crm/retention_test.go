package crm

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestParseKeep(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "30d", want: 30 * 24 * time.Hour},
		{in: " 7d ", want: 7 * 24 * time.Hour},
		{in: "3650d", want: 3650 * 24 * time.Hour},
		{in: "off", want: 0},
		{in: "OFF", want: 0},
		{in: "6d", err: "from 7d to 3650d"},    // a late retry could be stored twice
		{in: "720h", err: "as in 30d"},         // days only: an hour count reads like a mistake
		{in: "30", err: "number of days"},      // no unit
		{in: "3651d", err: "from 7d to 3650d"}, // ten years is the most
		{in: "-30d", err: "from 7d"},
		{in: "thirty", err: "or off"},
	} {
		got, err := ParseKeep(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "COSELLBOT_INBOX_KEEP") {
				t.Errorf("ParseKeep(%q) = %v, %v; want an error naming the setting and %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseKeep(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// A pass forgets what finished more than Keep ago by the clock, and
// nothing when Keep is 0 (off).
func TestRetentionPass(t *testing.T) {
	st := storetest.Open(t)
	ctx := t.Context()
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	added, err := st.AddInbox(ctx, []ledger.InboxEntry{
		{Source: "generic", Key: "applied", Body: []byte("{}"), ReceivedAt: at},
		{Source: "generic", Key: "failed", Body: []byte("{}"), ReceivedAt: at},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkInbox(ctx, added[0].ID, ledger.InboxProcessed, "", at); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkInbox(ctx, added[1].ID, ledger.InboxFailed, "no deal", at); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		keep time.Duration
		want int64
	}{
		{"off keeps everything", at.AddDate(1, 0, 0), 0, 0},
		{"younger than keep", at.Add(DefaultKeep - time.Minute), DefaultKeep, 0},
		{"older than keep", at.Add(DefaultKeep + time.Minute), DefaultKeep, 1},
		{"already forgotten", at.Add(DefaultKeep + time.Hour), DefaultKeep, 0},
	} {
		n, err := Retention{Inbox: st, Clock: stoppedClock{tc.now}, Keep: tc.keep}.Pass(ctx)
		if err != nil || n != tc.want {
			t.Errorf("%s: forgot %d, %v; want %d", tc.name, n, err, tc.want)
		}
	}
	left, err := st.ListInbox(ctx, ledger.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Key != "failed" {
		t.Errorf("left %+v, want the failed delivery alone", left)
	}
}

// Whatever is typed, ParseKeep reads off or a number of days within the
// bounds, or refuses.
func FuzzParseKeep(f *testing.F) {
	for _, s := range []string{"30d", "off", "7d", "6d", "3650d", "-1d", "1e3d", "0d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseKeep(s)
		if err == nil && d != 0 && (d < MinKeep || d > 3650*24*time.Hour || d%(24*time.Hour) != 0) {
			t.Fatalf("%q read as %v", s, d)
		}
	})
}
