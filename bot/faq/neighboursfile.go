package faq

import (
	"fmt"
)

// The neighbour index in the model cache. Building it (neighbours.go) is
// 0.17 s of CPU and 83 MB of garbage, which a one-shot `cosellbot ask`
// paid on every question though the ranker and the analysis come from the
// cache; it depends only on the texts and the code, so the cache keeps it
// beside them, in a file of its own.

// neighboursFormat names the encoding below; the file's key is it and the
// build's digest (entriesDigest, else buildDigest), so one build never
// reads another's file.
const neighboursFormat = "faq-neighbours-v2"

// neighboursFile is a neighbourIndex with its maps as lists.
type neighboursFile struct {
	Keys                                   []uint64 // trigram keys, in ID order
	Flat, PostOff, Bit, Runs, Start, Group []int32
	Common, Text                           []uint64
	Size                                   []float32
	Words, NClass                          int
	GroupNames                             []string // in group number order
}

func (nx *neighbourIndex) encode() ([]byte, error) {
	f := neighboursFile{
		Keys: make([]uint64, len(nx.gramID)), Flat: nx.flat, PostOff: nx.postOff, Bit: nx.bit, Runs: nx.runs,
		Start: nx.start, Group: nx.group, Common: nx.common, Text: nx.text, Size: nx.size,
		Words: nx.words, NClass: nx.nClass, GroupNames: make([]string, len(nx.groups)),
	}
	for k, id := range nx.gramID {
		f.Keys[id] = k
	}
	for g, n := range nx.groups {
		f.GroupNames[n] = g
	}
	b, err := seal(neighboursFormat, f)
	if err != nil {
		return nil, fmt.Errorf("faq: encode the neighbour index: %w", err)
	}
	return b, nil
}

func decodeNeighbours(b []byte) (*neighbourIndex, error) {
	var f neighboursFile
	if err := unseal(neighboursFormat, b, &f); err != nil {
		return nil, fmt.Errorf("faq: decode the cached neighbour index: %w", err)
	}
	if len(f.PostOff) != len(f.Keys)+1 || len(f.Bit) != len(f.Keys) || len(f.Runs) != len(f.Keys)*(f.NClass+1) || len(f.Start) != f.NClass+1 ||
		len(f.Size) != len(f.Text) || len(f.Group) != len(f.Text) || len(f.Common) != f.Words*len(f.Text) {
		return nil, fmt.Errorf("faq: the cached neighbour index is inconsistent")
	}
	nx := &neighbourIndex{
		gramID: make(map[uint64]int32, len(f.Keys)), flat: f.Flat, postOff: f.PostOff, bit: f.Bit, runs: f.Runs,
		start: f.Start, group: f.Group, common: f.Common, text: f.Text, size: f.Size, words: f.Words, nClass: f.NClass,
		groups: make(map[string]int32, len(f.GroupNames)),
	}
	for id, k := range f.Keys {
		nx.gramID[k] = int32(id)
	}
	for n, g := range f.GroupNames {
		nx.groups[g] = int32(n)
	}
	return nx, nil
}

// cachedNeighbours is the neighbour index of texts: read from cache under
// key when a build of the same texts by this executable kept it, else
// built and kept there (cache may be nil). texts is called only to build:
// a cached build reads no tuning set for it.
func cachedNeighbours(texts func() ([]rankerText, error), nClass int, cache ModelCache, key string) (*neighbourIndex, error) {
	if cache != nil {
		if b, ok := cache.Get(key); ok {
			if nx, err := decodeNeighbours(b); err == nil && nx.nClass == nClass {
				return nx, nil
			}
		}
	}
	ts, err := texts()
	if err != nil {
		return nil, err
	}
	nx := newNeighbourIndex(ts, nClass)
	if cache != nil {
		if b, err := nx.encode(); err == nil {
			cache.Put(key, b)
		}
	}
	return nx, nil
}
