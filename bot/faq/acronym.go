package faq

import (
	"regexp"
	"slices"
	"strings"
)

// "What does PGA stand for?" asks for the entry that spells the acronym out,
// not for any entry that mentions it. The knowledge base's answers spell
// acronyms out in two ways: "partner global account (PGA)", and the names
// the acronyms table of query.go folds ("claiming partner of record"). An
// entry whose answer does either defines the acronym; a definition question
// (intent qqdef) about it prefers that entry (feature fDefines).

// parenAcronym finds "(PGA)", "(CSP)", "(DUNS)": two to six letters or
// digits, at least two of them capitals, alone or last in the brackets
// ("(solution assessment, SA)", as the Swedish and French answers give the
// English name beside their own).
var parenAcronym = regexp.MustCompile(`\((?:[^()]*,\s*)?([A-Za-z0-9]{2,6})\)`)

// spelledOut lists the acronyms answer spells out, lower case, once each.
func spelledOut(answer string) []string {
	var out []string
	add := func(a string) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, m := range parenAcronym.FindAllStringSubmatch(answer, -1) {
		caps := 0
		for _, r := range m[1] {
			if r >= 'A' && r <= 'Z' {
				caps++
			}
		}
		if caps >= 2 {
			add(strings.ToLower(m[1]))
		}
	}
	f := foldLower(normalize(answer))
	for _, a := range acronyms {
		if len(a.abbr) > 1 && a.abbr != "microsoft" && a.abbr != "cosell" && a.hinted(f) && a.re.MatchString(f) {
			add(a.abbr)
		}
	}
	return out
}

// expansionQuestion matches a question asking what an acronym stands for,
// in any of the three languages (folded text): "what does MCI stand for",
// "c'est l'abréviation de quoi", "vad står MCI för". An answer that does not
// spell the acronym out does not answer it, however well the rest matches.
// Swedish asks it with "vad står", never "var står" (where is it written):
// "var star content guidelines for business profiles" was refused at 0.99
// as a definition its entry does not give (session 32).
var expansionQuestion = newPrefilter(`\bstands? for\b|\bshort for\b|\babbreviat|\bacronym|\babreviation\b|\bforkortning|\bakronym|\bvad? star \S+( \S+)? for\b|\bstar for vad\b`)

// capsWord is a word written as an acronym: two to six capitals or digits,
// starting with a capital ("MCI", "P2P", "ISV").
var capsWord = regexp.MustCompile(`\b[A-Z][A-Z0-9]{1,5}\b`)

// writtenAcronyms returns the terms of the acronyms entries' texts in li's
// language write in capitals.
func (li *langIndex) writtenAcronyms(entries []Entry) map[string]bool {
	seen := map[string]bool{}
	out := map[string]bool{}
	for _, e := range entries {
		t := e.Text[li.lang]
		for _, s := range append([]string{t.Question, t.Answer}, t.Alternates...) {
			for _, w := range capsWord.FindAllString(s, -1) {
				if seen[w] {
					continue
				}
				seen[w] = true
				for _, term := range li.terms(strings.ToLower(w)) {
					out[term] = true
				}
			}
		}
	}
	return out
}

// namesAcronym reports whether pq names something a stand-for question can
// be about: an acronym the knowledge base writes or spells out, or a word it
// does not know (an acronym it never writes). "What % does each sales stage
// stand for", "vad står de för" (the tabs) and "so many acronyms lol" name
// none: they ask what a thing means or say the word acronym, and are
// answered as any question is, not refused for want of a spelled-out name.
func (li *langIndex) namesAcronym(pq parsedQuery) bool {
	for _, g := range pq.groups {
		if li.acronyms[g.main] || li.df(g.main) == 0 && len(g.parts) == 0 && pq.typos[g.main] == nil {
			return true
		}
	}
	return false
}

// definesAny reports whether the entry's answer spells out one of terms.
func (d *entryDoc) definesAny(terms []string) bool {
	for _, t := range terms {
		if d.defines[t] {
			return true
		}
	}
	return false
}
