package faq

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
)

// Limits that keep Ask fast whatever users paste into the chat.
const (
	maxCompoundBytes = 64  // longer "words" are not split into compound parts
	maxQuestionBytes = 400 // about 60 words; chat questions rarely pass 120 bytes
	maxTerms         = 24
)

// Index answers questions from a fixed set of entries, with the weights
// and threshold of calibration.go (fitted on the tuning set by Calibrate;
// TestCalibrationIsCurrent fails when the knowledge base or the scoring
// changed without `go run ./cmd/faqeval -calibrate`). It is immutable after
// NewIndex, so Ask is safe for concurrent use; to change the knowledge base,
// build a new Index and swap it in.
type Index struct {
	langs   map[Lang]*langIndex
	entries map[string]*Entry
	order   []string
	pos     map[string]int // entry ID → place in order, for stable ties
	vocab   langVocab
	// spoken is vocab for telling a question's language: the knowledge
	// base's English words that partners also type in French or Swedish
	// questions are no hint of English there (spokenVocab).
	spoken langVocab
	mend   mender // mends a question's swapped letters before it is read
	// numbers are the numbers the knowledge base states, normalised: an
	// amount in a question's story is dropped unless it is one of them
	// (withoutStory).
	numbers   map[string]bool
	model     Model
	threshold float64
	ranker    *ranker // the learned ranker (ranker.go)
	near      *neighbourIndex
	names     *nameIndex // the knowledge base's names, as every language's index holds them
	setting   cvSetting  // its features and training
	closed    atomic.Bool
	// oof memoises the tuning set's cross-fitted ranker probabilities
	// (crossfit.go), used only by Calibrate and EvaluateLeaveOneOut.
	oofMu sync.Mutex
	oof   map[uint64][][]float64
}

// NewIndex validates entries and indexes those not marked Removed. Pass
// Merge(base, overrides) to include admin edits. Building is pure in-memory
// work: about 0.3 s of CPU for the lexical indexes and 3 s to train the
// learned ranker on two cores (see BenchmarkNewIndex), both saved when a
// ModelCache holds them for the same texts (WithModelCache). Training at
// build time, not shipping weights, keeps the ranker in step with admins'
// edits; serve builds in the background at start, so no question waits for
// it.
func NewIndex(entries []Entry, opts ...Option) (*Index, error) {
	var o buildOptions
	for _, opt := range opts {
		opt(&o)
	}
	var live []Entry
	for _, e := range entries {
		if !e.Removed {
			live = append(live, e)
		}
	}
	if err := Validate(live); err != nil {
		return nil, err
	}
	ix := indexOf(live)
	// The tuning set is read only for what the cache does not hold: with
	// the executable known, the files' key needs none of it
	// (entriesDigest), and a cached build reads its analysis, ranker and
	// neighbour index, and what the questions teach a question's readers
	// (buildAnalysis), from the cache. Decoding the set, its texts and their
	// digest came first before: 90 ms of a one-shot ask's critical path,
	// and with the readers' work a fifth of its CPU.
	tuned := sync.OnceValues(func() (learnedSet, error) {
		cases, ex, err := cachedTuning(o.cache)
		return learnedSet{Cases: cases, Examples: ex}, err
	})
	texts := sync.OnceValues(func() ([]rankerText, error) {
		set, err := tuned()
		if err != nil {
			return nil, err
		}
		return ix.rankerTexts(set.Cases), nil
	})
	// The cache keys the ranker, the analysis and the neighbour index by
	// one digest of what decides them.
	rkey, dkey, nkey := "", "", ""
	if o.cache != nil {
		digest := ix.entriesDigest(live)
		if digest == "" {
			ts, err := texts()
			if err != nil {
				return nil, err
			}
			digest = ix.buildDigest(ts)
		}
		rkey, dkey, nkey = rankerFormat+"-"+digest, docsFormat+"-"+digest, neighboursFormat+"-"+digest
	}
	// A cached ranker is read and decoded while the languages are
	// analysed: neither needs the other, and together they were most of a
	// cached build (a one-shot ask) one after the other.
	cached := make(chan *ranker, 1)
	go func() { cached <- readRanker(rkey, o.cache) }()
	type nearOrErr struct {
		nx  *neighbourIndex
		err error
	}
	nearc := make(chan nearOrErr, 1)
	go func() {
		nx, err := cachedNeighbours(texts, len(ix.order)+1, o.cache, nkey)
		nearc <- nearOrErr{nx, err}
	}()
	// The analysis, when a build of the same texts by this executable kept
	// it (docsfile.go).
	var docs *buildAnalysis
	if o.cache != nil {
		if b, ok := o.cache.Get(dkey); ok {
			if a, err := decodeDocs(b); err == nil && a.fits(len(live)) {
				docs = &a // else analysed again, and kept anew
			}
		}
	}
	// What reads a question before it is ranked (its swapped letters
	// mended, its language told) needs nothing the rest of the build makes,
	// and nothing but a question asks for it: it is made beside the rest
	// (105 of a cached build's 400 ms when it went first).
	var readers sync.WaitGroup
	defer readers.Wait() // on every return, so that no build leaves it running
	var (
		ex       examples
		langDocs map[Lang]*analysedLang
	)
	if docs != nil {
		langDocs = docs.langs
		ix.spoken = docs.spoken
		readers.Go(func() { ix.mend = newMender(ix.vocab, docs.typed) })
	} else {
		set, err := tuned()
		if err != nil {
			return nil, err
		}
		ex = set.Examples
		readers.Go(func() {
			typed := typedQuestions(set.Cases)
			ix.mend = newMender(ix.vocab, typedWords(typed))
			ix.spoken = spokenVocab(ix.vocab, typed)
		})
	}
	built, analysed, err := buildLangs(live, ex, langDocs)
	readers.Wait()
	r := <-cached
	if err != nil {
		return nil, err
	}
	names := newNameIndex(live)
	for _, li := range built {
		li.names = names
	}
	ix.names = names
	if o.cache != nil && docs == nil {
		keep := buildAnalysis{langs: map[Lang]*analysedLang{}, typed: ix.mend.typed, spoken: ix.spoken}
		for i, l := range Langs {
			keep.langs[l] = analysed[i]
		}
		if b, err := encodeDocs(keep); err == nil {
			o.cache.Put(dkey, b)
		}
	}
	for i, l := range Langs {
		ix.langs[l] = built[i]
	}
	if ix.ranker, err = ix.useRanker(live, r, texts, rkey, o.cache); err != nil {
		return nil, err
	}
	near := <-nearc
	if near.err != nil {
		return nil, near.err
	}
	ix.near = near.nx
	ix.buildLoans()
	return ix, nil
}

// indexOf is an Index of entries live with their words and numbers read,
// its languages, ranker and neighbours still to build (NewIndex).
func indexOf(live []Entry) *Index {
	ix := &Index{
		langs:     make(map[Lang]*langIndex, len(Langs)),
		entries:   make(map[string]*Entry, len(live)),
		pos:       make(map[string]int, len(live)),
		vocab:     langVocab{},
		numbers:   map[string]bool{},
		model:     calibrated,
		threshold: calibrated.Threshold,
		setting:   cvGrid[0],
	}
	for i := range live {
		e := &live[i]
		ix.entries[e.ID] = e
		ix.pos[e.ID] = len(ix.order)
		ix.order = append(ix.order, e.ID)
		for _, l := range Langs {
			t := e.Text[l]
			ix.vocab.add(l, t.Question)
			for _, a := range t.Alternates {
				ix.vocab.add(l, a)
			}
			ix.vocab.add(l, t.Answer)
			for _, n := range numberPattern.FindAllString(normalize(t.Answer+" "+t.Question+" "+strings.Join(t.Alternates, " ")), -1) {
				ix.numbers[n] = true
			}
		}
	}
	ix.vocab.add(EN, britishSpellings)
	return ix
}

// buildLangs builds the languages' indexes of entries live and learned
// examples ex, in Langs' order, each from its cached analysis in docs when
// there is one, with what each analysed. The languages are independent:
// they are built side by side.
func buildLangs(live []Entry, ex examples, docs map[Lang]*analysedLang) ([]*langIndex, []*analysedLang, error) {
	built := make([]*langIndex, len(Langs))
	analysed := make([]*analysedLang, len(Langs))
	errs := make([]error, len(Langs))
	var wg sync.WaitGroup
	for i, l := range Langs {
		wg.Go(func() { built[i], analysed[i], errs[i] = newLangIndex(l, live, ex, docs[l]) })
	}
	wg.Wait()
	return built, analysed, errors.Join(errs...)
}

// Len reports how many entries are indexed (removed ones excluded).
func (ix *Index) Len() int { return len(ix.order) }

// Close marks an Index that has been replaced: a straggling Ask on it
// answers nothing rather than an outdated answer. It holds no other
// resources, so Close never fails.
func (ix *Index) Close() error {
	ix.closed.Store(true)
	return nil
}
