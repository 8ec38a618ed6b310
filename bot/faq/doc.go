// Package faq answers partners' questions about Partner Center co-sell, CPOR,
// partner IDs and programs in English, French and Swedish.
//
// The knowledge base is data, not code: kb/*.yaml is embedded and loaded by
// Load, and the database layer may add, edit or remove entries; the caller
// merges both with Merge and builds an Index with NewIndex. A rebuild takes a
// fraction of a second, so a knowledge-base edit simply means a new Index
// swapped in for the old one (then closed).
//
// How a question is answered (index.go):
//
//   - its language is detected (lang.go) and it is searched in that
//     language's in-memory bleve index: BM25 over each entry's question,
//     alternates (same high boost) and answer (low boost), with stemming,
//     accent folding and Swedish decompounding (analysis.go), synonyms and
//     question intents such as "why" or "how long" (synonyms.go), and a
//     low-boost disjunct of the known words a misspelt word may stand for
//     (typo.go);
//   - bleve scores are unbounded and not comparable across questions, so the
//     best hit gets a confidence in [0,1] from how much of the question it
//     explains (coverage), how its score compares with the score of its own
//     canonical question, and its lead over the runner-up;
//   - under DefaultThreshold, tuned on testdata/eval.yaml, the other two
//     languages are searched too; still under it, Ask does not answer and
//     offers up to three suggestions instead: a wrong answer about deal
//     registration costs a partner more than "did you mean…?". The answer,
//     suggestions and follow-ups are always in the user's language.
//
// Evaluate scores an Index against labelled questions; cmd/faqeval prints it.
package faq
