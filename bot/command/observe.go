package command

import "time"

// Observer is told of every command Run carried out: its verb ("deal new",
// "faq", "help", or "unknown" for a line that names no verb), its outcome
// ("ok" or the failure's code: usage, invalid, not_found, forbidden,
// conflict, unavailable) and how long it took. Both labels come from small
// fixed sets, so that metrics built on them stay bounded.
type Observer func(verb, outcome string, d time.Duration)

// WithObserver has Run tell o of every command, for metrics.
func WithObserver(o Observer) Option { return func(s *Service) { s.observe = o } }

// observed reports the command line that ran from start with reply.
func (s *Service) observed(line string, start time.Time, reply *Reply) {
	outcome := "ok"
	if reply.Err != nil {
		outcome = reply.Err.Code
	}
	s.observe(s.verbOf(line), outcome, time.Since(start))
}

// verbOf names the verb of line as run decides it, without running it.
func (s *Service) verbOf(line string) string {
	if s.faq != nil && s.isQuestion(line) {
		return "faq"
	}
	args, err := Parse(line)
	if err != nil {
		return "unknown"
	}
	if len(args.Words) == 0 {
		if len(args.Keys) > 0 {
			return "unknown"
		}
		return "help"
	}
	if sp, _ := s.lookup(args.Words); sp != nil {
		return sp.verb
	}
	return "unknown"
}
