package faq

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lang is a supported language code. Only the three languages of the
// partners the bot serves exist, so a plain string type is enough.
type Lang string

// The supported languages. English is also the fallback when detection finds
// nothing to go on (a bare "CPOR?" for instance).
const (
	EN Lang = "en"
	FR Lang = "fr"
	SV Lang = "sv"
)

// Langs lists the supported languages in a fixed order so that every loop over
// languages (indexing, fallback search, validation messages) is deterministic.
var Langs = []Lang{EN, FR, SV}

// Entry is one knowledge-base item: the same fact written in every language.
// Entries come from the embedded YAML (Load) or from the database overrides.
type Entry struct {
	// ID is a stable slug (e.g. "partner-id-where"); overrides, related links
	// and the eval set refer to entries by it, so it must never be recycled.
	ID string
	// Seed names the source document the facts come from, for audits.
	Seed string
	// Related lists the IDs offered as follow-ups after this entry's answer.
	Related []string
	// Text holds the wording per language; all of EN, FR and SV are required
	// so that the bot can always answer in the user's language.
	Text map[Lang]Text
	// Removed marks an override that deletes the base entry with the same ID.
	// Merge drops such entries; NewIndex ignores them.
	Removed bool
}

// Text is an entry's wording in one language.
type Text struct {
	// Question is the canonical question, shown in suggestions and follow-ups.
	Question string
	// Alternates are other phrasings users type; they are indexed with the
	// same weight as Question, which is how an editor fixes a missed question.
	Alternates []string
	// Answer is what the bot replies (1-5 sentences).
	Answer string
}

// ValidationError reports one problem in one entry, naming the field, so that
// an admin editing an entry through the bot can be told exactly what to fix.
type ValidationError struct {
	EntryID string // may be empty when the ID itself is missing
	Field   string // e.g. "id", "fr.answer", "related[2]"
	Problem string
}

// Error implements error.
func (e *ValidationError) Error() string {
	id := e.EntryID
	if id == "" {
		id = "(no id)"
	}
	return fmt.Sprintf("faq: entry %q: %s: %s", id, e.Field, e.Problem)
}

// Validate checks a set of entries as NewIndex would see them: IDs present and
// unique, the three languages present with a question and an answer, related
// IDs pointing at entries of the set. Removed entries are skipped. Exported so
// that the database layer can reject a bad admin edit before storing it. All
// problems are returned joined, each a *ValidationError.
func Validate(entries []Entry) error {
	var errs []error
	add := func(id, field, problem string) {
		errs = append(errs, &ValidationError{EntryID: id, Field: field, Problem: problem})
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if e.Removed {
			continue
		}
		if strings.TrimSpace(e.ID) == "" {
			add("", "id", "empty")
			continue
		}
		if e.ID != strings.TrimSpace(e.ID) || strings.ContainsAny(e.ID, " \t\n") {
			add(e.ID, "id", "contains whitespace")
		}
		if seen[e.ID] {
			add(e.ID, "id", "duplicate")
		}
		seen[e.ID] = true
	}
	for _, e := range entries {
		if e.Removed || strings.TrimSpace(e.ID) == "" {
			continue
		}
		for _, l := range Langs {
			t, ok := e.Text[l]
			if !ok {
				add(e.ID, string(l), "language missing")
				continue
			}
			if strings.TrimSpace(t.Question) == "" {
				add(e.ID, string(l)+".question", "empty")
			}
			if strings.TrimSpace(t.Answer) == "" {
				add(e.ID, string(l)+".answer", "empty")
			}
			for i, a := range t.Alternates {
				if strings.TrimSpace(a) == "" {
					add(e.ID, fmt.Sprintf("%s.alternates[%d]", l, i), "empty")
				}
			}
		}
		for l := range e.Text {
			if !isLang(l) {
				add(e.ID, string(l), "unsupported language")
			}
		}
		for i, r := range e.Related {
			switch {
			case r == e.ID:
				add(e.ID, fmt.Sprintf("related[%d]", i), "refers to itself")
			case !seen[r]:
				add(e.ID, fmt.Sprintf("related[%d]", i), fmt.Sprintf("unknown entry %q", r))
			}
		}
	}
	return errors.Join(errs...)
}

func isLang(l Lang) bool {
	for _, x := range Langs {
		if x == l {
			return true
		}
	}
	return false
}

// Merge overlays overrides (admin edits from the database) on the base
// entries: an override replaces the base entry with the same ID as a whole, an
// override with Removed deletes it, and an override with a new ID adds an
// entry. Related links to removed entries are dropped so that deleting one
// entry never invalidates the others. Base order is kept and new entries
// follow in override order, so the result (and the index) is deterministic.
// The inputs are not modified.
func Merge(base, overrides []Entry) []Entry {
	over := make(map[string]Entry, len(overrides))
	var order []string
	for _, o := range overrides {
		if _, dup := over[o.ID]; !dup {
			order = append(order, o.ID)
		}
		over[o.ID] = o // the last override of an ID wins
	}
	inBase := make(map[string]bool, len(base))
	out := make([]Entry, 0, len(base)+len(overrides))
	for _, b := range base {
		inBase[b.ID] = true
		if o, ok := over[b.ID]; ok {
			b = o
		}
		if !b.Removed {
			out = append(out, b)
		}
	}
	for _, id := range order {
		if o := over[id]; !inBase[id] && !o.Removed {
			out = append(out, o)
		}
	}
	removed := make(map[string]bool)
	for _, o := range overrides {
		if over[o.ID].Removed {
			removed[o.ID] = true
		}
	}
	if len(removed) == 0 {
		return out
	}
	for i, e := range out {
		var keep []string
		for _, r := range e.Related {
			if !removed[r] {
				keep = append(keep, r)
			}
		}
		if len(keep) != len(e.Related) {
			out[i].Related = keep
		}
	}
	return out
}

//go:embed kb/*.yaml
var kbFS embed.FS

// testdataFS holds the tuning files, the learned examples (examples.go),
// and InScopeFile, which labels some of their questions.
//
//go:embed testdata/tuning.yaml testdata/tuning-chat.yaml testdata/tuning-chat2.yaml testdata/legacy-eval.yaml testdata/legacy-holdout.yaml testdata/tuning-context.yaml testdata/tuning-context2.yaml testdata/tuning-context3.yaml testdata/dev4.yaml testdata/dev5.yaml testdata/dev6.yaml testdata/dev7.yaml testdata/tuning-chat5.yaml testdata/tuning-context5.yaml testdata/tuning-chat6.yaml testdata/tuning-plain6.yaml testdata/tuning-chat7.yaml testdata/dev8.yaml testdata/tuning-chat8.yaml testdata/dev9.yaml testdata/dev10.yaml testdata/tuning-chat11.yaml testdata/dev12.yaml testdata/tuning-chat12.yaml testdata/dev13.yaml testdata/tuning-chat13.yaml testdata/dev14.yaml testdata/tuning-chat17.yaml testdata/tuning-chat18.yaml testdata/tuning-chat19.yaml testdata/tuning-chat10.yaml testdata/tuning-chat14.yaml testdata/tuning-chat9.yaml testdata/tuning-chat20.yaml testdata/tuning-chat21.yaml testdata/tuning-chat23.yaml testdata/tuning-chat24.yaml testdata/tuning-chat25.yaml testdata/tuning-chat3.yaml testdata/tuning-chat4.yaml testdata/tuning-contrast.yaml testdata/tuning-context4.yaml testdata/near-miss-faq9b.yaml testdata/tuning-chat27.yaml testdata/tuning-chat28.yaml testdata/tuning-chat30.yaml testdata/inscope.yaml
var testdataFS embed.FS

// yamlText and yamlEntry mirror the file format; they are kept apart from
// Entry so the public type does not carry YAML tags the DB layer won't use.
type yamlText struct {
	Question   string   `yaml:"question"`
	Alternates []string `yaml:"alternates"`
	Answer     string   `yaml:"answer"`
}

type yamlEntry struct {
	ID      string    `yaml:"id"`
	Seed    string    `yaml:"seed"`
	Related []string  `yaml:"related"`
	EN      *yamlText `yaml:"en"`
	FR      *yamlText `yaml:"fr"`
	SV      *yamlText `yaml:"sv"`
}

// Load returns the embedded knowledge base (kb/*.yaml), validated. Files are
// read in name order so entry order, and thus tie-breaking, is stable.
func Load() ([]Entry, error) {
	return loadFS(kbFS, "kb")
}

func loadFS(fsys fs.FS, dir string) ([]Entry, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []Entry
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		entries, err := parseEntries(data)
		if err != nil {
			return nil, fmt.Errorf("faq: %s: %w", name, err)
		}
		all = append(all, entries...)
	}
	if err := Validate(all); err != nil {
		return nil, err
	}
	return all, nil
}

// decodeStrict decodes a YAML list of items, rejecting unknown keys, so
// that a misspelt key ("alternate:", "expected:") fails loudly instead of
// silently dropping what it holds; an empty file is an empty list.
func decodeStrict[T any](data []byte) ([]T, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var items []T
	if err := dec.Decode(&items); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return items, nil
}

// langsIn are the languages m holds, in order: reports print them so.
func langsIn[V any](m map[Lang]V) []Lang {
	return slices.Sorted(maps.Keys(m))
}

// parseEntries decodes one YAML file. Unknown keys are rejected: a misspelt
// "alternate:" would otherwise silently drop phrasings from the index.
func parseEntries(data []byte) ([]Entry, error) {
	raw, err := decodeStrict[yamlEntry](data)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(raw))
	for _, r := range raw {
		e := Entry{ID: r.ID, Seed: r.Seed, Related: r.Related, Text: map[Lang]Text{}}
		for l, t := range map[Lang]*yamlText{EN: r.EN, FR: r.FR, SV: r.SV} {
			if t != nil {
				e.Text[l] = Text{Question: t.Question, Alternates: t.Alternates, Answer: strings.TrimSpace(t.Answer)}
			}
		}
		out = append(out, e)
	}
	return out, nil
}
