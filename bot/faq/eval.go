package faq

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// OutOfScope is the Expect value of a Case the bot must refuse to answer.
const OutOfScope = "out-of-scope"

// Case is one labelled question of an evaluation set (testdata/*.yaml).
type Case struct {
	Question string
	Lang     Lang   // language the question is written in
	Expect   string // entry ID, or OutOfScope
	// Group is shared by the translations of one question (the same place
	// in a group item's en, fr and sv lists), so that cross-fitting can
	// hold them out together (see rankerTexts): a model that saw "prix
	// d'une licence office 365" finds "price of an office 365 licence"
	// easy. Empty for single cases.
	Group string
	// Also lists other entries whose answer gives what the question asks
	// as fully as Expect's (AlsoFile): answered with one, the asker has
	// the answer.
	Also []string
}

// answeredBy reports whether entry id's answer is a right answer to c.
func (c Case) answeredBy(id string) bool {
	return c.Expect != OutOfScope && (id == c.Expect || slices.Contains(c.Also, id))
}

// caseItem is one item of an evaluation file: either a single case
// ({q, lang, expect}) or a group of questions for one entry, per language
// ({id, en: [...], fr: [...], sv: [...]}), which keeps the paraphrases of an
// entry together so that "at least five per language" is easy to check.
type caseItem struct {
	Question string   `yaml:"q"`
	Lang     Lang     `yaml:"lang"`
	Expect   string   `yaml:"expect"`
	ID       string   `yaml:"id"`
	EN       []string `yaml:"en"`
	FR       []string `yaml:"fr"`
	SV       []string `yaml:"sv"`
}

// ParseCases decodes an evaluation set and checks each case is complete, so a
// typo in the file fails loudly instead of silently lowering the score.
func ParseCases(data []byte) ([]Case, error) {
	items, err := decodeStrict[caseItem](data)
	if err != nil {
		return nil, err
	}
	var cases []Case
	for i, it := range items {
		if it.ID == "" {
			cases = append(cases, Case{Question: it.Question, Lang: it.Lang, Expect: it.Expect})
			continue
		}
		if it.Question != "" || it.Lang != "" || it.Expect != "" {
			return nil, fmt.Errorf("faq: eval item %d (%s): a group takes id and en/fr/sv lists, not q/lang/expect", i, it.ID)
		}
		for _, g := range []struct {
			l  Lang
			qs []string
		}{{EN, it.EN}, {FR, it.FR}, {SV, it.SV}} {
			for k, q := range g.qs {
				cases = append(cases, Case{Question: q, Lang: g.l, Expect: it.ID, Group: fmt.Sprintf("%d/%d", i, k)})
			}
		}
	}
	for i, c := range cases {
		switch {
		case strings.TrimSpace(c.Question) == "":
			return nil, fmt.Errorf("faq: eval case %d: empty question", i)
		case !isLang(c.Lang):
			return nil, fmt.Errorf("faq: eval case %d (%q): unsupported lang %q", i, c.Question, c.Lang)
		case c.Expect == "":
			return nil, fmt.Errorf("faq: eval case %d (%q): empty expect", i, c.Question)
		}
	}
	return cases, nil
}

// LangReport is the outcome for the in-scope cases of one language.
type LangReport struct {
	Cases        int
	Correct      int // answered with the expected entry, in the question's language
	Wrong        int // answered with another entry (the costly mistake)
	Refused      int // not answered although in scope
	LangMismatch int // language detected differently from the case's
	Accuracy     float64
}

// Failure describes one case that did not get the expected outcome.
type Failure struct {
	Case       Case
	Answered   bool
	Got        string // entry answered, or best candidate when refused
	GotLang    Lang
	Confidence float64
}

// Report summarises Evaluate. Accuracy counts only answers that are both
// the expected entry and in the user's language.
type Report struct {
	Threshold        float64
	ByLang           map[Lang]LangReport
	InScope, Correct int
	Accuracy         float64
	// SuggestedOnRefusal counts in-scope refusals whose expected entry was
	// among the suggestions: the user still reaches the answer in one click.
	SuggestedOnRefusal int
	OutOfScope         int
	CorrectRefusals    int
	RefusalRate        float64 // CorrectRefusals / OutOfScope
	FalseRefusals      int     // in-scope cases refused
	Wrong              int     // in-scope cases answered with another entry
	FalseRefusalRate   float64 // FalseRefusals / InScope
	// RankedFirst counts in-scope cases whose expected entry ranks first,
	// answered or not: what ranking alone achieves, before the confidence.
	RankedFirst int
	Failures    []Failure
}

// Evaluate asks every case and scores the outcome.
func Evaluate(ix *Index, cases []Case) Report {
	return evaluate(ix, cases, 0)
}

// EvaluateLeaveOneOut scores the tuning set as Calibrate sees it: each
// question without the phrasings it matches almost word for word, among them
// its own learned example, and with the learned ranker's probabilities from
// a model trained without it (crossfit.go). Evaluate would find every tuning
// question's copy in the index and report a figure no unseen question
// reaches.
func EvaluateLeaveOneOut(ix *Index, cases []Case) Report {
	return evaluate(ix, cases, calibrationMask)
}

func evaluate(ix *Index, cases []Case, mask float64) Report {
	r := Report{Threshold: ix.threshold, ByLang: map[Lang]LangReport{}}
	var oof [][]float64
	if mask > 0 {
		oof = ix.oofProbs(cases, 0)
	}
	for i, c := range cases {
		var lo *leaveOut
		if oof != nil {
			lo = &leaveOut{mask: mask, probs: oof[i], self: &cases[i]}
		}
		res, cands := ix.ask(c.Question, lo)
		if mask == 0 {
			// As Ask answers: a message asking two things may be answered
			// by its halves. The first answer is the one scored.
			res = ix.askParts(ix.asking(res.Lang), c.Question, res, cands)
		}
		fail := Failure{Case: c, Answered: res.Answered, GotLang: res.Lang, Confidence: res.Confidence}
		switch {
		case res.Answered:
			fail.Got = res.EntryID // a message's first half's, when its halves were answered
		case len(cands) > 0:
			fail.Got = cands[0].id
		}
		if c.Expect == OutOfScope {
			r.OutOfScope++
			if res.Answered {
				r.Failures = append(r.Failures, fail)
			} else {
				r.CorrectRefusals++
			}
			continue
		}
		r.InScope++
		if len(cands) > 0 && c.answeredBy(cands[0].id) {
			r.RankedFirst++
		}
		lr := r.ByLang[c.Lang]
		lr.Cases++
		if res.Lang != c.Lang {
			lr.LangMismatch++
		}
		switch {
		case !res.Answered:
			lr.Refused++
			r.FalseRefusals++
			for _, s := range res.Suggestions {
				if s.EntryID == c.Expect {
					r.SuggestedOnRefusal++
				}
			}
			r.Failures = append(r.Failures, fail)
		case c.answeredBy(res.EntryID) && res.Lang == c.Lang:
			lr.Correct++
			r.Correct++
		default:
			lr.Wrong++
			r.Wrong++
			r.Failures = append(r.Failures, fail)
		}
		r.ByLang[c.Lang] = lr
	}
	for l, lr := range r.ByLang {
		lr.Accuracy = ratio(lr.Correct, lr.Cases)
		r.ByLang[l] = lr
	}
	r.Accuracy = ratio(r.Correct, r.InScope)
	r.RefusalRate = ratio(r.CorrectRefusals, r.OutOfScope)
	r.FalseRefusalRate = ratio(r.FalseRefusals, r.InScope)
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// String renders the report for humans (cmd/faqeval).
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "threshold %.2f\n", r.Threshold)
	for _, l := range langsIn(r.ByLang) {
		lr := r.ByLang[l]
		fmt.Fprintf(&b, "%s  accuracy %5.1f%%  (%d/%d correct, %d wrong, %d refused, %d language mismatches)\n",
			l, 100*lr.Accuracy, lr.Correct, lr.Cases, lr.Wrong, lr.Refused, lr.LangMismatch)
	}
	fmt.Fprintf(&b, "all accuracy %5.1f%%  (%d/%d), wrong answers %d (%.1f%%)\n", 100*r.Accuracy, r.Correct, r.InScope, r.Wrong, 100*ratio(r.Wrong, r.InScope))
	fmt.Fprintf(&b, "out-of-scope refusal rate %5.1f%%  (%d/%d)\n", 100*r.RefusalRate, r.CorrectRefusals, r.OutOfScope)
	fmt.Fprintf(&b, "expected entry ranked first %d/%d (%.1f%%)\n", r.RankedFirst, r.InScope, 100*ratio(r.RankedFirst, r.InScope))
	fmt.Fprintf(&b, "false refusals %d/%d (%.1f%%), expected entry suggested in %d of them\n",
		r.FalseRefusals, r.InScope, 100*r.FalseRefusalRate, r.SuggestedOnRefusal)
	if len(r.Failures) > 0 {
		fmt.Fprintf(&b, "failures:\n")
		for _, f := range r.Failures {
			verdict := "refused"
			if f.Answered {
				verdict = "answered " + f.Got
			}
			fmt.Fprintf(&b, "  [%s→%s] %q: expected %s, %s (best %s, confidence %.2f)\n",
				f.Case.Lang, f.GotLang, f.Case.Question, f.Case.Expect, verdict, f.Got, f.Confidence)
		}
	}
	return b.String()
}

// The evaluation files, in testdata/. The tuning files are what retrieval
// is tuned and calibrated on; the hold-out and fresh files are only
// measured. The fresh files were written after tuning rounds by someone
// who had read neither the hold-out nor the tuning files (fresh.yaml in
// session 5, fresh2.yaml in session 18, on the entries fresh.yaml left
// out, fresh3.yaml in session 19, one question per entry and language):
// they say how questions nobody has seen fare, which a hold-out
// watched over several rounds overstates.
//
// tuning-context.yaml (session 21) holds long questions that give their
// context first ("our sales director keeps talking about becoming a cloud
// solution provider, what does that program involve"), which the other
// tuning files, short chat questions, lacked: the confidence fitted on
// those refused them with the right entry first (dev4: 44 such refusals).
// Loaded, refitted: dev4 595 right against 569, 2 wrong against 4, 55 of
// 57 out-of-scope refused against 54. tuning-context2.yaml, a second batch
// (scenarios, the question then its reason, the thing described in
// everyday words), took dev4 to 603 and dev5 from 609 to 613 with the same
// wrong answers, and raised the threshold from 0.742 to 0.787.
// tuning-context3.yaml (session 22), a third batch (a blocker then the ask,
// English product words in French and Swedish, "what happens if", asked on
// someone's behalf, a detail then the question), with "window" taught to
// the referral's 14 days (its near misses had taught the ranker that "how
// long is the window" asks what the documents lack), refitted the
// threshold to 0.755: dev4 608 right against 604 (1 wrong against 2), dev5
// 617 against 614 (8 wrong against 9, one near miss fewer refused), dev6
// 554 against 547 (6 wrong against 5, 54 of 58 out-of-scope refused
// against 53).
//
// Session 27 measured what more writers teach. dev8.yaml, written that
// session by two helpers as dev7 was, answered 686 of 784 (87.5 %: en
// 93.2, fr 83.8, sv 87.5 %) with 22 wrong (2.8 %) and 54 of 59
// out-of-scope refused. The four development sets, whose misses had been
// read for what they share and never tuned on, joined the tuning files:
// 740 right with tuning-chat5.yaml and tuning-context5.yaml (written that
// session from the entries' English question and answer only, as the
// development sets were), 751 with tuning-chat6.yaml and tuning-plain6.yaml
// too (French and Swedish in varied registers; everyday words instead of
// the answer's terms), 8 wrong (1.0 %), 58 of 59 refused; the hold-out
// 1,012 right against 1,011 with 43 of 45 refused against 41. The batches
// measured and not kept earlier (tuning-chat3, tuning-chat4,
// tuning-context4, tuning-contrast) changed nothing on dev8 (738 against
// 740) and stay out. dev9.yaml, written beside dev8 and not measured until
// those changes were made, is the session's unseen figure: 628 → 679 of
// 707. A last batch, tuning-chat7.yaml (French and Swedish only, French
// as typed in France, Belgium, Switzerland and Québec), took dev8 from
// 749 to 753 right (French 94.6 → 95.3 %) and its wrong answers from 8 to
// 5, and was kept on that; dev9, measured a second time after it: 682
// right (French 94.9 → 95.2 %), 6 wrong against 7, 58 of 59 refused.
//
// Session 28 moved dev8 into the tuning files and dev9 to deciding, and
// wrote dev10 (measured at the start and the end only) and
// tuning-chat8.yaml, both by helpers from the entries' English question
// and answer, with the kinds of questions stressed. With dev8
// learned, dev9 683 right of 707 (682), 4 wrong (6); with the lower-case
// "sa" read as the abbreviation where no possessive or "så" can stand
// (query.go), 691 and 3; with tuning-chat8, 695 and none. dev10: 655 →
// 669 of 709 right, 20 → 13 wrong, 50 → 52 of 54 refused. A second
// batch, tuning-chat9.yaml (French and Swedish, everyday words first),
// took dev9 back to 691 right and 56 refused: not loaded.
//
// Session 29 moved dev9 into the tuning files and dev10 to deciding, and
// wrote dev11 (four helpers, two personas: a salesperson on a phone, a new
// admin who describes the situation), measured at the start and the end
// only: on 0.30.0's engine 911 of 1,015 right (94.0 / 88.9 / 88.5 %), 27
// wrong, 76 of 79 refused. With dev9 learned, dev10 669 right (the same),
// the hold-out 1,012 -> 1,009. tuning-chat10.yaml, written by four more
// helpers in dev11's two personas, took dev10 to 666 and the hold-out to
// 1,005 (threshold 0.713 -> 0.732): not loaded. The answers counted wrong
// were then judged blind (AlsoFile): 89 of the tuning set's 212, 9 of
// dev10's 12 and 18 of dev11's 27 give what the question asks as fully as
// the expected entry's. Counted right, and at wrongCost 4 (calibrate.go),
// dev10 681 right, 4 wrong (en 98.3, fr 95.4, sv 95.2 %); dev11 931 (97.0 /
// 89.9 / 91.1 %), 11 wrong (1.1 %), 75 of 79 refused; counted as before,
// dev11 914 right, 28 wrong: the engine answers unseen questions much as
// it did; the reports and the threshold now count its right answers right.
//
// Session 30 wrote dev12 and dev13 (four helpers each, two personas no set
// had: a search-bar typer's keyword fragments, and a relayer passing on a
// boss's or customer's question, often with a wrong belief to check). On
// 0.31.0's engine both were 77 % right (French and Swedish 75 %), 7 %
// wrong: far under dev11's 92 %. dev10 and tuning-chat11.yaml (four more
// helpers in those personas) joined the tuning files: dev12 860 -> 927 of
// 1,108, dev13 792 -> 859 of 1,023 (measured only), the hold-out 1,019 ->
// 1,011. Then the relayer's framing as filler (analysis.go) 934; the new
// sets' answers by another entry judged blind (107 of 163 give what is
// asked) 958; English product names counting half beside a French or
// Swedish word (lang.go) 962 right, 43 wrong (44 after parts.go's fix,
// 4.0 %), 65 of 68 refused.
// dev13: 895 right (en 93.4, fr 86.9, sv 85.5 %), 39 wrong, 58 of 60.
//
// Session 31 made dev12 a tuning file and dev13 the deciding set, and
// wrote dev14 (four helpers, two more personas: a code-switcher writing
// French or Swedish with English jargon, and someone at the screen saying
// what they see or just clicked), measured only: on 0.32.0's engine 912
// of 1,065 right (85.6 %), 21 wrong. With dev12 learned, dev13 895 -> 901
// right, 39 -> 36 wrong; with the tuning questions' words the knowledge
// base lacks telling a language (lang.go) 908 right, 29 wrong; dev14 917
// right, 16 wrong. tuning-chat12.yaml (four more helpers in dev14's
// personas, 1,390 questions) joined the tuning files: dev14 917 -> 950
// (en 95.6, fr 88.7, sv 86.1 %), 13 wrong; dev13 908, 28 wrong; the
// hold-out 1,007 -> 1,010. tuning-chat12's answers by another entry,
// judged blind (45 of 71 give what is asked, AlsoFile): dev13 910, dev14
// 955 (en 96.1, fr 88.9, sv 86.9 %), 14 wrong, dev11 939.
//
// Session 32 made dev13 a tuning file and dev14 the deciding set, and
// wrote dev15 (four helpers, two more personas: dictated on a phone, and a
// paragraph telling the writer's own case with the question inside),
// measured only: on 0.33.0's engine 808 of 1,105 right (73.1 %), 11 wrong,
// the right entry first for 97 % but the long messages refused. With
// dev13 learned, dev14 955 -> 949 (the threshold 0.672 -> 0.709); with
// English words inflected in French and Swedish read as loans
// (translate.go) 952; tuning-chat13.yaml (four more helpers in dev15's
// personas) 960, dev15 767 -> 938; the story told around a question left
// out (story.go) dev15 962, tuning-chat13's long messages left one out 76
// -> 43 refused; wrongCost 3 (calibrate.go) dev14 970 (en 96.5, fr 89.8,
// sv 89.4 %), 17 wrong; dev15 977 (89.7 / 88.7 / 87.5 %), 16 wrong; the
// hold-out 1,009. The three sets' answers by another entry, judged blind
// (21 of 57 give what is asked, AlsoFile): dev14 979 (96.5 / 90.7 / 90.7
// %), 9 wrong; dev15 982 (90.2 / 89.1 / 87.9 %), 12 wrong (1.1 %). Then
// Partner Center out of the names gate (names.go) dev15 986; Swedish "var
// står" no definition (acronym.go) dev14 980, dev15 987; dictation's
// mishearings and spelt acronyms read as the documents write them
// (dictation.go): tuning-chat13's short messages left one out 55 -> 25
// refused, dev15 997 (90.6 / 91.1 / 89.1 %), 10 wrong (0.9 %), 78 of 82
// refused (79); dev14 980 (96.9 / 90.7 / 90.7 %), 9 wrong; dev11 952; the
// hold-out 1,009. tuning-chat14.yaml (four more helpers, French and Swedish
// first, the six personas in turn) took dev14 to 977 and the hold-out to
// 1,007: not loaded.
//
// Session 33 wrote dev16 (four helpers, three personas of long messages: a
// story told in a team chat, a forward of what someone else wrote with the
// writer's own question, someone thinking aloud who asks indirectly),
// deciding for long messages beside dev14: on 0.34.0's engine 810 of 928
// right (87.3 %), 21 wrong, 64 of 73 refused. Their question sentences
// asked alone (sentences.go) 875 (94.3 %), 22 wrong, 62 refused; dev15
// (measured) 997 -> 1,047.
//
// Session 34 made dev14 a tuning file (dev16 decides alone) and wrote dev17
// (four helpers, two personas no set had: someone checking their
// understanding, who states a belief and asks to confirm it, and a formal
// writer of email-like messages), measured only: on 0.35.0's engine 1,014
// of 1,142 right (88.8 %: 90.5 / 88.5 / 88.2), 26 wrong (2.3 %), 68 of 68
// refused. With dev14 learned (threshold 0.603 -> 0.613) 1,016, 25 wrong;
// dev16 875 -> 876, 22 -> 19 wrong; dev15 1,047 -> 1,039; the hold-out
// 1,009 -> 1,005. An email's urgency, politeness and sign-off as filler
// (analysis.go) 1,020, dev16 63 -> 64 of 73 refused (an HR message closing
// "pas urgent" drew the entry whose learned example said "c'est un peu
// urgent"). tuning-chat17.yaml (four more helpers in dev17's personas, who
// never saw it; threshold 0.628): dev17 1,065 (93.3 %: 94.4 / 93.3 / 92.7),
// 17 wrong (1.5 %); dev16 877 (94.5 %), 20 wrong; dev15 1,049 (94.9 %);
// dev11 959 (94.5 %), 8 wrong; the hold-out 1,005, fresh 173. The
// belief's framing as filler too ("I assumed", "je croyais", "jag
// trodde"): dev17 1,068 but 4 more wrong over the sets: not kept. Then
// dev18 (four more helpers, two more personas: a second-language writer,
// and a closed yes/no or either/or check; 179 of its questions repeated
// another set's and were taken out), measured only: 938 of 984 right
// (95.3 %: 97.3 / 96.5 / 92.8), 14 wrong, 65 of 65 refused (0.35.0's
// engine: 940). tuning-chat18.yaml (four more helpers in its personas,
// who never saw it; threshold 0.601): dev18 946, dev16 877 with 17 wrong
// (1.8 %) and 65 of 73 refused, dev11 953, dev15 1,046, dev17 1,066, the
// hold-out 1,004. The answers by another entry of dev17, dev18 and the two
// new tuning files, judged blind (53 of 90 give what is asked, AlsoFile;
// threshold 0.595): dev17 1,073 (94.0 %: 94.4 / 94.1 / 93.6), 11 wrong
// (1.0 %); dev18 957 (97.3 %: 98.6 / 97.8 / 95.9), 7 wrong; dev16 878
// (94.6 %: 94.4 / 95.7 / 93.7), 17 wrong; dev15 1,047 (94.8 %); dev11
// 955 (94.1 %); the hold-out 1,004 (96.2 %), 13 wrong; fresh 172.
//
// Session 35 wrote dev19 (four helpers: the issue's own persona, a quick
// chat message with typos, missing accents and filler, by writers who never
// saw the other sets; and someone something went wrong for, the symptom
// first), measured only: on 0.36.0's engine 883 of 998 right (88.5 %: 92.3
// / 87.8 / 87.2), 26 wrong (2.6 %), 67 of 71 refused. Right answers over
// the six unseen sets (dev16, dev11, dev15, dev17, dev18, dev19) and wrong
// ones, step by step, each refit: 0.36.0 5,791 and 80 wrong;
// tuning-chat19.yaml (four more helpers in dev19's personas, who never saw
// it; threshold 0.617) 5,793 and 77; tuning-chat10.yaml (dev11's personas,
// not loaded since session 29) 5,813 and 79; tuning-chat14.yaml (not
// loaded since session 32) 5,805 and 70; tuning-chat9.yaml (regional
// French, casual Swedish; not loaded since session 28) 5,824 and 75; the
// answers by another entry of dev19 and the four files judged blind (98 of
// 165 give what is asked, AlsoFile; threshold 0.615) 5,840 and 62: dev19
// 921 (92.3 %: 92.9 / 91.6 / 92.7), 10 wrong. The hold-out 1,004 -> 1,005,
// 13 -> 15 wrong; fresh 172 -> 173. Each of the three old batches had been
// left out on one deciding set's figures, within a refit's spread; six sets
// measure them together.
//
// Session 36 wrote dev20 (four helpers, two personas no set had: a
// newcomer who names things in everyday words, not the documents' terms;
// someone asking a short yes/no or "what if" about their own concrete
// case), measured only: on 0.37.0's engine 972 of 1,087 right (89.4 %:
// 86.6 / 90.8 / 89.5), 18 wrong (1.7 %), 66 of 73 refused. With
// tuning-chat20.yaml (four more helpers in its personas, who never saw
// it; threshold 0.633) 987 and 15 wrong; with the answers by another entry
// of both judged blind (34 of 56 give what is asked, AlsoFile; threshold
// 0.638) 995 (91.5 %: 89.2 / 92.5 / 91.8), 7 wrong (0.6 %). The six sets
// before it 5,840 right and 62 wrong -> 5,823 and 56: the refit's higher
// threshold refuses some of both. The seven together 6,812 and 80 wrong
// -> 6,818 and 63. The hold-out 1,005 -> 1,004, 15 wrong; fresh 173 -> 172.
// Then the five sets measured and left out before (tuning-chat3,
// tuning-chat4, tuning-contrast, tuning-context4, near-miss-faq9b), and
// their answers by another entry judged blind (13 of 48): the seven sets
// 6,867 right and 70 wrong (threshold 0.619); dev20 999 (91.9 %: 88.8 /
// 92.7 / 92.8), 7 wrong; dev16 884 (95.3 %), 17 wrong; the hold-out
// 1,009, 14 wrong; fresh 173, 4 wrong. tuning-chat4 held 62 questions of
// the hold-out and fresh sets (TestHoldoutIsDisjoint, TestEmbeddedExamples
// failed on loading it): taken out of it before that refit.
//
// Session 37 changed no fit (the same weights, the scoring cheaper) and
// two things a message of several questions gets: a first half refused
// that tells a story before its question is asked by its question
// sentence, and the words after a message's last question mark that ask
// nothing ("Thanks, Tom") are no question left unasked. dev16 884 -> 885,
// 17 -> 16 wrong; every other figure the same.
//
// Session 38 prefiltered the question patterns (the same answers, every
// figure the same after a refit) and learned tuning-chat21.yaml (four
// helpers rotating five personas of the weakest sets: everyday words, a
// yes/no about one's own case, a symptom first, a quick chat message, a
// salesperson's fragments; 1,198 in scope, 73 out; threshold 0.608), then
// its answers by another entry judged blind (16 of 30, AlsoFile;
// threshold 0.610). The seven development sets 6,868 right and 69 wrong
// -> 6,893 and 69 -> 6,895 and 70: dev16 889 (95.8 %: 94.0 / 96.8 /
// 96.0), dev11 965, dev15 1,062, dev17 1,086, dev18 959, dev19 927 (92.9
// %: 93.9 / 91.4 / 94.0), dev20 1,007 (92.6 %: 89.7 / 93.4 / 93.5), the
// out-of-scope refusals unchanged. The hold-out 1,009 -> 1,010, 14 -> 16
// wrong; fresh 173 -> 174, 4 -> 3 wrong.
//
// Session 39 learned tuning-chat23.yaml (four more helpers in the same
// five personas, 2 English + 4 French + 4 Swedish per entry; 961 in
// scope, 67 out; threshold 0.597), then its answers by another entry
// judged blind (16 of 30, AlsoFile; threshold 0.598). The seven sets
// 6,895 right and 70 wrong -> 6,898 and 70 -> 6,897 and 70: dev16 886
// (95.5 %: 93.5 / 97.1 / 95.1), 15 wrong; dev11 966; dev15 1,060; dev17
// 1,089; dev18 962; dev19 928 (93.0 %: 95.4 / 91.1 / 93.8); dev20 1,006
// (92.5 %: 89.2 / 93.7 / 93.2); the out-of-scope refusals the same but
// dev16's 66 -> 65 of 73. The hold-out 1,010 -> 1,011, 16 -> 14 wrong;
// fresh 174. A third batch in these personas moves little: the sets'
// misses are now mostly refusals with the right entry first. wrongCost
// 2.5 (threshold 0.565) was tried on top: the seven sets 26 more right
// for 7 more wrong, but the hold-out 1 more right for 4 more wrong (18,
// 1.7 %); over every measured set a gain of 0.5 at the fit's own price.
//
// Session 41 wrote dev21 (four helpers, two personas no set had: the kinds
// of question issue 15's misses were, an acronym's or name's meaning, a
// cost answered by "free" or a fee, what happens to or if, two things at
// once, everyday words, chat filler; and a request made by telling rather
// than asking, "explain the 72h rule", "rappelle-moi ...", "påminn mig
// ..."), measured only: on 0.42.0's engine 985 of 1,043 right (94.4 %:
// 95.3 / 95.6 / 92.7), 18 wrong (1.7 %), 62 of 66 refused. With
// tuning-chat24.yaml (four more helpers in its personas, who never saw
// it; threshold 0.622) 990, 16 wrong; with the answers by another entry of
// both judged blind (14 of 32, AlsoFile; threshold 0.623) 996 (95.5 %:
// 97.7 / 96.1 / 93.7), 10 wrong (1.0 %), 61 of 66 refused. The seven sets
// before it 6,897 right and 70 wrong -> 6,879 and 65: the higher
// threshold refuses some of both; right minus three times wrong, the fit's
// own utility, over the eight sets +8. The hold-out 1,011 -> 1,012, 14
// wrong; fresh 174, 3 -> 2 wrong. Then the request's framing words no
// entry uses as filler ("walk", "recap", "tl;dr"; "récap", "topo",
// "détaille"; "reda ut", "överblick", "berätta"; tuning-chat24's
// refusals with the right entry first held them; threshold 0.620): dev21
// 998, 8 wrong, but the seven sets before it 6,876 and 68: not kept.
//
// Session 42 wrote dev22 (four helpers, two personas no set had: a Slack
// message in the platform's formatting, a mention of the bot or a
// colleague, emoji shortcodes, *bold*, `code`, a quoted "> " line,
// bullets, a link; and a manager asking in business terms, money, risk,
// time, what it gets us, which option is better for us), measured only:
// on 0.43.0's engine 1,058 of 1,156 right (91.5 %: 92.2 / 91.8 / 90.9),
// 30 wrong (2.6 %), 65 of 76 refused. A Slack link now reads as the words
// it shows ("<https://partner.microsoft.com|PC>" as "PC"; its address put
// "partner" and "microsoft" in the question), Discord's custom emoji and
// timestamps go like Slack's tokens (chatTokens). With tuning-chat25.yaml
// (four more helpers in its personas, who never saw it; threshold 0.605)
// 1,069, 26 wrong; with the answers by another entry of both judged blind
// (32 of 55, AlsoFile; threshold 0.608) 1,086 (93.9 %), 9 wrong, 69 of 76
// refused, against 1,074, 14 wrong and 65 for 0.43.0's engine with the
// same judged answers. Then italics ("_cpor_", one word to the analyzer,
// was refused at a confidence of 0) and the learned examples and the
// ranker's tuning texts read as questions are, without what chat adds
// (examplesOf; until then a question's Slack tokens were not in its read
// form but were in its example's, so leave-one-out did not mask that
// example: threshold 0.632): dev22 1,081 (93.5 %: 94.8 / 93.7 / 92.6), 9
// wrong (0.8 %), 70 of 76 refused. The eight sets before it 7,875 right,
// 75 wrong, 550 of 577 refused -> 7,865, 79 and 555 (right minus three
// times wrong, out-of-scope answers counted wrong, -7 over them, +37 on
// dev22). The hold-out 1,012 -> 1,009, 14 wrong either way. Tried and
// not kept: the question's length (the logarithm of its content words,
// and coverage times it) as confidence features, for long messages whose
// coverage is low by nature: the eight sets 7,867 right and 70 wrong, the
// hold-out 1,006 and 13 (threshold 0.646), within what a refit moves.
// Session 44: dev23 (regional and generational French, Swedish and
// English; a veteran's jargon and acronyms), measured: 1,014 of 1,076
// right, 12 wrong, 73 of 77 refused. tuning-chat26, in its personas,
// learned took dev23 to 1,024, 13 and 74 and lost 18 (right minus three
// times wrong) over the nine sets before it and the hold-out: left
// unloaded, its header says so.
var (
	TuningFiles = []string{"tuning.yaml", "tuning-chat.yaml", "tuning-chat2.yaml", "legacy-eval.yaml", "legacy-holdout.yaml", "tuning-context.yaml", "tuning-context2.yaml", "tuning-context3.yaml", "dev4.yaml", "dev5.yaml", "dev6.yaml", "dev7.yaml", "tuning-chat5.yaml", "tuning-context5.yaml", "tuning-chat6.yaml", "tuning-plain6.yaml", "tuning-chat7.yaml", "dev8.yaml", "tuning-chat8.yaml", "dev9.yaml", "dev10.yaml", "tuning-chat11.yaml", "dev12.yaml", "tuning-chat12.yaml", "dev13.yaml", "tuning-chat13.yaml", "dev14.yaml", "tuning-chat17.yaml", "tuning-chat18.yaml", "tuning-chat19.yaml", "tuning-chat10.yaml", "tuning-chat14.yaml", "tuning-chat9.yaml", "tuning-chat20.yaml", "tuning-chat21.yaml", "tuning-chat23.yaml", "tuning-chat24.yaml", "tuning-chat25.yaml", "tuning-chat3.yaml", "tuning-chat4.yaml", "tuning-contrast.yaml", "tuning-context4.yaml", "near-miss-faq9b.yaml", "tuning-chat27.yaml", "tuning-chat28.yaml", "tuning-chat30.yaml"}
	HoldoutFile = "holdout.yaml"
	FreshFiles  = []string{"fresh.yaml", "fresh2.yaml", "fresh3.yaml"}
	// DevFiles are development sets: written apart from the tuning set,
	// never indexed nor calibrated on; dev16's figures decide between
	// changes, and its failures may be read while one is developed (as
	// dev4-dev14's were before they became tuning files); dev11, dev15,
	// dev17, dev18, dev19, dev20, dev21, dev22, dev23, dev25, dev26, dev27 and dev28 are
	// measured only; dev24's failures may be read as dev16's are
	// (ReadDevFiles).
	DevFiles = []string{"dev16.yaml", "dev11.yaml", "dev15.yaml", "dev17.yaml", "dev18.yaml", "dev19.yaml", "dev20.yaml", "dev21.yaml", "dev22.yaml", "dev23.yaml", "dev24.yaml", "dev25.yaml", "dev26.yaml", "dev27.yaml", "dev28.yaml"}
	// ReadDevFiles are the development sets whose failures may be read
	// (faqeval -failures lists them): dev16, and since session 54 dev24,
	// written for that purpose by helpers who never saw another set.
	ReadDevFiles = []string{"dev16.yaml", "dev24.yaml"}
)

// AlsoFile, in the evaluation sets' directory, lists questions of the
// sets that another entry answers as fully as the one they were written
// for: each set gives one entry a question, and the knowledge base has
// neighbours ("is the crm id mandatory" is the required fields' question
// and answered, word for word, by the optional IDs' entry). Each pair was
// judged blind: the judge saw the question and both answers, in random
// order and unlabelled, and said which of them give what it asks
// (session 29). Counted wrong, such answers also taught the threshold to
// refuse what was answered right.
const AlsoFile = "also.yaml"

// listedQuestion is a question as AlsoFile and InScopeFile list it.
type listedQuestion struct {
	Question string `yaml:"q"`
	Lang     Lang   `yaml:"lang"`
}

// alsoItem is one question of AlsoFile and its other right entries.
type alsoItem struct {
	listedQuestion `yaml:",inline"`
	Also           []string `yaml:"also"`
}

// loadAlso reads dir's AlsoFile, keyed by language and question; none is
// no error.
func loadAlso(dir string) (map[string][]string, error) {
	data, err := readOptional(dir, AlsoFile)
	if err != nil {
		return nil, err
	}
	return parseListed(AlsoFile, data, "a non-empty also list", func(it alsoItem) (listedQuestion, []string, bool) {
		return it.listedQuestion, it.Also, len(it.Also) > 0
	})
}

// readOptional is dir's file, or nothing when there is none.
func readOptional(dir, file string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// parseListed decodes file's items (data) into their values, keyed by
// language and question; value returns an item's question and value, and
// whether the value is complete (want says what it lacks otherwise).
func parseListed[T, V any](file string, data []byte, want string, value func(T) (listedQuestion, V, bool)) (map[string]V, error) {
	items, err := decodeStrict[T](data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := make(map[string]V, len(items))
	for i, it := range items {
		q, v, ok := value(it)
		if strings.TrimSpace(q.Question) == "" || !isLang(q.Lang) || !ok {
			return nil, fmt.Errorf("%s: item %d (%q): want q, lang (en, fr or sv) and %s", file, i, q.Question, want)
		}
		k := alsoKey(q.Lang, q.Question)
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s: item %d (%q): listed twice", file, i, q.Question)
		}
		out[k] = v
	}
	return out, nil
}

func alsoKey(l Lang, q string) string { return string(l) + "\x00" + q }

// InScopeFile, in the evaluation sets' directory, lists questions the sets
// label out of scope whose answer an entry gives: their writers knew only
// some of the entries, and wrote "how many days does the customer get to
// object to us being linked to their tenant?" as a near miss where the
// CPOR entry says 5 business days. Each was judged blind, twice (session
// 73): the judges saw the question and one answer, unlabelled among right
// and wrong pairs, and both said it gives what is asked. Labelled out of
// scope, such questions taught the confidence to refuse right answers, and
// the product kept them as out-of-scope neighbours (nearOutOfScope).
const InScopeFile = "inscope.yaml"

// inScopeItem is one question of InScopeFile and the entry answering it.
type inScopeItem struct {
	listedQuestion `yaml:",inline"`
	Entry          string `yaml:"entry"`
}

// parseInScope decodes InScopeFile, keyed as AlsoFile is.
func parseInScope(data []byte) (map[string]string, error) {
	return parseListed(InScopeFile, data, "the entry answering it", func(it inScopeItem) (listedQuestion, string, bool) {
		return it.listedQuestion, it.Entry, it.Entry != "" && it.Entry != OutOfScope
	})
}

// loadInScope reads dir's InScopeFile; none is no error.
func loadInScope(dir string) (map[string]string, error) {
	data, err := readOptional(dir, InScopeFile)
	if err != nil {
		return nil, err
	}
	return parseInScope(data)
}

// inScope labels the out-of-scope cases that in lists with their entry.
func inScope(cases []Case, in map[string]string) {
	for i, c := range cases {
		if id, ok := in[alsoKey(c.Lang, c.Question)]; ok && c.Expect == OutOfScope {
			cases[i].Expect = id
		}
	}
}

// LoadCaseFiles reads and concatenates evaluation files from dir, with the
// entries InScopeFile gives questions labelled out of scope and the other
// right entries AlsoFile gives their questions.
func LoadCaseFiles(dir string, names ...string) ([]Case, error) {
	also, err := loadAlso(dir)
	if err != nil {
		return nil, err
	}
	in, err := loadInScope(dir)
	if err != nil {
		return nil, err
	}
	var all []Case
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		cs, err := ParseCases(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		inScope(cs, in)
		for i := range cs {
			if cs[i].Group != "" {
				cs[i].Group = n + ":" + cs[i].Group // groups of different files are unrelated
			}
			// A short question may sit in two files under two entries
			// ("cpor?"): each case's own entry is no "also" of it.
			for _, id := range also[alsoKey(cs[i].Lang, cs[i].Question)] {
				if id != cs[i].Expect {
					cs[i].Also = append(cs[i].Also, id)
				}
			}
		}
		all = append(all, cs...)
	}
	return all, nil
}
