package faq

import "testing"

func TestKnows(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"?", false},
		{"", false},
		{"quick q", false},
		{"lol", false},
		{"asdfgh", false},
		{"hmm ???", false},
		{"what's the csa commission for azure", true},
		{"how much does an azure vm cost per month", true},
		{"hur vet jag vilket id vi har", true},
		{"où trouver mon ID partenaire", true},
		{"refferal?", true},                  // misspelt, as Ask reads it
		{"avtalsregistreringsminimum", true}, // a Swedish compound of known words
	} {
		if got := ix.Knows(tc.q); got != tc.want {
			t.Errorf("Knows(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestQuestion(t *testing.T) {
	ix := loadIndex(t)
	if q, ok := ix.Question("partner-id-where", FR); !ok || q == "" {
		t.Errorf("Question(partner-id-where, fr) = %q, %v", q, ok)
	}
	if _, ok := ix.Question("nosuch", EN); ok {
		t.Error("Question of an entry the index does not hold")
	}
}

// Others ranks as Ask does: the entries after the one excepted.
func TestOthers(t *testing.T) {
	ix := loadIndex(t)
	const q = "where do i find my partner id"
	r := ix.Ask(q)
	if !r.Answered {
		t.Fatalf("%q is not answered", q)
	}
	others := ix.Others(q, r.EntryID, FR, 2)
	if len(others) != 2 || others[0].EntryID == r.EntryID || others[1].EntryID == r.EntryID || others[0].Question != ix.entries[others[0].EntryID].Text[FR].Question {
		t.Errorf("Others(%q, %s) = %+v", q, r.EntryID, others)
	}
	if all := ix.Others(q, "", EN, 1); len(all) != 1 || all[0].EntryID != r.EntryID {
		t.Errorf("Others excepting none = %+v, want the answer first", all)
	}
}
