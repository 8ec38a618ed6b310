package change

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// A referral Partner Center declined or expired says so in its history,
// not cosellbot's own "expired unanswered" nor "written back to Partner
// Center" (it came from there, maybe a minute after it was received).
func TestOutcomeFromPartnerCenterIsSaidAsSuch(t *testing.T) {
	for _, tt := range []struct {
		v    Values
		want string
	}{
		{Values{Status: string(deal.Expired)}, "expired in Partner Center, unanswered"},
		{Values{Status: string(deal.Declined), Reason: "Customer already has a partner"}, "declined in Partner Center: Customer already has a partner"},
	} {
		d, _, err := deal.Receive(deal.Draft{Kind: deal.IPCoSell, Customer: deal.Customer{Name: "Contoso", Location: "SE", Account: deal.Managed}, Location: "1234567", From: "microsoft", Notes: "n"}, t0)
		d.ExternalID = "ref-1"
		if err != nil {
			t.Fatal(err)
		}
		evs, err := Advance(d, tt.v, PartnerCenter, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Detail != tt.want || strings.Contains(evs[0].Detail, "written back") {
			t.Errorf("%v: events %+v, want %q", tt.v, evs, tt.want)
		}
	}
}
