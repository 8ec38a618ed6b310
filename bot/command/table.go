package command

import (
	"context"
	"strings"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// dealKeys are the keys that describe a deal on creation or receipt.
var dealKeys = []string{
	"name", "customer", "customer_location", "location", "value", "currency", "close", "notes", "team",
	"account", "customer_macc", "contact", "consent", "solution", "role", "area", "play", "intent",
	"assessment", "assessment_location", "crm_id", "campaign_id",
}

// table is every verb the Service knows: the deal, catalog and user verbs,
// then those of the optional capabilities it was built with.
func (s *Service) table() []*spec {
	specs := s.coreSpecs()
	// Capabilities append their verbs below, one line each.
	specs = append(specs, s.alertSpecs()...) // subscribe, unsubscribe, deal snooze (subscribe.go)
	specs = append(specs, s.cporSpecs()...)  // cpor claims (cpor.go)
	specs = append(specs, s.faqSpecs()...)   // faq questions and admin entries (faq.go)
	specs = append(specs, s.webSpecs()...)   // web: a sign-in link to the pipeline page (web.go)
	return specs
}

func (s *Service) coreSpecs() []*spec {
	return []*spec{
		{verb: "help", reads: true, args: []string{"VERB"}, optArgs: 1, variadic: true, summary: "list the commands, or explain one",
			run: func(_ context.Context, c *call) (Reply, error) { return s.help(strings.Join(c.pos, " ")), nil }},
		{verb: "deal new", checksAll: true, required: []string{"kind", "name", "customer", "customer_location", "location", "value", "close", "notes", "team"},
			optional: append(without(dealKeys, "name", "customer", "customer_location", "location", "value", "close", "notes", "team"), "help", "share"),
			summary:  "create an outbound deal (help deal new lists every key and its values)", run: s.dealNew},
		{verb: "deal receive", required: []string{"kind", "customer", "customer_location", "location", "from"},
			optional: append(without(dealKeys, "customer", "customer_location", "location"), "received", "program"),
			summary:  "record an inbound referral that reached you another way (from=microsoft|\"partner:NAME\")", run: s.dealReceive},
		{verb: "deal list", reads: true, args: []string{"inbound|outbound|favorites|expiring|closed|all"}, optArgs: 1, optional: listKeys,
			summary: "list the deals you can see (open ones unless you say closed or all), a page at a time", run: s.dealList},
		{verb: "deal show", reads: true, args: []string{"ID"}, summary: "show one deal", run: s.dealShow},
		{verb: "deal history", reads: true, args: []string{"ID"}, summary: "show everything that happened to a deal", run: s.dealHistory},
		{verb: "deal accept", args: []string{"ID"}, optional: []string{"name", "value", "currency", "close", "notes", "team", "crm_id", "campaign_id"},
			summary: "accept a received referral", run: s.dealAccept},
		{verb: "deal decline", args: []string{"ID"}, required: []string{"reason"}, optional: []string{"notes"},
			summary: "decline a received referral (written back to Partner Center when linked; else tell the sender)", run: s.dealDecline},
		{verb: "deal edit", args: []string{"ID"}, optional: deal.Editable,
			summary: "change a created or accepted deal (never its location)", run: s.dealEdit},
		{verb: "deal team add", args: []string{"ID", "\"Name <email> +phone\""}, summary: "add a team member", run: s.dealTeamAdd},
		{verb: "deal team remove", args: []string{"ID", "EMAIL|NAME"}, variadic: true, summary: "remove a team member, named by e-mail or by name", run: s.dealTeamRemove},
		{verb: "deal stage", args: []string{"ID", "STAGE"}, variadic: true, summary: "mark a sales stage, named as Partner Center shows it", run: s.dealStage},
		{verb: "deal won", args: []string{"ID"}, summary: "mark a deal won", run: s.dealWon},
		{verb: "deal lost", args: []string{"ID"}, required: []string{"reason"}, summary: "mark a deal lost", run: s.dealLost},
		{verb: "deal error", args: []string{"ID"}, required: []string{"reason"}, summary: "close a deal as error (duplicate, wrong customer…)", run: s.dealError},
		{verb: "deal invite", args: []string{"ID", "microsoft"}, optArgs: 1, optional: []string{"help", "contact", "consent", "partner", "value", "currency", "close", "notes", "solution", "team"},
			usage:   "(microsoft help=… | partner=NAME value=… close=… notes=… solution=…)",
			summary: "ask Microsoft for help, or invite another partner", run: s.dealInvite},
		{verb: "deal upgrade", args: []string{"ID", "partner-led|cosell"}, optional: []string{"help", "contact", "consent"}, summary: "widen a private deal to partner-led or co-sell", run: s.dealUpgrade},
		{verb: "deal fav", args: []string{"ID", "on|off"}, optArgs: 1, summary: "tag or untag a deal as favorite (on, off; alone it switches)", run: s.dealFav},
		{verb: "deal register", reads: true, args: []string{"ID"}, summary: "check deal registration eligibility, criterion by criterion", run: s.dealRegister},
		{verb: "solution add", required: []string{"name", "source"}, optional: []string{"ip", "macc", "incentivized"},
			summary: "add to your solution catalog (help solution add lists the sources)", run: s.solutionAdd},
		{verb: "solution list", reads: true, summary: "list your solution catalog", run: s.solutionList},
		{verb: "user add", args: []string{"EMAIL"}, required: []string{"role"}, optional: []string{"locations"},
			summary: "grant roles (Referrals admin, Referrals user, Incentives admin, Incentives user)", run: s.userAdd},
		{verb: "user list", reads: true, summary: "list users and their roles", run: s.userList},
		{verb: "user remove", args: []string{"EMAIL"}, summary: "remove a user", run: s.userRemove},
	}
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, k := range list {
		keep := true
		for _, d := range drop {
			keep = keep && k != d
		}
		if keep {
			out = append(out, k)
		}
	}
	return out
}
