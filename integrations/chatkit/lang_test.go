package chatkit

import (
	"testing"

	"github.com/cosellbot/cosellbot/bot/faq"
)

func TestLangOf(t *testing.T) {
	for locale, want := range map[string]faq.Lang{
		"fr": faq.FR, "fr-FR": faq.FR, "fr_CA": faq.FR, "sv-SE": faq.SV, "SV": faq.SV,
		"en-US": faq.EN, "de": faq.EN, "": faq.EN, "french": faq.EN,
	} {
		if got := LangOf(locale); got != want {
			t.Errorf("LangOf(%q) = %s, want %s", locale, got, want)
		}
	}
}
