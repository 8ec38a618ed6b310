package faq

import (
	"math/bits"
	"slices"
	"strings"
	"testing"
)

// TestPhraseHitsMatchPhraseF scores every phrasing that a question meets
// both ways, by its hits (features' way) and by scanning its terms
// (phraseF, as calibration's masking does), over the hold-out's questions
// and a tuning file's paragraphs in every language: the
// F-measure, the precision and the credits must be the same to the last
// bit, or the learned weights would no longer fit the features.
func TestPhraseHitsMatchPhraseF(t *testing.T) {
	ix := loadIndex(t)
	cases := loadCases(t, "testdata/holdout.yaml")
	for _, c := range loadCases(t, "testdata/tuning-chat13.yaml") {
		if len(strings.Fields(c.Question)) >= 20 {
			cases = append(cases, c)
		}
	}
	var phrasings, twoOrMore int
	for _, c := range cases {
		n := neutral(ix.read(c.Question))
		for _, l := range Langs {
			li := ix.langs[l]
			pq := li.parseAnalysed(li.analyse(n, true))
			if len(pq.groups) == 0 {
				continue
			}
			qt := li.expand(pq)
			if len(qt.terms) == 0 {
				continue
			}
			var cs [2]credits
			qt.creditsInto(cs[:])
			byHits, byScan := &cs[0], &cs[1]
			var hits []uint64
			for _, d := range li.shortlist(qt) {
				doc := &li.docs[d]
				hits = doc.hits(qt, hits)
				for i, hit := range hits {
					meets := slices.ContainsFunc(doc.phrasings[i], qt.has)
					if (hit != 0) != meets {
						t.Fatalf("%q, %s, entry %s phrasing %d: hits %b, meets %v", c.Question, l, li.ids[d], i, hit, meets)
					}
					if hit == 0 {
						continue
					}
					phrasings++
					if bits.OnesCount64(hit) >= 2 {
						twoOrMore++
					}
					f1, p1 := li.phraseHits(qt, byHits, doc, i, hit)
					f2, p2 := li.phraseF(qt, byScan, doc, i)
					if f1 != f2 || p1 != p2 || byHits.on != byScan.on || !slices.Equal(byHits.main, byScan.main) || !slices.Equal(byHits.parts, byScan.parts) {
						t.Fatalf("%q, %s, entry %s phrasing %d (hits %b): F %v, precision %v by hits; %v, %v by scan", c.Question, l, li.ids[d], i, hit, f1, p1, f2, p2)
					}
				}
			}
		}
	}
	if twoOrMore == 0 {
		t.Fatalf("none of %d phrasings met two terms: the test compares nothing but single terms", phrasings)
	}
	t.Logf("%d phrasings met, %d of them in two terms or more", phrasings, twoOrMore)
}
