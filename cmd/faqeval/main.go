// Command faqeval runs the FAQ evaluation set against the embedded knowledge
// base and prints accuracy per language and the out-of-scope refusal rate.
// Run it from the repository root after editing bot/faq/kb or the scoring.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cosellbot/cosellbot/bot/faq"
)

func main() {
	path := flag.String("cases", "bot/faq/testdata/eval.yaml", "evaluation set (YAML)")
	flag.Parse()
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "faqeval:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	cases, err := faq.ParseCases(data)
	if err != nil {
		return err
	}
	entries, err := faq.Load()
	if err != nil {
		return err
	}
	ix, err := faq.NewIndex(entries)
	if err != nil {
		return err
	}
	defer ix.Close()
	fmt.Printf("%d entries, %d cases\n", ix.Len(), len(cases))
	fmt.Print(faq.Evaluate(ix, cases))
	return nil
}
