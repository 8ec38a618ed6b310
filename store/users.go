package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cosellbot/cosellbot/bot/access"
)

// userKey is how user ids (e-mails) are stored and looked up: lower case,
// spaces around dropped.
func userKey(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// PutUser inserts a user or replaces the one with the same id, with its audit
// event. The id is stored in lower case. A user inserted (new, or added
// again after a removal) starts with no pipeline page sessions or unspent
// sign-in links: whatever was left for the address before is dropped.
func (s *Store) PutUser(ctx context.Context, u access.User, a Audit) error {
	id := userKey(u.ID)
	if id == "" {
		return fmt.Errorf("store: put user: the id (e-mail) is empty")
	}
	row, err := toUserRow(u)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "put user "+id, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return fmt.Errorf("store: read user %s: %w", id, err)
		}
		if n == 0 {
			if err := forgetWebAccess(tx, id); err != nil {
				return err
			}
		}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, UpdateAll: true}).
			Create(&row).Error
		if err != nil {
			return fmt.Errorf("store: put user %s: %w", id, err)
		}
		return audit(tx, subjectUser, id, a)
	})
}

// User reads one user by id (case-insensitively); ErrNotFound when unknown.
func (s *Store) User(ctx context.Context, id string) (access.User, error) {
	key := userKey(id)
	var row userRow
	err := s.reader(ctx).Where("id = ?", key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return access.User{}, fmt.Errorf("user %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return access.User{}, fmt.Errorf("store: read user %s: %w", key, err)
	}
	return fromUserRow(&row)
}

// Users lists every user, ordered by id.
func (s *Store) Users(ctx context.Context) ([]access.User, error) {
	var rows []userRow
	if err := s.reader(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	slices.SortFunc(rows, func(a, b userRow) int { return strings.Compare(a.ID, b.ID) })
	out := make([]access.User, 0, len(rows))
	for i := range rows {
		u, err := fromUserRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// RemoveUser deletes a user, with its audit event, and ends every pipeline
// page session of theirs in the same transaction; ErrNotFound when unknown.
// Their unspent sign-in links stay, so that one spent later is refused
// saying why (ErrLinkNoUser), until the address is added again (PutUser).
func (s *Store) RemoveUser(ctx context.Context, id string, a Audit) error {
	key := userKey(id)
	return s.inTx(ctx, "remove user "+key, func(tx *gorm.DB) error {
		res := tx.Where("id = ?", key).Delete(&userRow{})
		if res.Error != nil {
			return fmt.Errorf("store: remove user %s: %w", key, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("user %s: %w", key, ErrNotFound)
		}
		if err := endWebSessions(tx, key); err != nil {
			return err
		}
		return audit(tx, subjectUser, key, a)
	})
}
