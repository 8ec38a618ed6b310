package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cosellbot/cosellbot/bot/access"
)

// The pipeline page (issue 17) signs people in with one-time links and keeps
// them signed in with a session cookie. The store keeps the signing key, the
// links (single use) and the sessions, each by the SHA-256 of its secret part,
// so that reading the database gives no one a usable link or cookie.

// Errors UseWebLink refuses a link with, wrapped with what happened. Both
// are ErrConflict too (the link's state forbids the use), so that callers
// that know only the ledger's errors can tell them from a failure.
var (
	// ErrLinkUsed means the link was already used once.
	ErrLinkUsed = fmt.Errorf("already used: %w", ErrConflict)
	// ErrLinkExpired means the link's time is over.
	ErrLinkExpired = fmt.Errorf("expired: %w", ErrConflict)
	// ErrLinkNoUser means the link's user is no longer a cosellbot user
	// (removed after the link was made): a session would belong to no one.
	ErrLinkNoUser = fmt.Errorf("no longer a cosellbot user: %w", ErrConflict)
)

type webKeyRow struct {
	Name      string    `gorm:"column:name;primaryKey"`
	Secret    string    `gorm:"column:secret;not null"`
	CreatedAt time.Time `gorm:"column:created_at;not null;autoCreateTime:false"`
}

// TableName is the web_keys table.
func (webKeyRow) TableName() string { return "web_keys" }

type webLinkRow struct {
	IDHash    string     `gorm:"column:id_hash;primaryKey"`
	UserID    string     `gorm:"column:user_id;not null"`
	CreatedAt time.Time  `gorm:"column:created_at;not null;autoCreateTime:false"`
	ExpiresAt time.Time  `gorm:"column:expires_at;not null;index:web_links_expires_at"`
	UsedAt    *time.Time `gorm:"column:used_at"`
}

// TableName is the web_links table.
func (webLinkRow) TableName() string { return "web_links" }

type webSessionRow struct {
	IDHash    string    `gorm:"column:id_hash;primaryKey"`
	UserID    string    `gorm:"column:user_id;not null"`
	CreatedAt time.Time `gorm:"column:created_at;not null;autoCreateTime:false"`
	ExpiresAt time.Time `gorm:"column:expires_at;not null;index:web_sessions_expires_at"`
}

// TableName is the web_sessions table.
func (webSessionRow) TableName() string { return "web_sessions" }

func init() { models = append(models, &webKeyRow{}, &webLinkRow{}, &webSessionRow{}) } // (00007)

// WebKey is the secret named name (32 random bytes), made on first use and
// shared by every replica and by the CLI, so that a link signed by one is
// accepted by another.
func (s *Store) WebKey(ctx context.Context, name string, at time.Time) ([]byte, error) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	row := webKeyRow{Name: name, Secret: hex.EncodeToString(raw[:]), CreatedAt: utc(at)}
	db := s.db.WithContext(ctx)
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("store: make web key %s: %w", name, err)
	}
	var got webKeyRow
	if err := db.Where("name = ?", name).Take(&got).Error; err != nil {
		return nil, fmt.Errorf("store: read web key %s: %w", name, err)
	}
	key, err := hex.DecodeString(got.Secret)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("store: web key %s is damaged: delete its row to make a new one", name)
	}
	return key, nil
}

// CreateWebLink records a sign-in link for userID, by the hash of its id,
// valid until expires, with an audit entry on the user. Links and sessions
// past their time are dropped on the way.
func (s *Store) CreateWebLink(ctx context.Context, idHash, userID string, expires time.Time, a Audit) error {
	if idHash == "" || userID == "" {
		return fmt.Errorf("store: web link: id hash %q and user %q must both be given", idHash, userID)
	}
	return s.inTx(ctx, "create web link", func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", utc(a.At)).Delete(&webLinkRow{}).Error; err != nil {
			return fmt.Errorf("store: drop old web links: %w", err)
		}
		if err := tx.Where("expires_at < ?", utc(a.At)).Delete(&webSessionRow{}).Error; err != nil {
			return fmt.Errorf("store: drop old web sessions: %w", err)
		}
		row := webLinkRow{IDHash: idHash, UserID: userID, CreatedAt: utc(a.At), ExpiresAt: utc(expires)}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create web link for %s: %w", userID, err)
		}
		return audit(tx, subjectUser, userID, a)
	})
}

// WebLinkUser tells whose link idHash is without using it; ErrNotFound,
// ErrLinkUsed or ErrLinkExpired (at now) when it cannot be used.
func (s *Store) WebLinkUser(ctx context.Context, idHash string, now time.Time) (string, error) {
	var row webLinkRow
	err := s.db.WithContext(ctx).Where("id_hash = ?", idHash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", fmt.Errorf("sign-in link: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: read web link: %w", err)
	}
	return row.UserID, linkUsable(&row, now)
}

func linkUsable(row *webLinkRow, now time.Time) error {
	if row.UsedAt != nil {
		return fmt.Errorf("sign-in link of %s used at %s: %w", row.UserID, row.UsedAt.UTC().Format(time.RFC3339), ErrLinkUsed)
	}
	if !now.Before(row.ExpiresAt) {
		return fmt.Errorf("sign-in link of %s expired at %s: %w", row.UserID, row.ExpiresAt.UTC().Format(time.RFC3339), ErrLinkExpired)
	}
	return nil
}

// UseWebLink spends the link idHash and opens a session, by the hash of its
// cookie, until sessionExpires; it answers the user the link was made for.
// A link is spent once: of two requests racing with it, one gets the session
// and the other ErrLinkUsed. ErrNotFound, ErrLinkUsed or ErrLinkExpired (at
// a.At) when it cannot be used, and ErrLinkNoUser when its user was removed
// since it was made; then nothing changes.
func (s *Store) UseWebLink(ctx context.Context, idHash, sessionHash string, sessionExpires time.Time, a Audit) (string, error) {
	var user string
	err := s.inTx(ctx, "use web link", func(tx *gorm.DB) error {
		var row webLinkRow
		err := tx.Where("id_hash = ?", idHash).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("sign-in link: %w", ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: read web link: %w", err)
		}
		if err := linkUsable(&row, a.At); err != nil {
			return err
		}
		if err := s.userStays(tx, row.UserID); err != nil {
			return err
		}
		res := tx.Model(&webLinkRow{}).Where("id_hash = ? AND used_at IS NULL", idHash).Update("used_at", utc(a.At))
		if res.Error != nil {
			return fmt.Errorf("store: spend web link: %w", res.Error)
		}
		if res.RowsAffected == 0 { // another request spent it first
			return fmt.Errorf("sign-in link of %s: %w", row.UserID, ErrLinkUsed)
		}
		sess := webSessionRow{IDHash: sessionHash, UserID: row.UserID, CreatedAt: utc(a.At), ExpiresAt: utc(sessionExpires)}
		if err := tx.Create(&sess).Error; err != nil {
			return fmt.Errorf("store: open web session for %s: %w", row.UserID, err)
		}
		user = row.UserID
		return audit(tx, subjectUser, row.UserID, a)
	})
	return user, err
}

// userStays checks, inside the transaction that opens a session, that id
// is still a user, and holds its row so that a removal waits for the
// session (and then ends it, see RemoveUser) instead of passing it by: a
// session opened for someone removed a moment before would otherwise
// outlive the removal and come back to life if the address is added again.
// The local admin of the shell is no row and always stays.
func (s *Store) userStays(tx *gorm.DB, id string) error {
	if strings.EqualFold(id, access.LocalAdmin.ID) {
		return nil
	}
	q := tx.Where("id = ?", userKey(id))
	if s.dialect == Postgres { // SQLite runs one writing transaction at a time
		q = q.Clauses(clause.Locking{Strength: "SHARE"})
	}
	var u userRow
	err := q.Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("sign-in link of %s: %w", id, ErrLinkNoUser)
	}
	if err != nil {
		return fmt.Errorf("store: read user %s: %w", id, err)
	}
	return nil
}

// endWebSessions ends every session of user id, however it was opened
// (ids are compared in lower case: a link's user is whatever its maker gave).
func endWebSessions(tx *gorm.DB, id string) error {
	if err := tx.Where("LOWER(user_id) = ?", userKey(id)).Delete(&webSessionRow{}).Error; err != nil {
		return fmt.Errorf("store: end web sessions of %s: %w", id, err)
	}
	return nil
}

// forgetWebAccess ends the sessions and drops the unspent sign-in links
// left for id from before it was a user (made before a removal, or
// sessions from before removals ended them): a user added, or added
// again, starts with none, so that nothing of a former user comes back.
func forgetWebAccess(tx *gorm.DB, id string) error {
	if err := endWebSessions(tx, id); err != nil {
		return err
	}
	if err := tx.Where("LOWER(user_id) = ? AND used_at IS NULL", userKey(id)).Delete(&webLinkRow{}).Error; err != nil {
		return fmt.Errorf("store: drop sign-in links of %s: %w", id, err)
	}
	return nil
}

// WebSession is the user of the session whose cookie hashes to idHash, and
// when it ends; ErrNotFound when there is no such session or it ended
// before now.
func (s *Store) WebSession(ctx context.Context, idHash string, now time.Time) (string, time.Time, error) {
	var row webSessionRow
	err := s.db.WithContext(ctx).Where("id_hash = ? AND expires_at > ?", idHash, utc(now)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", time.Time{}, fmt.Errorf("web session: %w", ErrNotFound)
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: read web session: %w", err)
	}
	return row.UserID, row.ExpiresAt.UTC(), nil
}

// EndWebSession signs a session out; ending one that is gone is no error.
func (s *Store) EndWebSession(ctx context.Context, idHash string) error {
	if err := s.db.WithContext(ctx).Where("id_hash = ?", idHash).Delete(&webSessionRow{}).Error; err != nil {
		return fmt.Errorf("store: end web session: %w", err)
	}
	return nil
}

// UserHistory is the audit trail of a user, oldest first: roles granted,
// sign-in links made and used.
func (s *Store) UserHistory(ctx context.Context, id string) ([]Audit, error) {
	return s.events(ctx, subjectUser, id)
}
