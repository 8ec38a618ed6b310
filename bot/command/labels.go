package command

import (
	"errors"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// ruleLabels rewords the domain's refusals that list accepted values, so
// that they list Partner Center's labels (what people copy and what
// cosellbot prints) rather than the stored slugs. bot/deal cannot know the
// labels: the vocabularies build on its types.
var ruleLabels = map[string]func() string{
	"role_required_services": func() string {
		return "services co-sell deals need a partner role: role takes " + vocab.PartnerRoles.Accepts()
	},
	"area_required_services": func() string {
		return "services co-sell deals need a solution area: area takes " + vocab.Areas.Accepts()
	},
	"play_required_services": func() string {
		return "services co-sell deals need a solution play: play takes " + vocab.Plays.Accepts()
	},
	"help_needed": func() string {
		return "say what help you need from Microsoft: help takes " + helpsNeeded()
	},
}

func helpsNeeded() string {
	v := *vocab.Helps
	v.Terms = v.Terms[1:] // every help but "No help needed"
	return v.Accepts()
}

// relabel rewrites, in place, the refusals of ruleLabels found in err.
func relabel(err error) {
	var probs deal.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			if f, ok := ruleLabels[p.Rule]; ok {
				p.Message = f()
			}
		}
		return
	}
	var one *deal.RuleError
	if errors.As(err, &one) {
		if f, ok := ruleLabels[one.Rule]; ok {
			one.Message = f()
		}
	}
}
