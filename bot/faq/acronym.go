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

// definesAny reports whether the entry's answer spells out one of terms.
func (d *entryDoc) definesAny(terms []string) bool {
	for _, t := range terms {
		if d.defines[t] {
			return true
		}
	}
	return false
}
