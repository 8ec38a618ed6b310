package faq

// What the chat layer asks of an index besides answers: whether a question
// has anything to do with the knowledge base at all (a miss worth an
// admin's time), an entry's own wording (what a Teach button attaches a
// question to), and the entries a question ranks after the one that
// answered it (where the right one of a wrong answer may be).

// Knows reports whether question has a word the knowledge base knows, in
// any of its languages, as Ask reads words: a content word (stop words,
// chat filler and question words aside) that an entry uses, a known part
// of a Swedish compound, or a misspelling Ask would read as a known word.
// "?", "quick q", "lol" or "asdfgh" know none: nobody can teach an entry
// to answer them, so they are no miss for faq misses to list.
func (ix *Index) Knows(question string) bool {
	n := neutral(ix.read(question))
	if n == "" {
		return false
	}
	for _, l := range Langs {
		li := ix.langs[l]
		pq := li.parse(n)
		for _, g := range pq.groups {
			if li.df(g.main) > 0 || len(g.parts) > 0 || pq.typos[g.main] != nil {
				return true
			}
		}
	}
	return false
}

// Question is entry id's canonical question in language l, as suggestions
// word it, or false when the index holds no such entry.
func (ix *Index) Question(id string, l Lang) (string, bool) {
	e, ok := ix.entries[id]
	if !ok {
		return "", false
	}
	return e.Text[l].Question, true
}

// Others are the entries question ranks best after except (the entry that
// answered it, which its asker said was not what they asked), at most n,
// worded in lang: where an admin looks for the right entry to teach it.
// The ranking is Ask's; nothing is answered differently.
func (ix *Index) Others(question, except string, lang Lang, n int) []Suggestion {
	_, cands := ix.ask(question, nil)
	var out []Suggestion
	for _, c := range cands {
		if len(out) == n {
			break
		}
		if c.id != except {
			out = append(out, Suggestion{EntryID: c.id, Question: ix.entries[c.id].Text[lang].Question})
		}
	}
	return out
}
