package faq

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugQ(t *testing.T) {
	q := os.Getenv("Q")
	if q == "" {
		t.Skip()
	}
	ix := loadIndex(t)
	lang := detectLang(sanitize(q), ix.vocab)
	for _, l := range Langs {
		pq := ix.langs[l].parse(sanitize(q))
		fmt.Printf("%s: %+v\n", l, pq)
	}
	res, cands := ix.ask(q)
	fmt.Printf("lang %s answered %v %s conf %.3f\n", lang, res.Answered, res.EntryID, res.Confidence)
	for i, c := range cands {
		if i > 6 {
			break
		}
		fmt.Printf("%-32s %s rank %.2f x %.2f\n", c.id, c.lang, c.rank, c.x)
	}
}

func TestDebugTop1(t *testing.T) {
	if os.Getenv("TOP1") == "" {
		t.Skip()
	}
	ix := loadIndex(t)
	cases, _ := LoadCaseFiles("testdata", TuningFiles...)
	n, ok, conf := map[Lang]int{}, map[Lang]int{}, 0
	for _, c := range cases {
		if c.Expect == OutOfScope {
			continue
		}
		_, cands := ix.ask(c.Question)
		n[c.Lang]++
		if len(cands) > 0 && cands[0].id == c.Expect {
			ok[c.Lang]++
			continue
		}
		conf++
		if conf < 400 && os.Getenv("TOP1") == "v" {
			got := ""
			if len(cands) > 0 {
				got = cands[0].id
			}
			fmt.Printf("%s %q want %s got %s\n", c.Lang, c.Question, c.Expect, got)
		}
	}
	fmt.Println(n, ok)
}
