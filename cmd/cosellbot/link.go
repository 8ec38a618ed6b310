package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/slack"
)

// accountID is the form of each platform's account ids.
var accountID = map[string]*regexp.Regexp{
	slack.Platform:   regexp.MustCompile(`^[UW][A-Z0-9]+$`),
	discord.Platform: regexp.MustCompile(`^[0-9]{1,21}$`),
}

var accountHint = map[string]string{
	slack.Platform:   "a Slack member id starts with U or W, like U0123ABCD (the person's profile → ⋮ → Copy member ID)",
	discord.Platform: "a Discord user id is digits, 17 to 20 of them (User Settings → Advanced → Developer Mode, then right-click the person → Copy User ID)",
}

const linkUsage = "usage: cosellbot link slack|discord ACCOUNT EMAIL   (ACCOUNT: the Slack member id U… or the Discord user id)"

// cmdLink links a Slack or Discord account to a cosellbot user, for
// accounts cosellbot cannot match by e-mail: every Discord account, and
// Slack accounts whose e-mail differs or without SLACK_BOT_TOKEN. The
// refusal an unlinked person gets names their account id.
func cmdLink(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	if len(args) != 3 {
		fmt.Fprintln(stderr, linkUsage)
		return 2
	}
	platform, account, email := strings.ToLower(args[0]), strings.TrimSpace(args[1]), strings.TrimSpace(args[2])
	if platform != slack.Platform && platform != discord.Platform {
		fmt.Fprintf(stderr, "cosellbot link: unknown platform %q: use slack or discord\n%s\n", args[0], linkUsage)
		return 2
	}
	if account == "" || !strings.Contains(email, "@") {
		fmt.Fprintln(stderr, linkUsage)
		return 2
	}
	if !accountID[platform].MatchString(account) {
		// A name or a typo linked nobody, and said it had (a tester's
		// "link discord abc").
		fmt.Fprintf(stderr, "cosellbot link: %q is not a %s account id: %s\n", account, platform, accountHint[platform])
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	e := ledger.Entry{At: a.clock.Now(), Actor: access.LocalAdmin.ID, Action: "linked", Detail: platform + " account " + account}
	if err := a.store.LinkChatUser(ctx, platform, account, email, e); err != nil {
		if errors.Is(err, ledger.ErrNotFound) {
			fmt.Fprintf(stderr, "cosellbot link: %s is not a cosellbot user: add them first, e.g. cosellbot ask user add %s role=referrals-user locations=LOC\n", email, email)
		} else {
			fmt.Fprintln(stderr, "cosellbot link:", err)
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s account %s is now %s\n", platform, account, strings.ToLower(email))
	return 0
}
