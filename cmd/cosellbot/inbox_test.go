package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store"
)

// The inbox's STATUS column and its --status filter speak the same words
// (the README's: waiting, applied, ignored, stale, failed, duplicate):
// --status applied once listed rows whose STATUS said processed.
func TestInboxStatusWordsMatchTheFilter(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "inbox.db")
	t.Setenv("DATABASE_URL", url)
	runCLI(t, 0, "migrate")
	st, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	added, err := st.AddInbox(t.Context(), []store.InboxEntry{
		{Source: "hubspot", Key: "k-applied", Body: []byte("{}"), ReceivedAt: at},
		{Source: "hubspot", Key: "k-ignored", Body: []byte("{}"), ReceivedAt: at},
		{Source: "hubspot", Key: "k-waiting", Body: []byte("{}"), ReceivedAt: at},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkInbox(t.Context(), added[0].ID, store.InboxProcessed, "deal #1: changed notes", at); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkInbox(t.Context(), added[1].ID, store.InboxIgnored, "HubSpot record 9 is linked to no deal", at); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _ := runCLI(t, 0, "inbox", "--status", "applied")
	if !strings.Contains(out, "k-applied") || strings.Contains(out, "k-ignored") {
		t.Fatalf("--status applied:\n%s", out)
	}
	if strings.Contains(out, "processed") || !strings.Contains(out, " applied ") {
		t.Errorf("--status applied lists a row whose STATUS is not applied:\n%s", out)
	}
	all, _ := runCLI(t, 0, "inbox", "--all")
	for _, want := range []string{"applied", "ignored", "waiting"} {
		if !strings.Contains(all, " "+want+" ") {
			t.Errorf("--all does not show %s:\n%s", want, all)
		}
	}
	if strings.Contains(all, "processed") || strings.Contains(all, "received") {
		t.Errorf("--all shows the store's words:\n%s", all)
	}
	if out, _ := runCLI(t, 0, "inbox", "--status", "waiting"); !strings.Contains(out, "k-waiting") || strings.Contains(out, "k-applied") {
		t.Errorf("--status waiting:\n%s", out)
	}
}
