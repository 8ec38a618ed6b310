package faq

import "testing"

// TestAskIsDeterministic asks every tuning question several times: the same
// answer with the same confidence to the last bit, or an answer near the
// threshold could change from one asking to the next. (A sum in a map's
// order differed in its last bit for about one question in a thousand.)
func TestAskIsDeterministic(t *testing.T) {
	t.Parallel()
	ix := loadIndex(t)
	cases := loadCases(t, "testdata/tuning.yaml")
	for _, c := range cases {
		a := ix.Ask(c.Question)
		for range 3 {
			if b := ix.Ask(c.Question); a.EntryID != b.EntryID || a.Confidence != b.Confidence || a.Lang != b.Lang {
				t.Fatalf("%q: %s %v (%s), then %s %v (%s)", c.Question, a.EntryID, a.Confidence, a.Lang, b.EntryID, b.Confidence, b.Lang)
			}
		}
	}
}
