package chatkit

import (
	"context"
	"strings"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// LangOf reads a platform's locale for its user (Discord's interaction
// locale "fr", "sv-SE"; Slack's users.info locale "fr-FR") as one of the
// languages cosellbot writes: English for any other, or none.
func LangOf(locale string) faq.Lang {
	l, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(locale, "_", "-")), "-")
	switch faq.Lang(l) {
	case faq.FR, faq.SV:
		return faq.Lang(l)
	}
	return faq.EN
}

// Localize words reply in the language of locale where cosellbot has the
// words (command.Reply.In): the refusals a button press meets, which carry
// no words of their own to tell the language from. Slack and Discord call
// it alike on what they answer.
func Localize(reply command.Reply, locale string) command.Reply {
	return reply.In(LangOf(locale))
}

// ErrButtonGone refuses a button whose command cosellbot no longer knows
// (kept server-side and since removed, a form of an older version): a
// not-found refusal, not a database failure, worded in the presser's
// language by Localize.
var ErrButtonGone error = buttonGone{}

type buttonGone struct{}

func (buttonGone) Error() string        { return "this button is no longer known; type the command instead" }
func (buttonGone) Is(target error) bool { return target == ledger.ErrNotFound }
func (buttonGone) MessageKey() string   { return command.KeyButtonGone }

// WithLocale returns ctx carrying how to learn the platform's locale for
// the person acting (command.WithUsualLang): a FAQ question whose own
// words do not tell its language is answered in it. locale is called only
// then; Slack's looks the member up (users.info).
func WithLocale(ctx context.Context, locale func(context.Context) string) context.Context {
	return command.WithUsualLang(ctx, func(ctx context.Context) faq.Lang { return LangOf(locale(ctx)) })
}
