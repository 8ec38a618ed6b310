package partnercenter

import (
	"reflect"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
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

// The cursor two polls saved at once keeps the failures of both, and the
// further position of the two, with the ties of both at the same one.
func TestMergedCursor(t *testing.T) {
	t1 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Minute)
	mine := pollState{Ties: []string{"b", "c"}, Walking: true, Held: []string{"x", "y"}}
	cases := []struct {
		name   string
		other  change.Cursor
		at     time.Time
		wantAt time.Time
		want   pollState
	}{
		{"the other got further", change.Cursor{At: t2, Next: `{"ties":["z"],"held":["y","w"]}`}, t1,
			t2, pollState{Ties: []string{"z"}, Held: []string{"x", "y", "w"}}},
		{"this poll got further", change.Cursor{At: t1, Next: `{"ties":["z"],"walking":true,"held":["w"]}`}, t2,
			t2, pollState{Ties: []string{"b", "c"}, Walking: true, Held: []string{"x", "y", "w"}}},
		{"as far", change.Cursor{At: t1, Next: `{"ties":["a","c"],"walking":true}`}, t1,
			t1, pollState{Ties: []string{"a", "b", "c"}, Walking: true, Held: []string{"x", "y"}}},
		{"as far, the other's listing ended", change.Cursor{At: t1, Next: `{"ties":["c"]}`}, t1,
			t1, pollState{Ties: []string{"b", "c"}, Held: []string{"x", "y"}}},
		{"an older cosellbot's next link", change.Cursor{At: t1, Next: "https://api.partner.microsoft.com/v1.0/engagements/referrals?$skip=100"}, t2,
			t2, mine},
	}
	for _, tc := range cases {
		at, got := merged(tc.other, tc.at, mine)
		if !at.Equal(tc.wantAt) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: merged at %s, %+v; want %s, %+v", tc.name, at, got, tc.wantAt, tc.want)
		}
	}
}
