package faq

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"fmt"
	"maps"
	"slices"
)

// The analysed knowledge base in the model cache. Analysing every phrasing
// of every entry in three languages (the learned examples included) is most
// of an index build once the ranker is cached: about 330 ms of CPU, which a
// one-shot `cosellbot ask` paid on every question. It depends only on the
// texts and the code, so the cache keeps it beside the ranker, in a file of
// its own: it is read before the languages are built, while the ranker is
// read beside them (NewIndex).

// docsFormat names the encoding below; the file's key is it and the
// build's digest (entriesDigest, else buildDigest), which names the texts
// and the executable, so one build never reads another's file.
const docsFormat = "faq-docs-v3"

// A sealed file is what the cache keeps of the analysis, the neighbour
// index (neighboursfile.go) and the tuning set (examples.go): its format's
// name and a newline, the SHA-256 of the payload, then the payload, the
// gob of the value. The digest makes a torn file built again rather than
// read wrong. Until 0.56.0 the header and payload were a gob of their own,
// which copied every payload twice more (into gob's message buffer, then
// into the payload's field): 16 MB twice on every one-shot `cosellbot ask`,
// whose median fell from 0.88-0.90 s to 0.81-0.84 s without them.

// seal gob-encodes v as a sealed file of format, tails written after the
// gob and covered by the digest too (the ranker's weights: see
// encodeRanker).
func seal(format string, v any, tails ...[]byte) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(format)
	b.WriteByte('\n')
	b.Write(make([]byte, sha256.Size)) // the digest, once the payload is written
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	for _, t := range tails {
		b.Write(t)
	}
	out := b.Bytes()
	head := len(format) + 1
	sum := sha256.Sum256(out[head+sha256.Size:])
	copy(out[head:], sum[:])
	return out, nil
}

// unseal decodes into v what seal made of format from b, or fails on a
// torn file, another format, or bytes after the value.
func unseal(format string, b []byte, v any) error {
	tail, err := unsealTail(format, b, v)
	if err == nil && len(tail) > 0 {
		return fmt.Errorf("a %s file with %d bytes after its value", format, len(tail))
	}
	return err
}

// unsealTail is unseal of a file sealed with tails: it returns the bytes
// after the value, a part of b. gob reads from a bytes.Reader (an
// io.ByteReader) no further than the value it decodes, so what the reader
// has left is the tails.
func unsealTail(format string, b []byte, v any) ([]byte, error) {
	rest, ok := bytes.CutPrefix(b, []byte(format+"\n"))
	if !ok || len(rest) < sha256.Size {
		return nil, fmt.Errorf("not a %s file", format)
	}
	if sum := sha256.Sum256(rest[sha256.Size:]); !bytes.Equal(sum[:], rest[:sha256.Size]) {
		return nil, fmt.Errorf("a torn %s file", format)
	}
	payload := rest[sha256.Size:]
	r := bytes.NewReader(payload)
	if err := gob.NewDecoder(r).Decode(v); err != nil {
		return nil, err
	}
	return payload[len(payload)-r.Len():], nil
}

// buildAnalysis is a build's analysis as the cache keeps it: the knowledge
// base's, language by language, and what the tuning questions teach the
// readers of a question (typed, the words they type, for the mender;
// spoken, the vocabulary that tells languages). With the last two kept, a
// cached build reads no tuning set: decoding its 41,000 questions, folding
// them and counting their words was a fifth of a one-shot ask's CPU.
type buildAnalysis struct {
	langs  map[Lang]*analysedLang
	typed  map[string]bool
	spoken langVocab
}

// docsFile is a buildAnalysis as the file holds it, its sets as sorted lists.
type docsFile struct {
	Langs       []langDocsFile
	Typed       []string
	Spoken      []string
	SpokenLangs []uint8 // each spoken word's languages (langBit)
}

type langDocsFile struct {
	Lang      Lang
	Compounds []string
	Docs      []rawDocFile
}

// rawDocFile is a rawDoc with its sets as sorted lists.
type rawDocFile struct {
	Defines, A, Intents, Amounts, Numbers []string
	NKB                                   int
	Phrasings, PhraseIntents              [][]string
	Figure, Minimum                       bool
}

func encodeDocs(a buildAnalysis) ([]byte, error) {
	f := docsFile{Typed: setList(a.typed), Spoken: slices.Sorted(maps.Keys(a.spoken))}
	for _, w := range f.Spoken {
		f.SpokenLangs = append(f.SpokenLangs, a.spoken[w])
	}
	for _, l := range Langs {
		al := a.langs[l]
		if al == nil {
			return nil, fmt.Errorf("faq: no analysis of %s to keep", l)
		}
		lf := langDocsFile{Lang: l, Compounds: al.compounds}
		for _, r := range al.raw {
			lf.Docs = append(lf.Docs, rawDocFile{
				Defines: setList(r.defines), A: slices.Sorted(maps.Keys(r.a)), Intents: setList(r.intents),
				Amounts: setList(r.amounts), Numbers: setList(r.numbers), NKB: r.nKB,
				Phrasings: r.phrasings, PhraseIntents: r.phraseIntents, Figure: r.figure, Minimum: r.minimum,
			})
		}
		f.Langs = append(f.Langs, lf)
	}
	b, err := seal(docsFormat, f)
	if err != nil {
		return nil, fmt.Errorf("faq: encode the analysis: %w", err)
	}
	return b, nil
}

func decodeDocs(b []byte) (buildAnalysis, error) {
	var f docsFile
	if err := unseal(docsFormat, b, &f); err != nil {
		return buildAnalysis{}, fmt.Errorf("faq: decode the cached analysis: %w", err)
	}
	if len(f.Spoken) == 0 || len(f.Spoken) != len(f.SpokenLangs) {
		return buildAnalysis{}, fmt.Errorf("faq: the cached analysis has %d spoken words for %d languages' bits", len(f.Spoken), len(f.SpokenLangs))
	}
	a := buildAnalysis{langs: map[Lang]*analysedLang{}, typed: listSet(f.Typed), spoken: make(langVocab, len(f.Spoken))}
	for i, w := range f.Spoken {
		a.spoken[w] = f.SpokenLangs[i]
	}
	for _, lf := range f.Langs {
		al := &analysedLang{compounds: lf.Compounds}
		for _, d := range lf.Docs {
			r := rawDoc{
				defines: listSet(d.Defines), nKB: d.NKB, phrasings: d.Phrasings, phraseIntents: d.PhraseIntents,
				a: make(map[string]struct{}, len(d.A)), intents: listSet(d.Intents), figure: d.Figure, minimum: d.Minimum,
				amounts: listSet(d.Amounts), numbers: listSet(d.Numbers),
			}
			for _, t := range d.A {
				r.a[t] = struct{}{}
			}
			if r.nKB < 0 || r.nKB > len(r.phrasings) || len(r.phraseIntents) != len(r.phrasings) {
				return buildAnalysis{}, fmt.Errorf("faq: the cached analysis has inconsistent sizes")
			}
			al.raw = append(al.raw, r)
		}
		a.langs[lf.Lang] = al
	}
	for _, l := range Langs {
		if a.langs[l] == nil {
			return buildAnalysis{}, fmt.Errorf("faq: the cached analysis lacks %s", l)
		}
	}
	return a, nil
}

func setList(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func listSet(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, k := range l {
		m[k] = true
	}
	return m
}

// fits reports whether the cached analysis a is one of n entries in every
// language: a build from it reads no learned example.
func (a *buildAnalysis) fits(n int) bool {
	for _, l := range Langs {
		if al := a.langs[l]; al == nil || len(al.raw) != n {
			return false
		}
	}
	return true
}
