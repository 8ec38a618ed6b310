package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The identity platform rotates an OAuth refresh token on every use, and
// the configured one stops working once it is old; a token kept in one
// process's memory is lost at its restart. The store keeps the newest one
// per connection (00012), shared by every replica and CLI command.

type refreshTokenRow struct {
	Name         string    `gorm:"column:name;primaryKey"`
	RefreshToken string    `gorm:"column:refresh_token;not null"`
	Configured   string    `gorm:"column:configured;not null"`
	Version      int64     `gorm:"column:version;not null"`
	UpdatedAt    time.Time `gorm:"column:updated_at;not null;autoUpdateTime:false"`
}

// TableName is the refresh_tokens table.
func (refreshTokenRow) TableName() string { return "refresh_tokens" }

func init() { models = append(models, &refreshTokenRow{}) } // (00012)

// RefreshToken reads the refresh token kept under name: the token, the
// fingerprint of the configured token its chain started from, and the
// row's version, which SaveRefreshToken compares; version 0 when none is
// kept. It reads the primary, not the read pool: another replica may have
// rotated the token a moment ago, and the old one may already be refused.
func (s *Store) RefreshToken(ctx context.Context, name string) (token, configured string, version int64, err error) {
	var row refreshTokenRow
	err = s.conn(ctx).Where("name = ?", name).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", "", 0, nil
	}
	if err != nil {
		return "", "", 0, fmt.Errorf("store: read the %s refresh token: %w", name, err)
	}
	return row.RefreshToken, row.Configured, row.Version, nil
}

// SaveRefreshToken keeps token under name, from the chain of the configured
// token whose fingerprint is configured, when the row is still at version
// (0: there is no row yet), and reports whether it did. It is a
// compare-and-set: when another replica saved first, its token is the
// newest and stays; the caller reads it next time.
func (s *Store) SaveRefreshToken(ctx context.Context, name, token, configured string, version int64, at time.Time) (bool, error) {
	if name == "" || token == "" || configured == "" {
		return false, fmt.Errorf("store: save a refresh token: name, token and fingerprint must all be given")
	}
	db := s.conn(ctx)
	if version == 0 {
		row := refreshTokenRow{Name: name, RefreshToken: token, Configured: configured, Version: 1, UpdatedAt: utc(at)}
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return false, fmt.Errorf("store: save the %s refresh token: %w", name, res.Error)
		}
		return res.RowsAffected == 1, nil
	}
	res := db.Model(&refreshTokenRow{}).Where("name = ? AND version = ?", name, version).
		Updates(map[string]any{"refresh_token": token, "configured": configured, "version": version + 1, "updated_at": utc(at)})
	if res.Error != nil {
		return false, fmt.Errorf("store: save the %s refresh token: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}
