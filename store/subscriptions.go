package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// subjectSubscription is the audit subject type of subscriptions.
const subjectSubscription = "subscription"

// subscriptionRow routes notices to a chat place; empty location and kind
// match every location and kind.
type subscriptionRow struct {
	ID        int64     `gorm:"column:id;primaryKey;autoIncrement"`
	Platform  string    `gorm:"column:platform;not null;uniqueIndex:subscriptions_key,priority:1"`
	Channel   string    `gorm:"column:channel;not null;uniqueIndex:subscriptions_key,priority:2"`
	Location  string    `gorm:"column:location;not null;uniqueIndex:subscriptions_key,priority:3"`
	Kind      string    `gorm:"column:kind;not null;uniqueIndex:subscriptions_key,priority:4"`
	CreatedBy string    `gorm:"column:created_by;not null"`
	CreatedAt time.Time `gorm:"column:created_at;not null;autoCreateTime:false"`
}

// TableName is the subscriptions table.
func (subscriptionRow) TableName() string { return "subscriptions" }

func (r subscriptionRow) subscription() ledger.Subscription {
	return ledger.Subscription{
		Place: chat.Place{Platform: r.Platform, Channel: r.Channel}, Location: r.Location,
		DealKind: deal.Kind(r.Kind), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
	}
}

func subscriptionID(sub ledger.Subscription) string {
	return fmt.Sprintf("%s location=%s kind=%s", sub.Place, sub.Location, sub.DealKind)
}

// Subscribe routes notices matching the subscription's filters to its place,
// with an audit entry; the same subscription twice is refused with ErrExists.
func (s *Store) Subscribe(ctx context.Context, sub ledger.Subscription, a Audit) error {
	row := subscriptionRow{
		Platform: sub.Place.Platform, Channel: sub.Place.Channel, Location: sub.Location, Kind: string(sub.DealKind),
		CreatedBy: sub.CreatedBy, CreatedAt: utc(sub.CreatedAt),
	}
	return s.inTx(ctx, "subscribe", func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return fmt.Errorf("subscription of %s: %w", sub.Place, ErrExists)
			}
			return fmt.Errorf("store: subscribe %s: %w", sub.Place, err)
		}
		return audit(tx, subjectSubscription, subscriptionID(sub), a)
	})
}

// Unsubscribe removes the subscription of a place with exactly these
// filters; ErrNotFound when there is none.
func (s *Store) Unsubscribe(ctx context.Context, sub ledger.Subscription, a Audit) error {
	return s.inTx(ctx, "unsubscribe", func(tx *gorm.DB) error {
		res := tx.Where("platform = ? AND channel = ? AND location = ? AND kind = ?",
			sub.Place.Platform, sub.Place.Channel, sub.Location, string(sub.DealKind)).Delete(&subscriptionRow{})
		if res.Error != nil {
			return fmt.Errorf("store: unsubscribe %s: %w", sub.Place, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("subscription of %s: %w", sub.Place, ErrNotFound)
		}
		return audit(tx, subjectSubscription, subscriptionID(sub), a)
	})
}

// Subscriptions lists every subscription, oldest first.
func (s *Store) Subscriptions(ctx context.Context) ([]ledger.Subscription, error) {
	var rows []subscriptionRow
	if err := s.reader(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list subscriptions: %w", err)
	}
	out := make([]ledger.Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.subscription()
	}
	return out, nil
}
