package change

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// A referral is news as it arrives, whoever recorded it (chat, Partner
// Center, a CRM): with its answers, and numbered by the store, which gives
// the deal its id in the same transaction. One recorded from a system that
// had answered or closed it already is not.
func TestNewsOfAnArrival(t *testing.T) {
	expires := time.Date(2026, 12, 13, 8, 19, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		status deal.Status
		id     int64
		from   string
		want   string // "" : no news
		accept string
	}{
		{"new, from Microsoft", deal.Received, 0, "microsoft", `📥 New referral #{id} "Teams" for Fabrikam AB (services co-sell, location 1234567) from Microsoft: accept or decline it by 2026-12-13 08:19 UTC, or it expires.`, "deal accept {id}"},
		{"stored, from a partner", deal.Received, 7, "partner:Litware", `📥 New referral #7 "Teams" for Fabrikam AB (services co-sell, location 1234567) from partner Litware: accept or decline it by 2026-12-13 08:19 UTC, or it expires.`, "deal accept 7"},
		{"imported accepted", deal.Accepted, 0, "microsoft", "", ""},
		{"imported expired", deal.Expired, 0, "microsoft", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &deal.Deal{ID: tt.id, Name: "Teams", Kind: deal.ServicesCoSell, Status: tt.status, From: tt.from, ExpiresAt: expires,
				Location: "1234567", Customer: deal.Customer{Name: "Fabrikam AB"}}
			got := News(d, deal.Event{Action: "received", Detail: "received …"}, "partnercenter")
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("News = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Text != tt.want || got[0].Kind != KindReceived {
				t.Fatalf("News = %+v\nwant %q", got, tt.want)
			}
			if wantSubject := map[bool]string{true: "", false: "deal:7"}[tt.id == 0]; got[0].Subject != wantSubject {
				t.Errorf("subject %q, want %q (the store's for a deal it has not numbered)", got[0].Subject, wantSubject)
			}
			if a := got[0].Actions; len(a) != 3 || a[0].Command != tt.accept || !strings.HasPrefix(a[1].Command, "deal decline ") {
				t.Errorf("actions %+v, want Accept (%s), Decline, Snooze", a, tt.accept)
			}
		})
	}
}

// A referral whose sender moved its expiry is news, with its answers:
// the channels were told the old date.
func TestNewsOfAnExpiryMove(t *testing.T) {
	d := &deal.Deal{ID: 7, Name: "Teams", Kind: deal.ServicesCoSell, Status: deal.Received, From: "microsoft",
		Location: "1234567", Customer: deal.Customer{Name: "Fabrikam AB"}}
	got := News(d, deal.Event{Action: "expiry_moved", Detail: "expiry moved from 2026-12-02 00:00 UTC to 2026-12-09 00:00 UTC by Partner Center"}, PartnerCenter)
	want := `⏳ Referral #7 "Teams" for Fabrikam AB (services co-sell, location 1234567) from Microsoft: expiry moved from 2026-12-02 00:00 UTC to 2026-12-09 00:00 UTC by Partner Center.`
	if len(got) != 1 || got[0].Text != want || got[0].Kind != KindExpiryMoved {
		t.Fatalf("News = %+v\nwant %q", got, want)
	}
	if a := got[0].Actions; len(a) != 3 || a[0].Command != "deal accept 7" {
		t.Errorf("actions %+v, want Accept, Decline, Snooze", a)
	}
}
