package faq

import (
	"slices"
	"testing"
)

// TestNames: the knowledge base's names are its capitalised runs without
// the sentence starts and function words around them, and a question
// names one in any case and language.
func TestNames(t *testing.T) {
	es, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ni := newNameIndex(es)
	for _, want := range []string{"ai cloud partner program", "solutions partner", "isv success", "partner id"} {
		if !slices.Contains(ni.names, want) {
			t.Errorf("names lack %q", want)
		}
	}
	// "partner center" is where everything happens (ambientNames).
	for _, not := range []string{"can i", "do i", "does microsoft", "microsoft ai cloud partner program", "partner center"} {
		if slices.Contains(ni.names, not) {
			t.Errorf("names hold %q, which is no name", not)
		}
	}
	tests := []struct {
		q, entry string
		misses   bool
	}{
		{"how much is the annual fee for the AI Cloud Partner Program", "crm-program-fee", true},
		{"combien coute l'adhesion annuelle au ai cloud partner program", "crm-program-fee", true},
		{"what is the solutions partner annual fee", "crm-program-fee", true},
		{"how much does the crm competency cost", "crm-program-fee", false}, // names nothing
		{"how do we join the ai cloud partner program", "cloud-partner-program-join", false},
		{"what percentage does partner center show for the negotiated stage", "sales-stages", false},
	}
	for _, tt := range tests {
		if got := ni.misses(tt.entry, ni.asked(tt.q)); got != tt.misses {
			t.Errorf("misses(%s, %q) = %v, want %v", tt.entry, tt.q, got, tt.misses)
		}
	}
}

// TestAskingPart: a message telling its case names what the case is
// about; the names a figure question asks of are its question sentences'.
func TestAskingPart(t *testing.T) {
	tests := []struct{ n, want string }{
		{"we added the dynamics crm competency. do we pay the annual fee again?", "do we pay the annual fee again?"},
		{"how much is the annual fee for the ai cloud partner program", "how much is the annual fee for the ai cloud partner program"},
		{"we're on the ai cloud partner program, what's the fee?", "we're on the ai cloud partner program, what's the fee?"},
		{"contoso again. what's the fee? and is it yearly?", "what's the fee? and is it yearly?"},
	}
	for _, tt := range tests {
		if got := askingPart(tt.n); got != tt.want {
			t.Errorf("askingPart(%q) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestStoryNames: a question sentence naming nothing asks about what the
// rest of its message names; one naming its own subject carries nothing.
func TestStoryNames(t *testing.T) {
	es, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ni := newNameIndex(es)
	tests := []struct{ rest, q, want string }{
		{"We just joined the AI Cloud Partner Program. ", "How much is the yearly fee?", "ai cloud partner program"},
		{"Vi har ISV Success och Solutions Partner. ", "Vad kostar det?", "isv success solutions partner"},
		{"We just joined the AI Cloud Partner Program. ", "What is the Solutions Partner fee?", ""},
		{"We closed Contoso in May. ", "How much is the yearly fee?", ""},
	}
	for _, tt := range tests {
		if got := ni.storyNames(tt.rest, tt.q); got != tt.want {
			t.Errorf("storyNames(%q, %q) = %q, want %q", tt.rest, tt.q, got, tt.want)
		}
	}
	var none *nameIndex
	if got := none.storyNames("AI Cloud Partner Program", "fee?"); got != "" {
		t.Errorf("nil index: storyNames = %q, want none", got)
	}
}

// TestAskSentenceStoryNames: a message refused whole whose question
// sentence asks a fee of the program its story names is refused when no
// entry states that program's fee, in every language; asked alone, the
// sentence got the legacy CRM competency's fee at 0.99.
//
// Read whole, the messages are refused by the names their story tells
// (demands.told, TestToldNames), not by the learned ranker's leaning: in
// session 72 any English phrasing added to close-as-error retrained the
// ranker into answering the French one whole with the CRM fee (0.11 ->
// 0.57).
func TestAskSentenceStoryNames(t *testing.T) {
	ix := loadIndex(t)
	refuseAll(t, ix, "no entry states the fee of the program the story names",
		"We just joined the AI Cloud Partner Program. How much is the yearly fee?",
		"Nous venons de rejoindre le AI Cloud Partner Program. Combien coûte la cotisation annuelle ?",
		"Vi gick precis med i AI Cloud Partner Program. Vad kostar årsavgiften?")
	// The story's names are carried only to a sentence naming nothing: the
	// fee's own question, its program named, still gets the fee.
	askCase(t, ix, "We already hold a competency and now add the Dynamics CRM one. Do we still have to pay the annual partner programme fee?", "crm-program-fee", EN)
}

// TestAskStoryNames: a name in the story around a fee question does not
// refuse the fee's entry; a name in the question itself still does.
func TestAskStoryNames(t *testing.T) {
	ix := loadIndex(t)
	// Read whole, not only by its question sentence (sentences.go).
	for _, q := range []string{
		"We got the Dynamics CRM competency last month on top of our Azure one. Do we have to pay the yearly partner program fee again?",
		"We resell Dynamics CRM licences and heard about CSA. What is this CSA thing, and how much does it pay?",
	} {
		if r, _ := ix.ask(q, nil); !r.Answered {
			t.Errorf("ask(%q) whole: refused (confidence %.2f), want it answered", q, r.Confidence)
		}
	}
	refuseAll(t, ix, "no entry states that program's fee", "how much is the annual fee for the AI Cloud Partner Program", "We are new partners. How much is the annual fee for the AI Cloud Partner Program?")
}

// TestToldNames: read whole, a fee question whose sentence names nothing
// asks the fee of what its story names, which the fee's entry and its
// related entries must name; a sentence naming its subject, or an acronym,
// is read by its own names.
func TestToldNames(t *testing.T) {
	ix := loadIndex(t)
	tests := []struct {
		lang        Lang
		q           string
		told        bool // the story's names are demanded
		feeMisnamed bool // crm-program-fee is refused as misnamed
	}{
		{EN, "We just joined the AI Cloud Partner Program. How much is the yearly fee?", true, true},
		{FR, "Nous venons de rejoindre le AI Cloud Partner Program. Combien coûte la cotisation annuelle ?", true, true},
		{SV, "Vi gick precis med i AI Cloud Partner Program. Vad kostar årsavgiften?", true, true},
		// The fee entry says "CRM competency"; its related competency
		// entry names Dynamics CRM.
		{EN, "We already hold a competency and now add the Dynamics CRM one. Do we still have to pay the annual partner programme fee?", true, false},
		{EN, "We got the Dynamics CRM competency last month on top of our Azure one. Do we have to pay the yearly partner program fee again?", false, false},
		{EN, "We resell Dynamics CRM licences and heard about CSA. What is this CSA thing, and how much does it pay?", false, false},
		{EN, "How much is the yearly fee?", false, false},
		{EN, "We just joined the AI Cloud Partner Program. Where do I find my partner ID?", false, false},
	}
	for _, tt := range tests {
		li := ix.langs[tt.lang]
		n := neutral(tt.q)
		tr := traitsOf(n)
		a := li.analyse(n, true)
		pq, _ := li.query(a, 0)
		dm := li.demandsOf(n, pq, tr)
		if got := len(dm.told) > 0; got != tt.told {
			t.Errorf("%s %q: story names demanded %v (%v), want %v", tt.lang, tt.q, got, dm.told, tt.told)
		}
		var fee *candidate
		for _, c := range li.candidates(n, a, tr, tt.lang, 0) {
			if c.id == "crm-program-fee" {
				fee = &c
			}
		}
		if fee == nil {
			if tt.feeMisnamed {
				t.Errorf("%s %q: crm-program-fee is no candidate", tt.lang, tt.q)
			}
			continue
		}
		if fee.misnamed != tt.feeMisnamed {
			t.Errorf("%s %q: crm-program-fee misnamed %v, want %v", tt.lang, tt.q, fee.misnamed, tt.feeMisnamed)
		}
	}
}
