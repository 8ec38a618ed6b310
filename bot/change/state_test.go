package change

import (
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// The state line names the deal's state as cards print it: the stage's
// label of a deal being worked, the status's label otherwise.
func TestStateNoticeSaysLabels(t *testing.T) {
	e := ledger.Entry{At: t0, Actor: "ana@contoso.com", Action: "stage", Detail: "moved"}
	for _, tt := range []struct {
		d    deal.Deal
		want string
	}{
		{deal.Deal{ID: 1, Kind: deal.IPCoSell, Status: deal.Accepted, Stage: deal.StageAccepted}, "Now: Accepted (10%)."},
		{deal.Deal{ID: 1, Kind: deal.IPCoSell, Status: deal.Accepted, Stage: deal.StageQualified}, "Now: Qualified (20%)."},
		{deal.Deal{ID: 1, Kind: deal.IPCoSell, Status: deal.Error}, "Now: Closed as error."},
		{deal.Deal{ID: 1, Kind: deal.IPCoSell, Status: deal.Won, Stage: deal.StageWon}, "Now: Won."},
	} {
		if got := StateNotice(&tt.d, e).Text; !strings.HasSuffix(got, tt.want) {
			t.Errorf("%s/%s: %q, want it to end %q", tt.d.Status, tt.d.Stage, got, tt.want)
		}
	}
}
