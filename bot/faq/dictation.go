package faq

import (
	"regexp"
	"strings"
)

// Dictation. A partner who speaks the question into a phone gets what the
// speech-to-text heard: "co cell" for co-sell, "see por" or "c p o r" for
// CPOR, "peer to peer" or "p två p" for P2P, "partner senter" for Partner
// Center, "mack avtal" or "accord mac" for a MACC agreement, acronyms spelt letter by
// letter ("c s p", "m p n", "s a deal"). None of those is a word of the
// knowledge base, so the question's topic was unknown and the right entry
// refused (session 32's dev15 and tuning-chat13, dictated by persona).
// heard rewrites them to the documents' form on folded lower-case text,
// before the names are folded into their acronyms; the knowledge base's
// own texts never hold them.

// misheard are the mishearings and the words they stand for, each tried
// only when the text holds its hint.
var misheard = []acronym{
	{[]string{"cell", "cele", "kasell", "kosell"}, regexp.MustCompile(`\bco[- ]?(?:cell|cele)(ing)?\b|\bk[ao]sell\b`), "co-sell"},
	{[]string{"por"}, regexp.MustCompile(`\b(?:see|si|c|c-) ?por\b`), "cpor"},
	{[]string{"peer"}, regexp.MustCompile(`\bpeer[- ]to[- ]peer\b`), "p2p"},
	{[]string{"p two p", "p tva p", "p deux p", "p 2 p"}, regexp.MustCompile(`\bp (?:two|tva|deux|2) p\b`), "p2p"},
	{[]string{"centre", "senter", "partenaire center", "partenaires center"}, regexp.MustCompile(`\bpartner (?:centre|senter)\b|\bpartenaires? cent(?:er|re)\b`), "partner center"},
	{[]string{"mack"}, regexp.MustCompile(`\bmack\b`), "macc"},
	{[]string{"mac "}, regexp.MustCompile(`\bmac (avtal|agreement|commitment)\b`), "macc $1"},
	{[]string{"accord mac"}, regexp.MustCompile(`\baccord mac\b`), "accord macc"},
	{[]string{"d 365"}, regexp.MustCompile(`\bd 365\b`), "d365"},
}

// spelt finds two to five single letters in a row, as dictation spells an
// acronym out.
var spelt = regexp.MustCompile(`\b[a-z](?: [a-z]){1,4}\b`)

// speltAcronyms are the acronyms the documents use that a run of spelt
// letters may stand for: any other run ("il y a", "i a") stays as typed.
var speltAcronyms = map[string]bool{
	"cpor": true, "csa": true, "csp": true, "crm": true, "pga": true, "mpn": true, "ip": true, "isv": true,
	"mcem": true, "sa": true, "pc": true, "macc": true, "loe": true, "pid": true, "duns": true, "msp": true,
	"mci": true, "mcpp": true,
}

// heard rewrites folded text f's mishearings and spelt acronyms.
func heard(f string) string {
	for _, m := range misheard {
		if m.hinted(f) {
			f = m.re.ReplaceAllString(f, m.abbr)
		}
	}
	if !strings.Contains(f, " ") {
		return f
	}
	return spelt.ReplaceAllStringFunc(f, func(run string) string {
		// The run may begin with a one-letter word ("a s a deal", "i c s
		// p"): the acronym is its longest tail the documents use.
		ls := strings.Fields(run)
		for i := 0; i+1 < len(ls); i++ {
			if j := strings.Join(ls[i:], ""); speltAcronyms[j] {
				return strings.Join(append(ls[:i:i], j), " ")
			}
		}
		return run
	})
}
