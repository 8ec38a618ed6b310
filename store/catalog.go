package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// solutionKey is how solution names are compared: case-insensitively, spaces
// around ignored.
func solutionKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// AddSolution adds an entry to the partner's solution catalog, with its audit
// event. Names are unique case-insensitively: a taken name gives ErrExists.
// Spaces around the name are dropped.
func (s *Store) AddSolution(ctx context.Context, sol deal.Solution, a Audit) error {
	name := strings.TrimSpace(sol.Name)
	if name == "" {
		return fmt.Errorf("store: add solution: the name is empty")
	}
	row := solutionRow{
		Name: name, NameKey: solutionKey(name), Source: string(sol.Source), IP: string(sol.IP),
		MACC: sol.MACC, Incentivized: sol.Incentivized,
	}
	return s.inTx(ctx, fmt.Sprintf("add solution %q", name), func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return fmt.Errorf("solution %q: %w", name, ErrExists)
			}
			return fmt.Errorf("store: add solution %q: %w", name, err)
		}
		return audit(tx, subjectSolution, row.NameKey, a)
	})
}

// Solutions lists the catalog ordered by name, case-insensitively.
func (s *Store) Solutions(ctx context.Context) ([]deal.Solution, error) {
	var rows []solutionRow
	if err := s.reader(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list solutions: %w", err)
	}
	// Sorted here, not in SQL: PostgreSQL's collation and SQLite's byte
	// order would disagree.
	slices.SortFunc(rows, func(a, b solutionRow) int {
		return cmp.Or(strings.Compare(a.NameKey, b.NameKey), strings.Compare(a.Name, b.Name))
	})
	out := make([]deal.Solution, len(rows))
	for i, r := range rows {
		out[i] = deal.Solution{
			Name: r.Name, Source: deal.SolutionSource(r.Source), IP: deal.IPKind(r.IP),
			MACC: r.MACC, Incentivized: r.Incentivized,
		}
	}
	return out, nil
}
