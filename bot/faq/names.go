package faq

import (
	"regexp"
	"slices"
	"strings"
)

// Names. A near miss asks the price, rate or figure of something the
// knowledge base names but gives no such figure for ("the annual fee of
// the AI Cloud Partner Program", "the Solutions Partner fee"), and the
// entry that does state a fee (the legacy CRM competency's, 1,560 EUR)
// covers every word of it: "annual", "fee", "partner", "program" and
// "solutions" all occur there, so a tester got that fee at 0.88-0.95. What
// tells them apart is the name: a cost, amount or count question naming a
// program, designation or product the entry never mentions is not about
// that entry, and is refused with the closest topics, as a question
// asking what an acronym stands for is when the answer does not say
// (acronym.go). Names are the knowledge base's own: runs of two or more
// capitalised words in its English texts ("Solutions Partner", "AI Cloud
// Partner Program", "ISV Success"), without the sentence starts, function
// words and "Microsoft" around them, which partners drop; a question names
// one when its folded words contain it, in any language, since partners
// keep the English names in French and Swedish.
//
// Tried in session 19 and not kept, as a learned feature instead of a
// gate (fNameMiss, refitted): the tuning set holds too few such questions
// for the fit to weigh it (-0.17), so the fees stayed answered; with the
// tester's fees paraphrased as out-of-scope tuning questions they were
// refused, but the refit also answered a two-part Swedish question's half
// wrongly and refused one hold-out near miss fewer.

// nameRun matches a run of capitalised words (an acronym counts).
var nameRun = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*(?:[ -][A-Z][A-Za-z0-9]*)+\b`)

// nameEdge are words a run may start or end with that are not part of
// the name, beside the function words.
var nameEdge = map[string]bool{"microsoft": true, "yes": true, "no": true, "only": true, "every": true, "other": true, "select": true, "open": true, "use": true, "go": true}

// ambientNames are names of the place everything happens, not of a
// program or product a question asks the figure of: a partner telling
// their case says where they saw it ("quelle probabilité ça représente
// dans Partner Center ? C'est quoi le pourcentage pour cette étape"), and
// the sales stages' entry, which never names Partner Center, was refused
// at 0.99 (session 32: 7 of tuning-chat13's 43 long messages refused left
// one out were refused so).
var ambientNames = map[string]bool{"partner center": true}

func notName(w string) bool {
	return nameEdge[w] || ambiguousWords[w] || slices.Contains(functionWords[EN], w)
}

// nameIndex holds the knowledge base's names and which entries mention
// each.
type nameIndex struct {
	names    []string            // folded, space-separated words
	mentions map[string][]bool   // entry ID → per name
	related  map[string][]string // entry ID → its related entries' IDs
}

func newNameIndex(entries []Entry) *nameIndex {
	ni := &nameIndex{mentions: map[string][]bool{}, related: map[string][]string{}}
	seen := map[string]bool{}
	for _, e := range entries {
		t := e.Text[EN]
		for _, s := range append([]string{t.Question, t.Answer}, t.Alternates...) {
			for _, run := range nameRun.FindAllString(s, -1) {
				ws := words(foldLower(run))
				for len(ws) > 0 && notName(ws[0]) {
					ws = ws[1:]
				}
				for len(ws) > 0 && notName(ws[len(ws)-1]) {
					ws = ws[:len(ws)-1]
				}
				if n := strings.Join(ws, " "); len(ws) >= 2 && !seen[n] && !ambientNames[n] {
					seen[n] = true
					ni.names = append(ni.names, n)
				}
			}
		}
	}
	slices.Sort(ni.names)
	for _, e := range entries {
		var texts []string
		for _, l := range Langs {
			t := e.Text[l]
			texts = append(texts, t.Question, t.Answer)
			texts = append(texts, t.Alternates...)
		}
		all := wordString(strings.Join(texts, "\n"))
		m := make([]bool, len(ni.names))
		for i, n := range ni.names {
			m[i] = strings.Contains(all, " "+n+" ")
		}
		ni.mentions[e.ID] = m
		ni.related[e.ID] = e.Related
	}
	return ni
}

// wordString is s's folded words between single spaces, with a space at
// either end, so that a name is found as whole words.
func wordString(s string) string {
	return " " + strings.Join(words(foldLower(s)), " ") + " "
}

// askingPart is the part of neutral text n whose names a figure question
// is about: its question sentences when it has other sentences too, the
// whole of it otherwise. A message telling its case names what the case
// is about ("we already hold a competency and now add the Dynamics CRM
// one. Do we still have to pay the annual partner programme fee?"), and
// the fee's entry, which never names Dynamics CRM, was refused at 1.00:
// eight such long messages in the tuning set (a Belgian profile's
// "partner ID", an "Azure IP co-sell" deal's story, "Modern Work" in a
// forwarded note) were refused with the right entry first.
func askingPart(n string) string {
	if qs := questionSentences(n); qs != nil {
		return strings.Join(qs, " ")
	}
	return n
}

// storyNames are the names (folded, space-separated) that the rest of a
// message names when its question sentence q names none: the subject the
// sentence asks about by reference. "How much is the yearly fee?" after
// "We just joined the AI Cloud Partner Program." asks that program's fee;
// asked alone (its message refused whole, sentences.go) it got the legacy
// CRM competency's fee at 0.99. Carried with the sentence, the name keeps
// the names gate on. A sentence naming its own subject ("the Dynamics CRM
// competency's fee?") carries nothing: the story is then only a story.
// Measured in session 52 on every evaluation set: no answer changed.
func (ni *nameIndex) storyNames(rest, q string) string {
	if ni == nil || len(ni.asked(q)) > 0 {
		return ""
	}
	var out []string
	for _, i := range ni.outer(ni.asked(rest)) {
		out = append(out, ni.names[i])
	}
	return strings.Join(out, " ")
}

// outer is found without the names inside a longer one found ("partner
// program" in "ai cloud partner program"), which are carried with it.
func (ni *nameIndex) outer(found []int) []int {
	var out []int
	for _, i := range found {
		inside := slices.ContainsFunc(found, func(j int) bool {
			return j != i && strings.Contains(" "+ni.names[j]+" ", " "+ni.names[i]+" ")
		})
		if !inside {
			out = append(out, i)
		}
	}
	return out
}

// missesNear is whether neither entry id nor any of its related entries
// mentions one of names: a message's story names what its case is about
// ("we now hold the Dynamics CRM competency too"), which the answer's
// neighbourhood, not always the answer, names (the fee's entry says "the
// CRM competency"; its related competency entry, Dynamics CRM).
func (ni *nameIndex) missesNear(id string, names []int) bool {
	for _, i := range names {
		near := ni.mentions[id] != nil && ni.mentions[id][i]
		for _, r := range ni.related[id] {
			near = near || ni.mentions[r] != nil && ni.mentions[r][i]
		}
		if !near {
			return true
		}
	}
	return false
}

// asked lists the names question q contains.
func (ni *nameIndex) asked(q string) []int {
	if ni == nil {
		return nil
	}
	all := wordString(q)
	var out []int
	for i, n := range ni.names {
		if strings.Contains(all, " "+n+" ") {
			out = append(out, i)
		}
	}
	return out
}

// misses is whether entry id leaves one of names unmentioned.
func (ni *nameIndex) misses(id string, names []int) bool {
	m := ni.mentions[id]
	for _, i := range names {
		if m == nil || !m[i] {
			return true
		}
	}
	return false
}
