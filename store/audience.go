package store

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/access"
)

// subscribers reads the users who made the subscriptions, by id, so that
// each subscription gets only the news its maker may see (access.Receives).
// A maker no longer a user maps to nil; the local admin of the shell, who is
// no row, to access.LocalAdmin.
func subscribers(tx *gorm.DB, subs []subscriptionRow) (map[string]*access.User, error) {
	out := map[string]*access.User{}
	var ids []string
	for _, r := range subs {
		id := userKey(r.CreatedBy)
		if _, ok := out[id]; ok {
			continue
		}
		out[id] = nil
		if strings.EqualFold(id, access.LocalAdmin.ID) {
			admin := access.LocalAdmin
			out[id] = &admin
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []userRow
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read subscribers: %w", err)
	}
	for i := range rows {
		u, err := fromUserRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out[userKey(u.ID)] = &u
	}
	return out, nil
}
