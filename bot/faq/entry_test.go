package faq

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestLoadKnowledgeBase(t *testing.T) {
	entries, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 90 {
		t.Errorf("knowledge base has %d entries, want at least 90", len(entries))
	}
	seeds := map[string]int{}
	for _, e := range entries {
		seeds[e.Seed]++
		for _, l := range Langs {
			if n := len(e.Text[l].Alternates); n < 3 {
				t.Errorf("%s: %s has %d alternates, want at least 3", e.ID, l, n)
			}
		}
	}
	for _, seed := range []string{
		"000_7f77c9f786b12f68.txt", "001_b37170bfa661b662.txt", "002_4a6d31b135052a8a.txt",
		"003_90deb5b64db4fc5b.txt", "004_f1d4f303264d96bc.txt",
	} {
		if seeds[seed] < 5 {
			t.Errorf("seed %s covered by %d entries, want at least 5", seed, seeds[seed])
		}
	}
	if len(seeds) != 5 {
		t.Errorf("entries cite %d seeds, want 5: %v", len(seeds), seeds)
	}
}

// TestKnowledgeBaseFigures pins the figures partners act on: a typo in one of
// them is a wrong answer that no eval question might notice.
func TestKnowledgeBaseFigures(t *testing.T) {
	entries, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Entry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	tests := []struct {
		id   string
		want map[Lang][]string
	}{
		{"referral-expiry-14-days", map[Lang][]string{EN: {"14 days"}, FR: {"14 jours"}, SV: {"14 dagar"}}},
		{"cosell-help-14-days", map[Lang][]string{EN: {"14 days"}, FR: {"14 jours"}, SV: {"14 dagar"}}},
		{"rule-72-hours", map[Lang][]string{EN: {"72 hours"}, FR: {"72 heures"}, SV: {"72 timmar"}}},
		{"deal-registration-value", map[Lang][]string{EN: {"25,000 USD"}, FR: {"25 000 USD"}, SV: {"25 000 USD"}}},
		{"cpor-customer-decline", map[Lang][]string{EN: {"5 business days"}, FR: {"5 jours ouvrables"}, SV: {"5 arbetsdagar"}}},
		{"profile-migration-window", map[Lang][]string{EN: {"120 days"}, FR: {"120 jours"}, SV: {"120 dagar"}}},
		{"profile-partner-id-deadline", map[Lang][]string{EN: {"29 February 2024"}, FR: {"29 février 2024"}, SV: {"29 februari 2024"}}},
		{"partner-program-field", map[Lang][]string{EN: {"3 April 2023"}, FR: {"3 avril 2023"}, SV: {"3 april 2023"}}},
		{"csa-commission-rate", map[Lang][]string{EN: {"20%", "30%"}, FR: {"20 %", "30 %"}, SV: {"20 %", "30 %"}}},
		{"crm-program-fee", map[Lang][]string{EN: {"1,560 EUR"}, FR: {"1 560 € HT"}, SV: {"1 560 EUR"}}},
		{"sales-stages", map[Lang][]string{EN: {"Qualified 20%", "Developed 40%", "Proposed 60%", "Negotiated 80%"}}},
		{"sa-stages", map[Lang][]string{EN: {"(LOE) 20%", "Collecting data 40%", "report 60%", "customer 80%"}}},
		{"solutions-partner-designations", map[Lang][]string{EN: {"six"}, FR: {"six"}, SV: {"sex"}}},
	}
	for _, tt := range tests {
		e, ok := byID[tt.id]
		if !ok {
			t.Errorf("entry %s missing", tt.id)
			continue
		}
		for l, wants := range tt.want {
			for _, w := range wants {
				if !strings.Contains(e.Text[l].Answer, w) {
					t.Errorf("%s %s answer lacks %q: %s", tt.id, l, w, e.Text[l].Answer)
				}
			}
		}
	}
}

func validEntry(id string) Entry {
	e := Entry{ID: id, Seed: "test", Text: map[Lang]Text{}}
	for _, l := range Langs {
		e.Text[l] = Text{Question: "q " + id, Alternates: []string{"a1", "a2", "a3"}, Answer: "answer " + id}
	}
	return e
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		entries   func() []Entry
		wantID    string
		wantField string
	}{
		{"ok", func() []Entry { return []Entry{validEntry("a"), validEntry("b")} }, "", ""},
		{"empty id", func() []Entry { return []Entry{validEntry("")} }, "", "id"},
		{"space in id", func() []Entry { return []Entry{validEntry("a b")} }, "a b", "id"},
		{"duplicate id", func() []Entry { return []Entry{validEntry("a"), validEntry("a")} }, "a", "id"},
		{"missing language", func() []Entry {
			e := validEntry("a")
			delete(e.Text, SV)
			return []Entry{e}
		}, "a", "sv"},
		{"empty answer", func() []Entry {
			e := validEntry("a")
			e.Text[FR] = Text{Question: "q", Answer: "  "}
			return []Entry{e}
		}, "a", "fr.answer"},
		{"empty question", func() []Entry {
			e := validEntry("a")
			e.Text[EN] = Text{Answer: "x"}
			return []Entry{e}
		}, "a", "en.question"},
		{"empty alternate", func() []Entry {
			e := validEntry("a")
			e.Text[EN] = Text{Question: "q", Alternates: []string{"x", ""}, Answer: "x"}
			return []Entry{e}
		}, "a", "en.alternates[1]"},
		{"unsupported language", func() []Entry {
			e := validEntry("a")
			e.Text["de"] = Text{Question: "q", Answer: "x"}
			return []Entry{e}
		}, "a", "de"},
		{"unknown related", func() []Entry {
			e := validEntry("a")
			e.Related = []string{"nope"}
			return []Entry{e}
		}, "a", "related[0]"},
		{"self related", func() []Entry {
			e := validEntry("a")
			e.Related = []string{"a"}
			return []Entry{e}
		}, "a", "related[0]"},
		{"removed entries are not checked", func() []Entry {
			return []Entry{validEntry("a"), {ID: "a", Removed: true}}
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.entries())
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if ve.EntryID != tt.wantID || ve.Field != tt.wantField {
				t.Errorf("got entry %q field %q, want %q %q (%v)", ve.EntryID, ve.Field, tt.wantID, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
}

func TestNewIndexRejectsInvalidEntries(t *testing.T) {
	bad := validEntry("a")
	bad.Text[SV] = Text{Question: "q"}
	if _, err := NewIndex([]Entry{bad}); err == nil || !strings.Contains(err.Error(), `"a"`) || !strings.Contains(err.Error(), "sv.answer") {
		t.Fatalf("got %v, want an error naming entry a and sv.answer", err)
	}
}

func TestParseEntriesRejectsUnknownKeys(t *testing.T) {
	_, err := parseEntries([]byte("- id: x\n  seed: s\n  en:\n    question: q\n    alternate: [a]\n    answer: a\n"))
	if err == nil || !strings.Contains(err.Error(), "alternate") {
		t.Fatalf("got %v, want an error about the unknown key", err)
	}
}

func TestMerge(t *testing.T) {
	a, b, c := validEntry("a"), validEntry("b"), validEntry("c")
	a.Related = []string{"b", "c"}
	edited := validEntry("b")
	edited.Text[EN] = Text{Question: "edited", Answer: "edited answer"}
	tests := []struct {
		name      string
		base      []Entry
		overrides []Entry
		wantIDs   []string
		check     func(t *testing.T, out []Entry)
	}{
		{"no overrides", []Entry{a, b, c}, nil, []string{"a", "b", "c"}, nil},
		{"override wins by id", []Entry{a, b, c}, []Entry{edited}, []string{"a", "b", "c"}, func(t *testing.T, out []Entry) {
			if out[1].Text[EN].Question != "edited" {
				t.Errorf("override not applied: %+v", out[1].Text[EN])
			}
		}},
		{"removed drops the entry and links to it", []Entry{a, b, c}, []Entry{{ID: "c", Removed: true}}, []string{"a", "b"}, func(t *testing.T, out []Entry) {
			if !slices.Equal(out[0].Related, []string{"b"}) {
				t.Errorf("related = %v, want [b]", out[0].Related)
			}
		}},
		{"new entries follow the base", []Entry{a, b, c}, []Entry{validEntry("z"), validEntry("y")}, []string{"a", "b", "c", "z", "y"}, nil},
		{"last override of an id wins", []Entry{b}, []Entry{{ID: "b", Removed: true}, validEntry("b")}, []string{"b"}, nil},
		{"removing an unknown id is harmless", []Entry{a, b, c}, []Entry{{ID: "nope", Removed: true}}, []string{"a", "b", "c"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseCopy := slices.Clone(tt.base)
			out := Merge(tt.base, tt.overrides)
			var ids []string
			for _, e := range out {
				ids = append(ids, e.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Fatalf("ids = %v, want %v", ids, tt.wantIDs)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
			for i := range baseCopy {
				if !slices.Equal(baseCopy[i].Related, tt.base[i].Related) || baseCopy[i].ID != tt.base[i].ID {
					t.Errorf("Merge modified its input at %d", i)
				}
			}
			if err := Validate(out); err != nil {
				t.Errorf("merged set invalid: %v", err)
			}
		})
	}
}
