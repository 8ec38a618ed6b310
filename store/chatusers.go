package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// chatIdentityRow says which cosellbot user a chat platform account is
// (a Slack user id, a Discord user id). It mirrors
// migrations/*/00005_chat_identities.sql.
type chatIdentityRow struct {
	Platform   string    `gorm:"column:platform;primaryKey"`
	ExternalID string    `gorm:"column:external_id;primaryKey"`
	UserID     string    `gorm:"column:user_id;not null;index:chat_identities_user_id"`
	LinkedAt   time.Time `gorm:"column:linked_at;not null"`
}

// TableName is the chat_identities table.
func (chatIdentityRow) TableName() string { return "chat_identities" }

// chatEventRow is a platform delivery already handled: a Slack event_id, the
// signature of a signed request, a Discord interaction id.
type chatEventRow struct {
	Platform string    `gorm:"column:platform;primaryKey"`
	EventID  string    `gorm:"column:event_id;primaryKey"`
	SeenAt   time.Time `gorm:"column:seen_at;not null;index:chat_events_seen_at"`
}

// TableName is the chat_events table.
func (chatEventRow) TableName() string { return "chat_events" }

// chatActionRow keeps a command line a button carries by reference, when it
// is too long for the platform's button id (Discord's custom_id: 100).
type chatActionRow struct {
	ID        string    `gorm:"column:id;primaryKey"`
	Command   string    `gorm:"column:command;not null"`
	CreatedAt time.Time `gorm:"column:created_at;not null;autoCreateTime:false"`
}

// TableName is the chat_actions table.
func (chatActionRow) TableName() string { return "chat_actions" }

// LinkChatUser records that the account externalID on platform ("slack",
// "discord") is the cosellbot user userID, replacing an earlier link of that
// account, with an audit event on the user. The user must exist
// (ErrNotFound otherwise); a.At is the link time.
func (s *Store) LinkChatUser(ctx context.Context, platform, externalID, userID string, a Audit) error {
	platform, externalID, key := strings.TrimSpace(platform), strings.TrimSpace(externalID), userKey(userID)
	if platform == "" || externalID == "" || key == "" {
		return fmt.Errorf("store: link chat user: platform %q, account %q and user %q must all be given", platform, externalID, userID)
	}
	if a.At.IsZero() {
		return fmt.Errorf("store: link %s account %s: the audit event has no time", platform, externalID)
	}
	row := chatIdentityRow{Platform: platform, ExternalID: externalID, UserID: key, LinkedAt: utc(a.At)}
	return s.inTx(ctx, "link "+platform+" account "+externalID, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRow{}).Where("id = ?", key).Count(&n).Error; err != nil {
			return fmt.Errorf("store: link %s account %s: read user %s: %w", platform, externalID, key, err)
		}
		if n == 0 {
			return fmt.Errorf("user %s: %w", key, ErrNotFound)
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "platform"}, {Name: "external_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"user_id", "linked_at"}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("store: link %s account %s to %s: %w", platform, externalID, key, err)
		}
		return audit(tx, subjectUser, key, a)
	})
}

// ChatUser is the cosellbot user id linked to a platform account;
// ErrNotFound when the account is not linked.
func (s *Store) ChatUser(ctx context.Context, platform, externalID string) (string, error) {
	var row chatIdentityRow
	err := s.reader(ctx).Where("platform = ? AND external_id = ?", platform, externalID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", fmt.Errorf("%s account %s: %w", platform, externalID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: read %s account %s: %w", platform, externalID, err)
	}
	return row.UserID, nil
}

// FirstChatEvent records that the delivery eventID of platform was seen at
// at, and reports whether this is the first time. Every replica shares the
// answer, so a Slack retry or a replayed request reaching another replica is
// still recognised.
func (s *Store) FirstChatEvent(ctx context.Context, platform, eventID string, at time.Time) (bool, error) {
	if platform == "" || eventID == "" {
		return false, fmt.Errorf("store: chat event: platform %q and event id %q must both be given", platform, eventID)
	}
	row := chatEventRow{Platform: platform, EventID: eventID, SeenAt: utc(at)}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, fmt.Errorf("store: record %s event %s: %w", platform, eventID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ForgetChatEvents drops the deliveries seen before before, once no retry or
// replay of them can be accepted any more, and says how many it dropped.
func (s *Store) ForgetChatEvents(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("seen_at < ?", utc(before)).Delete(&chatEventRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: forget chat events before %s: %w", before.Format(time.RFC3339), res.Error)
	}
	return res.RowsAffected, nil
}

// PutChatAction keeps the command line a button refers to by id. The id is
// derived from the command by the caller, so storing it again is a no-op.
func (s *Store) PutChatAction(ctx context.Context, id, command string, at time.Time) error {
	if id == "" || strings.TrimSpace(command) == "" {
		return fmt.Errorf("store: chat action: id %q and command %q must both be given", id, command)
	}
	row := chatActionRow{ID: id, Command: command, CreatedAt: utc(at)}
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("store: keep chat action %s: %w", id, err)
	}
	return nil
}

// ChatAction is the command line kept under id; ErrNotFound when unknown.
func (s *Store) ChatAction(ctx context.Context, id string) (string, error) {
	var row chatActionRow
	err := s.reader(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", fmt.Errorf("chat action %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: read chat action %s: %w", id, err)
	}
	return row.Command, nil
}
