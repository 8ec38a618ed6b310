package faq

import (
	"strings"
	"testing"
)

// TestEval is the quality gate: accuracy per language and refusal of
// out-of-scope questions on testdata/eval.yaml (behaviour, not timing).
func TestEval(t *testing.T) {
	ix := loadIndex(t)
	cases := loadCases(t, "testdata/eval.yaml")
	perLang := map[Lang]int{}
	oos := 0
	for _, c := range cases {
		if c.Expect == OutOfScope {
			oos++
			continue
		}
		perLang[c.Lang]++
		if _, ok := ix.entries[c.Expect]; !ok {
			t.Errorf("eval case %q expects unknown entry %q", c.Question, c.Expect)
		}
	}
	if n := len(cases) - oos; n < 75 || oos < 12 {
		t.Fatalf("eval set has %d in-scope and %d out-of-scope cases, want ≥ 75 and ≥ 12", n, oos)
	}
	r := Evaluate(ix, cases)
	t.Logf("\n%s", r)
	for _, l := range Langs {
		if perLang[l] == 0 {
			t.Errorf("no eval case in %s", l)
		}
		if acc := r.ByLang[l].Accuracy; acc < 0.85 {
			t.Errorf("%s accuracy %.3f, want ≥ 0.85", l, acc)
		}
	}
	if r.RefusalRate < 0.8 {
		t.Errorf("out-of-scope refusal rate %.3f, want ≥ 0.8", r.RefusalRate)
	}
}

// TestHoldout guards generalisation on questions never used for tuning.
// Its bar is lower than TestEval's on purpose: it measures, it is not a
// target to tune against.
func TestHoldout(t *testing.T) {
	ix := loadIndex(t)
	r := Evaluate(ix, loadCases(t, "testdata/holdout.yaml"))
	t.Logf("\n%s", r)
	for _, l := range Langs {
		if acc := r.ByLang[l].Accuracy; acc < 0.75 {
			t.Errorf("%s hold-out accuracy %.3f, want ≥ 0.75", l, acc)
		}
	}
	if r.RefusalRate < 0.8 {
		t.Errorf("hold-out refusal rate %.3f, want ≥ 0.8", r.RefusalRate)
	}
}

func TestParseCases(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"ok", "- {q: hello, lang: en, expect: out-of-scope}\n", ""},
		{"empty file", "", ""},
		{"unknown key", "- {q: hello, lang: en, expected: x}\n", "expected"},
		{"bad lang", "- {q: hello, lang: de, expect: x}\n", "unsupported lang"},
		{"no question", "- {q: '', lang: en, expect: x}\n", "empty question"},
		{"no expect", "- {q: hello, lang: en}\n", "empty expect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCases([]byte(tt.yaml))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestEvaluateCounts(t *testing.T) {
	ix := loadIndex(t)
	r := Evaluate(ix, []Case{
		{Question: "où trouver mon ID partenaire ?", Lang: FR, Expect: "partner-id-where"},
		{Question: "où trouver mon ID partenaire ?", Lang: FR, Expect: "partner-id-what"}, // wrong on purpose
		{Question: "tell me a joke", Lang: EN, Expect: OutOfScope},
	})
	fr := r.ByLang[FR]
	if fr.Cases != 2 || fr.Correct != 1 || fr.Wrong != 1 || fr.Accuracy != 0.5 {
		t.Errorf("fr = %+v, want 2 cases, 1 correct, 1 wrong", fr)
	}
	if r.OutOfScope != 1 || r.CorrectRefusals != 1 || r.RefusalRate != 1 {
		t.Errorf("refusals = %d/%d (%.2f), want 1/1", r.CorrectRefusals, r.OutOfScope, r.RefusalRate)
	}
	if len(r.Failures) != 1 || r.Failures[0].Case.Expect != "partner-id-what" {
		t.Errorf("failures = %+v", r.Failures)
	}
	if s := r.String(); !strings.Contains(s, "fr  accuracy  50.0%") || !strings.Contains(s, "refusal rate 100.0%") {
		t.Errorf("report text:\n%s", s)
	}
}
