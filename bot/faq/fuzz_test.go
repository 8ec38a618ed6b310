package faq

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

// FuzzAsk checks that no input makes Ask panic or return an inconsistent
// Result.
func FuzzAsk(f *testing.F) {
	for _, s := range []string{
		"", " ", "?", "où trouver mon ID partenaire ?", "how long do we have to accept a referral",
		"vad krävs för avtalsregistrering", "l'", "qu'", "25 000 000,000.000 k", "72h72h72h",
		"\xff\xfe\xfd", "🙂🙃", "CPOR CPOR CPOR CPOR", strings.Repeat("avtalsregistrering", 50),
		"what is the difference vs versus compared", "-- ++ ~~ ^^ \"\" :: **",
		"försäljningsfaserna kontoret stänger", "ÅÄÖåäö éèêç œ",
		"what is cpor and who validates the claims", "c'est quoi le csa ? et la commission ?", "? ? and what", "vad är en privat affär? och en partnerledd affär?",
		// A story around the question, and dictation (story.go, dictation.go).
		"Hi, our deal with Brixton Legal is $25,000 and Dave from Contoso asks on June 30th if we can register it by Friday 2027. Thanks, Linnea",
		"so um c p o r co cell peer to peer p två p partner senter mack avtal s a deal i s v a b",
		"Émile Ørsted Ça Åsa É. Ö 30 th 1 er mars 12e € $ £ kr",
	} {
		f.Add(s)
	}
	ix := loadIndex(f)
	f.Fuzz(func(t *testing.T, q string) {
		r := ix.Ask(q)
		checkResult(t, ix, r)
		if r.Also != nil {
			if r.Part == "" || r.Also.Part == "" || r.Also.Also != nil || r.Also.Lang != r.Lang || (!r.Answered && !r.Also.Answered) {
				t.Fatalf("inconsistent halves %+v / %+v", r, *r.Also)
			}
			checkResult(t, ix, *r.Also)
		}
	})
}

// checkResult fails unless r is a consistent answer or refusal.
func checkResult(t *testing.T, ix *Index, r Result) {
	t.Helper()
	if r.Confidence < 0 || r.Confidence > 1 || r.Confidence != r.Confidence {
		t.Fatalf("confidence %v out of [0,1]", r.Confidence)
	}
	if !isLang(r.Lang) {
		t.Fatalf("language %q", r.Lang)
	}
	if r.SmallTalk != "" {
		// No question ("k", "thanks"): the reply is Answer, nothing else.
		if r.Answered || r.EntryID != "" || r.Answer == "" || len(r.Suggestions) != 0 || len(r.Related) != 0 {
			t.Fatalf("inconsistent small talk %+v", r)
		}
		return
	}
	if r.Answered {
		e, ok := ix.entries[r.EntryID]
		if !ok || r.Answer != withoutBareYesNo(e.Text[r.Lang].Answer) || r.Confidence < ix.threshold {
			t.Fatalf("inconsistent answer %+v", r)
		}
		if len(r.Suggestions) != 0 {
			t.Fatalf("suggestions with an answer: %+v", r)
		}
	} else if r.Answer != "" || r.EntryID != "" || len(r.Suggestions) > 3 || len(r.Related) != 0 || r.Confidence >= ix.threshold {
		t.Fatalf("inconsistent refusal %+v", r)
	}
	for _, s := range append(r.Suggestions, r.Related...) {
		if _, ok := ix.entries[s.EntryID]; !ok || s.Question == "" {
			t.Fatalf("bad suggestion %+v", s)
		}
	}
}

// FuzzFoldLower checks the ASCII fast path of folder and foldLower against
// bleve's folding itself: the same bytes for every input, valid UTF-8 or
// not.
func FuzzFoldLower(f *testing.F) {
	for _, s := range []string{"", "cpor", "CPOR?", "où trouver", "vad krävs", "\xff\xfe", "Æsir ŒUVRE ß", "a\x80b", "l’ID « co-sell » – ok…", "déjà 👍 ok", "\xef\xbf\xbd é", "é\xe2\x80"} {
		f.Add(s)
	}
	bleve := asciifolding.New()
	f.Fuzz(func(t *testing.T, s string) {
		want := bleve.Filter([]byte(s))
		if got := folder.Filter([]byte(s)); !bytes.Equal(got, want) {
			t.Fatalf("folder.Filter(%q) = %q, bleve's %q", s, got, want)
		}
		if got, want := foldLower(s), strings.ToLower(string(want)); got != want {
			t.Fatalf("foldLower(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestFoldLowerMatchesBleveOnTheTuningSet folds every tuning question
// both ways: the texts the table's fast path (folder) exists for.
func TestFoldLowerMatchesBleveOnTheTuningSet(t *testing.T) {
	t.Parallel()
	cases, err := LoadCaseFiles("testdata", TuningFiles...)
	if err != nil {
		t.Fatal(err)
	}
	bleve := asciifolding.New()
	for _, c := range cases {
		if got, want := folder.Filter([]byte(c.Question)), bleve.Filter([]byte(c.Question)); !bytes.Equal(got, want) {
			t.Errorf("folder.Filter(%q) = %q, bleve's %q", c.Question, got, want)
		}
	}
}

// FuzzHasWordSA checks neutral's guard before the lower-case "sa"
// patterns: it is regexp's \bsa\b, and text without it is text no pattern
// rewrites.
func FuzzHasWordSA(f *testing.F) {
	for _, s := range []string{"", "sa", "sa deal", "un sa", "sales usage", "vad star sa for", "_sa", "sa_", "1sa", "sa:n", "försa", "\xffsa\xff", "ssaa sa-dealen"} {
		f.Add(s)
	}
	word := regexp.MustCompile(`\bsa\b`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasWordSA(s), word.MatchString(s); got != want {
			t.Fatalf("hasWordSA(%q) = %v, \\bsa\\b %v", s, got, want)
		}
		if !hasWordSA(s) && lowerSA(s) != s {
			t.Fatalf("lowerSA(%q) = %q without a word sa", s, lowerSA(s))
		}
	})
}
