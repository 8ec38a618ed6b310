package discord

import (
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/command"
)

// textOption is the name of /cosell's string option (DESIGN.md, HTTP).
const textOption = "text"

// commandText reads /cosell's text option without trusting its shape:
// discordgo's StringValue panics on an option that is not a string, and a
// signed request may carry anything. A subcommand's options are searched
// too. An option without a value or with a non-string one is refused with
// a reply saying what to type; no option at all is the empty line.
func commandText(data discordgo.ApplicationCommandInteractionData) (string, *command.Reply) {
	opt := findOption(data.Options, 0)
	if opt == nil {
		return "", nil // the option is optional (Commands): a bare /cosell runs the empty line, as in Slack
	}
	s, ok := opt.Value.(string)
	if opt.Type != discordgo.ApplicationCommandOptionString || !ok {
		return "", optionRefusal(fmt.Sprintf("the %s option of /cosell must be text (a command such as deal list), not %s", textOption, describe(opt)))
	}
	return s, nil
}

// findOption finds the text option, looking into subcommands and groups
// (at most two levels deep, as Discord nests them).
func findOption(opts []*discordgo.ApplicationCommandInteractionDataOption, depth int) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Name == textOption && o.Type != discordgo.ApplicationCommandOptionSubCommand && o.Type != discordgo.ApplicationCommandOptionSubCommandGroup {
			return o
		}
		if depth < 2 && (o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
			if found := findOption(o.Options, depth+1); found != nil {
				return found
			}
		}
	}
	return nil
}

// describe names what an option held, for the refusal.
func describe(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch o.Value.(type) {
	case nil:
		return "empty"
	case float64:
		return "a number"
	case bool:
		return "true or false"
	case string:
		return "a " + o.Type.String() + " option"
	}
	return "a " + o.Type.String() + " value"
}

func optionRefusal(msg string) *command.Reply {
	return &command.Reply{Text: "✗ " + msg, Err: &command.Failure{Code: "usage", Field: textOption, Message: msg}}
}
