package faq

import (
	"strings"
	"testing"
)

func TestParseTwoCases(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"ok", "- {q: 'what is cpor and who validates it', lang: en, expect: [cpor-what, cpor-validation]}\n", ""},
		{"out of scope half", "- {q: 'price of a vm and how long to accept a referral', lang: en, expect: [out-of-scope, referral-expiry-14-days]}\n", ""},
		{"empty file", "", ""},
		{"unknown key", "- {q: hello, lang: en, expected: [a, b]}\n", "expected"},
		{"bad lang", "- {q: hello, lang: de, expect: [a, b]}\n", "unsupported lang"},
		{"no question", "- {q: ' ', lang: en, expect: [a, b]}\n", "empty question"},
		{"one id", "- {q: hello, lang: en, expect: [a]}\n", "two entry IDs"},
		{"three ids", "- {q: hello, lang: en, expect: [a, b, c]}\n", "two entry IDs"},
		{"empty id", "- {q: hello, lang: en, expect: [a, '']}\n", "two entry IDs"},
		{"same id twice", "- {q: hello, lang: en, expect: [a, a]}\n", "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTwoCases([]byte(tt.yaml))
			wantError(t, err, tt.wantErr)
		})
	}
}

// TestEvaluateTwoCounts: each of a reply's answers is scored, in the order
// asked, and an out-of-scope question is refused when nothing but the
// other question is answered.
func TestEvaluateTwoCounts(t *testing.T) {
	ix := loadIndex(t)
	cpor := "what is cpor and who validates the claims"
	r, err := EvaluateTwo(ix, []TwoCase{
		{Question: cpor, Lang: EN, Expect: [2]string{"cpor-what", "cpor-validation"}},
		{Question: cpor, Lang: EN, Expect: [2]string{"cpor-what", "referral-decline"}}, // wrong on purpose
		{Question: "what's the weather in stockholm? and how long do we have to accept a referral?", Lang: EN, Expect: [2]string{OutOfScope, "referral-expiry-14-days"}},
		{Question: cpor, Lang: SV, Expect: [2]string{"cpor-what", "cpor-validation"}}, // answered in English
	})
	if err != nil {
		t.Fatal(err)
	}
	want := TwoLangReport{Messages: 3, Both: 2, Halves: 5, Right: 4, Wrong: 1, Asked: 6}
	if got := r.ByLang[EN]; got != want {
		t.Errorf("en = %+v, want %+v", got, want)
	}
	if sv := r.ByLang[SV]; sv.Right != 0 || sv.Wrong != 2 || sv.Both != 0 {
		t.Errorf("sv = %+v, want both answers wrong (another language)", sv)
	}
	if r.OutHalves != 1 || r.OutRefused != 1 {
		t.Errorf("out-of-scope questions refused %d/%d, want 1/1", r.OutRefused, r.OutHalves)
	}
	if len(r.Failures) != 2 || strings.Join(r.Failures[0].Got, " + ") != "cpor-what + cpor-validation" {
		t.Errorf("failures = %+v", r.Failures)
	}
	s := r.String()
	for _, want := range []string{
		"en  questions answered right  80.0% (4/5), both right  66.7% (2/3 messages), wrong answers 1 (16.7% of 6 questions)",
		"out-of-scope questions refused 100.0% (1/1)",
		`expected cpor-what + referral-decline, answered cpor-what + cpor-validation`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report text lacks %q:\n%s", want, s)
		}
	}
	for _, bad := range []TwoCase{
		{Question: cpor, Lang: EN, Expect: [2]string{"cpor-what", "cpor-validaton"}},
		{Question: cpor, Lang: EN, Expect: [2]string{OutOfScope, OutOfScope}},
	} {
		if _, err := EvaluateTwo(ix, []TwoCase{bad}); err == nil {
			t.Errorf("%v: no error", bad.Expect)
		}
	}
}

// TestEvalTwo checks the two-question sets: each question of a message
// answered by its entry, wrong answers and out-of-scope questions refused
// (behaviour, not timing). When they were written (session 69, 0.66.0's
// engine, threshold 0.393): two-dev 93.5 / 98.3 / 95.2 % of its questions
// answered right, 3 wrong answers of 376 questions (0.8 %), 12 of 12
// out-of-scope questions refused; two-holdout 96.5 / 98.4 / 97.4 %, 1
// wrong of 364, 11 of 12 refused. Without the pronoun rule of considered
// two-dev answered 354 questions right against 348 with the same wrong
// answers, two-holdout 347 against 343 with 2 wrong against 1; on the
// tuning and two read development sets it would give 38 more second
// answers, 27 of them wrong by my reading (session 69's closing note).
// With alsoSentence (the same session) two-dev English 94.4 %.
func TestEvalTwo(t *testing.T) {
	ix := loadIndex(t)
	for _, name := range []string{TwoDevFile, TwoHoldoutFile} {
		t.Run(name, func(t *testing.T) {
			cases, err := LoadTwoCases("testdata", name)
			if err != nil {
				t.Fatal(err)
			}
			r, err := EvaluateTwo(ix, cases)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range Langs {
				lr := r.ByLang[l]
				if lr.Messages < 50 || ratio(lr.Right, lr.Halves) < 0.90 {
					t.Errorf("%s: %d of %d questions answered right in %d messages, want at least 90 %% of 50 or more messages", l, lr.Right, lr.Halves, lr.Messages)
				}
			}
			if all := r.Total(); ratio(all.Wrong, all.Asked) > 0.02 {
				t.Errorf("%d wrong answers of %d questions, want at most 2 %%", all.Wrong, all.Asked)
			}
			if r.OutHalves < 10 || ratio(r.OutRefused, r.OutHalves) < 0.8 {
				t.Errorf("out-of-scope questions refused %d of %d, want at least 80 %% of 10 or more", r.OutRefused, r.OutHalves)
			}
			if t.Failed() {
				t.Log(r.String())
			}
		})
	}
}

// TestTwoSetsAreDisjoint: no message of a two-question set sits in the
// other, in a one-question set, or twice in its own.
func TestTwoSetsAreDisjoint(t *testing.T) {
	seen := map[string]string{}
	key := func(q string) string { return strings.Join(words(foldLower(q)), " ") }
	var one []string
	one = append(append(append(append(one, TuningFiles...), HoldoutFile), FreshFiles...), DevFiles...)
	cases, err := LoadCaseFiles("testdata", one...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		seen[key(c.Question)] = "a one-question set"
	}
	for _, name := range []string{TwoDevFile, TwoHoldoutFile} {
		two, err := LoadTwoCases("testdata", name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range two {
			k := key(c.Question)
			if first, ok := seen[k]; ok {
				t.Errorf("%s message %q is also in %s", name, c.Question, first)
			}
			seen[k] = name
		}
	}
}
