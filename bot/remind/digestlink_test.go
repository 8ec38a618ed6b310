package remind_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestDigestLinksToThePage: with the pipeline page set up, the daily digest
// ends with its address; without, it says nothing of it (TestDigest).
func TestDigestLinksToThePage(t *testing.T) {
	st := storetest.Open(t)
	ctx := t.Context()
	if err := st.Subscribe(ctx, ledger.Subscription{Place: sales, CreatedAt: t0}, entry(t0, "subscribed")); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateDeal(ctx, referral("Soon", "loc-1", t0.Add(-10*24*time.Hour)), entry(t0, "created")); err != nil {
		t.Fatal(err)
	}
	cfg := remind.DefaultConfig()
	cfg.PageURL = "https://cosellbot.example.com/"
	if _, err := remind.NewSweeper(st, cfg, nil).Run(ctx, t0); err != nil {
		t.Fatal(err)
	}
	n := &fakeNotifier{}
	drain(t, st, n, t0)
	var digest string
	for _, m := range n.messages() {
		if strings.HasPrefix(m.Text, "Daily digest") {
			digest = m.Text
		}
	}
	if !strings.HasSuffix(digest, "\nSee it all on the pipeline page: https://cosellbot.example.com/ (sign in with /cosell web)") {
		t.Errorf("the digest does not end with the page's address:\n%s", digest)
	}
}
