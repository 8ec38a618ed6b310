package faq

import "testing"

func TestQuestion(t *testing.T) {
	ix := loadIndex(t)
	if q, ok := ix.Question("partner-id-where", FR); !ok || q == "" {
		t.Errorf("Question(partner-id-where, fr) = %q, %v", q, ok)
	}
	if _, ok := ix.Question("nosuch", EN); ok {
		t.Error("Question of an entry the index does not hold")
	}
}
