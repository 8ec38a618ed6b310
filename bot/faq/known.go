package faq

// What the chat layer asks of an index besides answers: an entry's own
// wording (what a Teach button attaches a question to).

// Question is entry id's canonical question in language l, as suggestions
// word it, or false when the index holds no such entry.
func (ix *Index) Question(id string, l Lang) (string, bool) {
	e, ok := ix.entries[id]
	if !ok {
		return "", false
	}
	return e.Text[l].Question, true
}
