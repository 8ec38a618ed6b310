package ledger

import (
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Claim news reaches only subscriptions made for it; deal news never
// reaches those; everything else matches by location and kind.
func TestSubscriptionMatches(t *testing.T) {
	tests := []struct {
		name string
		sub  Subscription
		loc  string
		kind deal.Kind
		want bool
	}{
		{"an unfiltered subscription takes deal news", Subscription{}, "1234567", deal.IPCoSell, true},
		{"an unfiltered subscription takes no claim news", Subscription{}, "cpor", ClaimNews, false},
		{"a location subscription takes no claim news", Subscription{Location: "1234567"}, "cpor", ClaimNews, false},
		{"a claim subscription takes claim news", Subscription{DealKind: ClaimNews}, "cpor", ClaimNews, true},
		{"a claim subscription takes no deal news", Subscription{DealKind: ClaimNews}, "1234567", deal.IPCoSell, false},
		{"a kind subscription takes its kind", Subscription{DealKind: deal.IPCoSell}, "1234567", deal.IPCoSell, true},
		{"another location", Subscription{Location: "7654321"}, "1234567", deal.IPCoSell, false},
	}
	for _, tt := range tests {
		if got := tt.sub.Matches(tt.loc, tt.kind); got != tt.want {
			t.Errorf("%s: Matches = %v", tt.name, got)
		}
	}
}
