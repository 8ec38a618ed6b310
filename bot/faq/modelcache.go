package faq

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// ModelCache keeps trained rankers, and the analysed knowledge base
// (docsfile.go), between processes. Training is most of an index build
// (about 4 of its 6-7 s on two cores since 0.64.0), the analysis most of
// the rest; a one-shot `cosellbot ask` would otherwise do both again for
// every question. Get returns what Put stored under key, or false; Put
// may fail silently (a cache, not a store). The bytes Get returns are read
// in place by what decodes them (a ranker keeps its weights there) and
// changed by neither side afterwards.
type ModelCache interface {
	Get(key string) ([]byte, bool)
	Put(key string, b []byte)
}

// Option configures NewIndex (and NewLive's builds).
type Option func(*buildOptions)

type buildOptions struct {
	cache ModelCache
}

// WithModelCache reuses a ranker trained earlier on exactly the same
// training texts and settings by the same executable, and keeps the ranker
// trained otherwise.
func WithModelCache(c ModelCache) Option {
	return func(o *buildOptions) { o.cache = c }
}

// rankerFormat names the encoding below; a change of it (or of anything
// the ranker holds) must change this, though the executable's identity in
// the key already keeps one build from reading another's file.
const rankerFormat = "faq-ranker-v5"

// buildDigest identifies a build by everything that decides the ranker's
// weights: the training texts, the setting, the class count, and the
// executable that trains (a rebuilt binary may train differently). It
// names the analysis too (docsFormat): the entries' texts and the learned
// examples it reads are among those texts, and the executable analyses.
// A build whose executable is known uses entriesDigest, which needs no
// texts; this is for one whose executable is not.
func (ix *Index) buildDigest(texts []rankerText) string {
	h := sha256.New()
	put := func(s string) { writeString(h, s) }
	put(rankerFormat)
	put(executableID())
	put(fmt.Sprintf("%#v", ix.setting))
	put(fmt.Sprint(len(ix.order) + 1))
	for _, t := range texts {
		put(t.text)
		put(string(t.lang))
		put(fmt.Sprint(t.class, t.kind))
		put(t.group)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// entriesDigest identifies a build as buildDigest does, from what decides
// the training texts rather than from the texts: the executable (it embeds
// the tuning set, and its code turns that and the entries into texts), the
// setting, the class count and the live entries, every field. It needs no
// tuning set read, so a cached build looks its files up at once. It is ""
// when the executable is unknown: then only the texts can tell one
// build's from another's.
func (ix *Index) entriesDigest(live []Entry) string {
	id := executableID()
	if id == "" {
		return ""
	}
	h := sha256.New()
	put := func(s string) { writeString(h, s) }
	put(rankerFormat)
	put(id)
	put(fmt.Sprintf("%#v", ix.setting))
	put(fmt.Sprint(len(ix.order) + 1))
	for _, e := range live {
		put(e.ID)
		put(e.Seed)
		put(fmt.Sprint(len(e.Related)))
		for _, r := range e.Related {
			put(r)
		}
		for _, l := range Langs {
			t := e.Text[l]
			put(string(l))
			put(t.Question)
			put(fmt.Sprint(len(t.Alternates)))
			for _, a := range t.Alternates {
				put(a)
			}
			put(t.Answer)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// executableID tells this build of the program from others: its path, size
// and modification time (go run and go test rebuild into a new file when
// the code changes). Empty when the executable cannot be found, which only
// makes every build share a key with other such builds of the same texts.
func executableID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	st, err := os.Stat(exe)
	if err != nil {
		return exe
	}
	return fmt.Sprintf("%s|%d|%d", exe, st.Size(), st.ModTime().UnixNano())
}

// rankerFile is a ranker as the cache keeps it: a sealed file (docsfile.go)
// of this header, then each member's weights, len(Scale)×NClass bytes in
// member order. The weights (12 of the file's 14 MB) are not a field of the
// gob: gob copies a []byte into its message buffer and again into the
// field, and the int8 conversion copied it a third time, each a fresh 12 MB
// a one-shot `cosellbot ask` faulted in. Read in place, they are the bytes
// the cache returned (decodeRanker).
type rankerFile struct {
	Bigrams bool
	CharMin int
	CharMax int
	WWord   float64
	WBigram float64
	WChar   float64
	WTrans  float64
	Words   []string // the feature dictionary, by id (ids are dense)
	NClass  int
	Members []memberFile
	Trans   map[Lang]translations
}

// memberFile is a member's biases and per-feature scales; its int8 weights
// follow the gob (rankerFile).
type memberFile struct {
	NClass int
	Bias   []float32
	Scale  []float32
}

func encodeRanker(r *ranker) ([]byte, error) {
	f := rankerFile{
		Bigrams: r.spec.bigrams, CharMin: r.spec.charMin, CharMax: r.spec.charMax,
		WWord: r.spec.wWord, WBigram: r.spec.wBigram, WChar: r.spec.wChar, WTrans: r.spec.wTrans, Words: dictWords(r.dict), NClass: r.nClass,
		Trans: r.trans,
	}
	for id, w := range f.Words {
		if w == "" {
			return nil, fmt.Errorf("faq: the ranker's dictionary is not dense (no feature %d)", id)
		}
	}
	var weights [][]byte
	for _, m := range r.models {
		if m.w != nil || len(m.q) != len(m.scale)*m.nClass {
			return nil, fmt.Errorf("faq: a ranker member is not compacted")
		}
		f.Members = append(f.Members, memberFile{NClass: m.nClass, Bias: m.bias, Scale: m.scale})
		weights = append(weights, int8Bytes(m.q))
	}
	b, err := seal(rankerFormat, &f, weights...)
	if err != nil {
		return nil, fmt.Errorf("faq: encode the ranker: %w", err)
	}
	return b, nil
}

// decodeRanker reads a cached ranker from b, whose weights it keeps in
// place: b is the ranker's from then on (ModelCache.Get).
func decodeRanker(b []byte) (*ranker, error) {
	var f rankerFile
	weights, err := unsealTail(rankerFormat, b, &f)
	if err != nil {
		return nil, fmt.Errorf("faq: a cached ranker: %w", err)
	}
	dict := make(map[string]int32, len(f.Words))
	for id, w := range f.Words {
		if _, dup := dict[w]; dup {
			return nil, fmt.Errorf("faq: a cached ranker's feature %q appears twice", w)
		}
		dict[w] = int32(id)
	}
	r := &ranker{
		spec:   featSpec{bigrams: f.Bigrams, charMin: f.CharMin, charMax: f.CharMax, wWord: f.WWord, wBigram: f.WBigram, wChar: f.WChar, wTrans: f.WTrans},
		dict:   dict,
		nClass: f.NClass,
		trans:  f.Trans,
	}
	for _, m := range f.Members {
		if m.NClass <= 0 || m.NClass != f.NClass || len(m.Bias) != m.NClass || len(m.Scale) < len(f.Words) || len(m.Scale) > len(weights)/m.NClass {
			return nil, fmt.Errorf("faq: a cached ranker's member has inconsistent sizes")
		}
		n := len(m.Scale) * m.NClass
		r.models = append(r.models, &softmaxModel{nClass: m.NClass, bias: m.Bias, q: bytesInt8(weights[:n:n]), scale: m.Scale})
		weights = weights[n:]
	}
	if len(r.models) == 0 {
		return nil, fmt.Errorf("faq: a cached ranker without members")
	}
	if len(weights) > 0 {
		return nil, fmt.Errorf("faq: a cached ranker with %d bytes after its weights", len(weights))
	}
	return r, nil
}

// writeString hashes s after its length, so that no two lists of strings
// hash alike by moving a boundary.
func writeString(h hash.Hash, s string) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// readRanker is the ranker the cache holds under key (rankerFormat and
// the build's digest), or nil. It reads nothing of the languages' indexes,
// so it runs while they are built.
func readRanker(key string, c ModelCache) *ranker {
	if c == nil {
		return nil
	}
	if b, ok := c.Get(key); ok {
		if r, err := decodeRanker(b); err == nil {
			return r
		}
	}
	return nil
}

// useRanker is newRanker through the cache: cached, the ranker readRanker
// found, else one trained now on texts and stored under key.
func (ix *Index) useRanker(entries []Entry, cached *ranker, texts func() ([]rankerText, error), key string, c ModelCache) (*ranker, error) {
	if cached != nil {
		ix.useTranslations(cached.trans)
		return cached, nil
	}
	ts, err := texts()
	if err != nil {
		return nil, err
	}
	ix.buildTranslations(entries)
	r := ix.newRanker(ts)
	r.trans = ix.translations()
	if c != nil {
		if b, err := encodeRanker(r); err == nil {
			c.Put(key, b)
		}
	}
	return r, nil
}

// DirCache is a ModelCache of files in a directory (created when first
// written), one per key; writing a key removes the files of other keys of
// its kind, so that the directory holds the current ranker and analysis
// only.
type DirCache string

// Get reads key's file.
func (d DirCache) Get(key string) ([]byte, bool) {
	if d == "" || !validKey(key) {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(string(d), key+".gob"))
	return b, err == nil
}

// Put writes key's file atomically (a temporary file renamed), then
// removes the other keys' files. Errors are ignored: the next build trains.
func (d DirCache) Put(key string, b []byte) {
	if d == "" || !validKey(key) {
		return
	}
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(string(d), key+".*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	final := filepath.Join(string(d), key+".gob")
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), final) != nil {
		_ = os.Remove(tmp.Name())
		return
	}
	// A key is its kind (a format, "faq-ranker-v5") and a digest after the
	// last dash: the files of other keys of that kind are stale.
	kind := key
	if i := strings.LastIndex(key, "-"); i >= 0 {
		kind = key[:i+1]
	}
	old, _ := filepath.Glob(filepath.Join(string(d), kind+"*.gob"))
	for _, f := range old {
		if f != final {
			_ = os.Remove(f)
		}
	}
}

// validKey accepts the keys NewIndex makes: no path separators.
func validKey(key string) bool {
	return key != "" && !strings.ContainsAny(key, `/\`) && !strings.Contains(key, "..")
}

// dictWords lists a dense dictionary's words by id.
func dictWords(dict map[string]int32) []string {
	words := make([]string, len(dict))
	for w, id := range dict {
		if int(id) >= 0 && int(id) < len(words) {
			words[id] = w // a gap stays "", which encodeRanker refuses
		}
	}
	return words
}

// int8Bytes is q's memory as bytes, and bytesInt8 b's as int8s: the same
// bytes, not a copy (int8 and byte have one size and alignment). The
// weights are written and read in place (rankerFile); nothing changes
// them once trained.
func int8Bytes(q []int8) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(q))), len(q))
}

func bytesInt8(b []byte) []int8 {
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}
