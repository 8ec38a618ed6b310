package faq

import "testing"

// Messages that are no question get a reply in kind; questions that share
// their words are still questions.
func TestSmallTalk(t *testing.T) {
	tests := []struct{ q, kind string }{
		{"merci beaucoup !", Thanks},
		{"super, merci beaucoup pour ton aide", Thanks},
		{"stort tack!", Thanks},
		{"Tack så mycket", Thanks},
		{"thanks a lot!", Thanks},
		{"thank you so much", Thanks},
		{"ok thx", Thanks},
		{"hey", Greeting},
		{"Bonjour à tous", Greeting},
		{"hej allihop", Greeting},
		{"quelle heure est-il ?", Offtopic},
		{"il est quelle heure", Offtopic},
		{"quelle heure est il a paris", Offtopic},
		{"vad är klockan", Offtopic},
		{"have a nice weekend", Offtopic},
		{"bon week-end !", Offtopic},
		{"trevlig helg", Offtopic},
		// A tester's: "ok" acknowledges, "okej tack" thanks as "ok merci" does.
		{"ok", Acknowledgement},
		{"OK!", Acknowledgement},
		{"ok cool", Acknowledgement},
		{"got it", Acknowledgement},
		{"d'accord", Acknowledgement},
		{"uppfattat", Acknowledgement},
		{"ok merci", Thanks},
		{"okej tack", Thanks},
		{"okej, tack så mycket", Thanks},
		// Questions, however short or polite.
		{"thanks, what is cpor?", ""},
		{"merci, c'est quoi le cpor", ""},
		{"hey whats cpor", ""},
		{"how many hours between creating and winning", ""},
		{"combien d'heures entre la création et la conclusion", ""},
		{"tack för info om csp", ""},
		{"ok so what is cpor", ""},
		{"ok, how do i register a deal", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := smallTalkOf(tt.q); got != tt.kind {
			t.Errorf("smallTalkOf(%q) = %q, want %q", tt.q, got, tt.kind)
		}
	}
}

// Ask replies to small talk in the language it is written in, without an
// answer from the knowledge base, and strips chat tokens from questions.
func TestAskSmallTalkAndChatTokens(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		q, kind string
		lang    Lang
	}{
		{"merci beaucoup !", Thanks, FR}, {"stort tack!", Thanks, SV}, {"thanks a lot!", Thanks, EN},
		{"okej tack", Thanks, SV}, {"ok merci", Thanks, FR},
		{"ok", Acknowledgement, EN}, {"okej", Acknowledgement, SV}, {"uppfattat", Acknowledgement, SV},
		{"d'accord", Acknowledgement, FR}, {"entendu", Acknowledgement, FR}, {"got it", Acknowledgement, EN},
	} {
		res := ix.Ask(tc.q)
		if res.SmallTalk != tc.kind || res.Answered || res.Lang != tc.lang || res.Answer != smallTalkReplies[tc.kind][tc.lang] {
			t.Errorf("Ask(%q) = %+v, want %s in %s", tc.q, res, tc.kind, tc.lang)
		}
	}
	plain := ix.Ask("where is my partner id")
	if !plain.Answered {
		t.Fatalf("the plain question is not answered: %+v", plain)
	}
	for _, q := range []string{"good morning, where is my partner id", "hey there where is my partner id", "where is my partner id :pray:", ":wave: where is my partner id", "where is my partner id <@U0REF|ana>", "@ana where is my partner id", "where is my partner id <!here>"} {
		if res := ix.Ask(q); !res.Answered || res.EntryID != plain.EntryID {
			t.Errorf("Ask(%q) = %s answered %v (%.2f), want %s as without the chat tokens", q, res.EntryID, res.Answered, res.Confidence, plain.EntryID)
		}
	}
}
