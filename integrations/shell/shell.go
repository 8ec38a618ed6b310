// Package shell is the local chat adapter: a prompt where people type what
// they would type after /cosell in Slack or Discord, to try cosellbot without
// either.
package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Runner carries out one command line.
type Runner interface {
	Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply
}

// Resolver is a Runner that reads who a user is now (command.Service):
// the shell then resolves its user for every line.
type Resolver interface {
	Resolve(ctx context.Context, id string) (access.User, error)
}

// Shell reads command lines and prints replies.
type Shell struct {
	Runner  Runner
	User    access.User
	In      io.Reader
	Out     io.Writer
	History string // file that keeps the line history between sessions; "" keeps none
	// Notices, when set (serve --shell), holds the news for the shell's
	// subscriptions: it is printed after each line typed, an empty one too.
	Notices *Notices
}

// Place is where shell commands come from; there is one local channel.
var Place = chat.Place{Platform: "shell", Channel: "local"}

const banner = "cosellbot shell — type what you would type after /cosell (help lists the commands, exit leaves)."

// noticesBanner is said too when news is printed here.
const noticesBanner = "News for this shell's subscriptions (subscribe location=…) shows after the next line you type; an empty line shows it."

// Run reads until exit, end of input or ctx is done. On a terminal it edits
// lines and keeps history; otherwise it reads plain lines, so scripts and
// tests can pipe commands in.
func (s *Shell) Run(ctx context.Context) error {
	if f, ok := s.In.(*os.File); ok && f == os.Stdin && liner.TerminalSupported() && isTerminal(f) {
		return s.interactive(ctx)
	}
	sc := bufio.NewScanner(s.In)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	scan := func() (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		if err := sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	for {
		line, err := readLine(ctx, scan)
		if ctx.Err() != nil || errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if done := s.handle(ctx, line); done {
			return nil
		}
	}
}

// readLine waits for read's line or for ctx to end, whichever comes first:
// a signal (Ctrl-C where the terminal sends one, SIGTERM) ends the shell,
// and so the server behind it, at once, not at the next line typed, which
// then ran on a server already stopping ("could not reach its database").
// A read left waiting is abandoned: the process is ending.
func readLine(ctx context.Context, read func() (string, error)) (string, error) {
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := read()
		got <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-got:
		return r.line, r.err
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (s *Shell) interactive(ctx context.Context) error {
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	if s.History != "" {
		if f, err := os.Open(s.History); err == nil {
			_, _ = ln.ReadHistory(f)
			f.Close()
		}
		defer s.saveHistory(ln)
	}
	fmt.Fprintln(s.Out, banner)
	if s.Notices != nil {
		fmt.Fprintln(s.Out, noticesBanner)
	}
	prompt := fmt.Sprintf("%s /cosell ", s.User.ID)
	for ctx.Err() == nil {
		line, err := readLine(ctx, func() (string, error) { return ln.Prompt(prompt) })
		if ctx.Err() != nil || errors.Is(err, liner.ErrPromptAborted) || errors.Is(err, io.EOF) {
			fmt.Fprintln(s.Out)
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the prompt: %w", err)
		}
		if strings.TrimSpace(line) != "" {
			ln.AppendHistory(line)
		}
		if s.handle(ctx, line) {
			return nil
		}
	}
	return nil
}

func (s *Shell) saveHistory(ln *liner.State) {
	if err := os.MkdirAll(filepath.Dir(s.History), 0o755); err != nil {
		return
	}
	if f, err := os.Create(s.History); err == nil {
		_, _ = ln.WriteHistory(f)
		f.Close()
	}
}

// handle runs one line, then prints the news that came meanwhile; it
// reports true when the user asked to leave.
func (s *Shell) handle(ctx context.Context, line string) bool {
	done := s.run(ctx, line)
	if !done {
		for _, n := range s.Notices.take() {
			fmt.Fprintln(s.Out, n)
		}
	}
	return done
}

// run runs one line; it reports true when the user asked to leave.
func (s *Shell) run(ctx context.Context, line string) bool {
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "/cosell"))
	switch strings.ToLower(line) {
	case "":
		return false
	case "exit", "quit", "\\q":
		return true
	}
	line, shared := chatkit.CutShare(line)
	who := s.User
	if res, ok := s.Runner.(Resolver); ok {
		// As every chat command does: a user removed or given another role
		// while the shell is open acts as what they are now, not as what
		// they were when it started.
		u, err := res.Resolve(ctx, s.User.ID)
		if err != nil {
			fmt.Fprintln(s.Out, Render(command.Refusal(err)))
			return false
		}
		who = u
	}
	r := s.Runner.Run(ctx, who, Place, line)
	if shared {
		fmt.Fprintln(s.Out, ShareNote)
	}
	fmt.Fprintln(s.Out, Render(r))
	return false
}

// ShareNote answers a --share typed where there is no channel: the command
// runs, as it would in Slack or Discord, and its answer is only printed.
const ShareNote = "--share posts in a Slack or Discord channel; here the answer is only printed"

// Render is the plain-text form of a reply, with its actions as the commands
// a person would type.
func Render(r command.Reply) string {
	var b strings.Builder
	b.WriteString(r.Text)
	if len(r.Actions) > 0 {
		b.WriteString("\n→ ")
		for i, a := range r.Actions {
			if i > 0 {
				b.WriteString(" | ")
			}
			cmd := a.Command
			for _, k := range a.Ask {
				cmd += " " + k + "=…"
			}
			// faq "Question?": the command already says it, also when the
			// label was cut to fit a button ("…").
			if strings.Contains(cmd, strings.TrimSuffix(a.Label, "…")) {
				b.WriteString(cmd)
				continue
			}
			fmt.Fprintf(&b, "%s: %s", a.Label, cmd)
		}
	}
	// Deal names, notes and record ids come from chat and CRMs: a terminal
	// must print their escape sequences, never obey them.
	return escape.Text(b.String())
}
