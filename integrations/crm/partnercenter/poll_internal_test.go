package partnercenter

import (
	"reflect"
	"testing"
)

// The poll's state is JSON in the cursor's Next; anything else there (the
// next link an older cosellbot kept, which referrals changed since have
// shifted) starts the listing again from the cursor's time.
func TestReadPollState(t *testing.T) {
	cases := []struct {
		next string
		want pollState
	}{
		{"", pollState{}},
		{"https://api.partner.microsoft.com/v1.0/engagements/referrals?$skip=100", pollState{}},
		{"{not json", pollState{}},
		{`{"ties":["a","b"],"walking":true,"held":["c"]}`, pollState{Ties: []string{"a", "b"}, Walking: true, Held: []string{"c"}}},
	}
	for _, tc := range cases {
		if got := readPollState(tc.next); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("readPollState(%q) = %+v, want %+v", tc.next, got, tc.want)
		}
		if tc.want.String() != "" {
			if back := readPollState(tc.want.String()); !reflect.DeepEqual(back, tc.want) {
				t.Errorf("%+v read back as %+v", tc.want, back)
			}
		}
	}
	if s := (pollState{}).String(); s != "" {
		t.Errorf("the empty state is kept as %q, want nothing", s)
	}
}
