package command

import (
	"context"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/faq"
)

// Refusals in the asker's language. FAQ answers come in the language they
// are asked in (faqWords); a button press carries no words to tell the
// language from, so the refusals a press meets are worded in the one the
// platform says its user reads (chatkit.Localize). A tester's French and
// Swedish users got "not allowed: only a referrals admin or an incentives
// admin may do this" and "this button is no longer known" in English.

// KeyButtonGone is the key of the refusal of a button whose command
// cosellbot no longer knows (chatkit.ErrButtonGone).
const KeyButtonGone = "button-gone"

// refusalWords are the refusals kept in French and Swedish, by the key
// their error gives (Failure.Key); English is the error's own message.
var refusalWords = map[string]map[faq.Lang]string{
	access.AdminsOnly: {
		faq.FR: "non autorisé : seul un administrateur de références ou un administrateur des primes incitatives peut faire cela",
		faq.SV: "inte tillåtet: bara en referensadministratör eller en incitamentsadministratör får göra det här",
	},
	KeyButtonGone: {
		faq.FR: "ce bouton n'est plus valable ; saisissez plutôt la commande",
		faq.SV: "den här knappen gäller inte längre; skriv kommandot i stället",
	},
}

// In is the reply worded in lang where its refusal has a translation
// (Failure.Key); any other reply, or lang English, as it is. Only the text
// changes: the error's message stays the one --json documents.
func (r Reply) In(lang faq.Lang) Reply {
	if r.Err == nil || r.Err.Key == "" {
		return r
	}
	if t := refusalWords[r.Err.Key][lang]; t != "" {
		r.Text = "✗ " + t
	}
	return r
}

// usualLangKey is the context key of WithUsualLang's function.
type usualLangKey struct{}

// WithUsualLang returns ctx carrying how to learn the language the
// asker's chat client is set to (Discord sends it with every interaction;
// Slack's users.info has it). A FAQ question whose own words do not tell
// its language ("cpor seats sold data", Partner Center's English names
// only) is answered in it (faq.Index.AskAs) rather than in English. usual
// is called only for such answers: on Slack it may cost a users.info call.
func WithUsualLang(ctx context.Context, usual func(context.Context) faq.Lang) context.Context {
	return context.WithValue(ctx, usualLangKey{}, usual)
}

// usualLang is the asker's usual language from ctx, English without one.
func usualLang(ctx context.Context) faq.Lang {
	if f, ok := ctx.Value(usualLangKey{}).(func(context.Context) faq.Lang); ok && f != nil {
		return f(ctx)
	}
	return faq.EN
}
