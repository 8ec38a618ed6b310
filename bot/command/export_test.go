package command

import "github.com/cosellbot/cosellbot/bot/access"

// VerbInfo is what tests need of one verb of the command table.
type VerbInfo struct {
	Verb string
	Args []string
	Perm access.Permission
	Has  bool // the permission table names the verb
}

// Verbs lists the command table of s, for tests that must cover every verb.
func (s *Service) Verbs() []VerbInfo {
	var out []VerbInfo
	for _, sp := range s.specs {
		p, ok := perms[sp.verb]
		out = append(out, VerbInfo{Verb: sp.verb, Args: sp.args, Perm: p, Has: ok})
	}
	return out
}

// WritingFAQMisses reports whether serve's miss writer (WriteFAQMisses)
// runs: a test starts it in a goroutine and waits for it.
func (s *Service) WritingFAQMisses() bool {
	q := s.faq.misses
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.running
}
