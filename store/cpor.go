package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/cpor"
)

// subjectClaim is the audit subject type of CPOR claims.
const subjectClaim = "claim"

// claimRow is a CPOR claim as stored.
type claimRow struct {
	ID           int64      `gorm:"column:id;primaryKey;autoIncrement"`
	Version      int64      `gorm:"column:version;not null"`
	TenantID     string     `gorm:"column:tenant_id;not null;index:cpor_claims_tenant_id"`
	Country      string     `gorm:"column:country;not null"`
	Engagement   string     `gorm:"column:engagement;not null"`
	Workload     string     `gorm:"column:workload;not null"`
	Subscription string     `gorm:"column:subscription;not null"`
	Status       string     `gorm:"column:status;not null;index:cpor_claims_status_official_at,priority:1"`
	Notes        string     `gorm:"column:notes;not null"`
	Reason       string     `gorm:"column:reason;not null"`
	CreatedBy    string     `gorm:"column:created_by;not null"`
	NotifiedAt   *time.Time `gorm:"column:notified_at"`
	OfficialAt   *time.Time `gorm:"column:official_at;index:cpor_claims_status_official_at,priority:2"`
	CreatedAt    time.Time  `gorm:"column:created_at;not null;autoCreateTime:false"`
	UpdatedAt    time.Time  `gorm:"column:updated_at;not null;autoUpdateTime:false"`
}

// TableName is the cpor_claims table.
func (claimRow) TableName() string { return "cpor_claims" }

func toClaimRow(c *cpor.Claim) claimRow {
	return claimRow{
		ID: c.ID, Version: c.Version, TenantID: c.TenantID, Country: c.Country, Engagement: string(c.Engagement),
		Workload: c.Workload, Subscription: c.Subscription, Status: string(c.Status), Notes: c.Notes, Reason: c.Reason,
		CreatedBy: c.CreatedBy, NotifiedAt: utcPtr(c.NotifiedAt), OfficialAt: utcPtr(c.OfficialAt),
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt),
	}
}

func fromClaimRow(r *claimRow) *cpor.Claim {
	return &cpor.Claim{
		ID: r.ID, Version: r.Version, TenantID: r.TenantID, Country: r.Country, Engagement: cpor.Engagement(r.Engagement),
		Workload: r.Workload, Subscription: r.Subscription, Status: cpor.Status(r.Status), Notes: r.Notes, Reason: r.Reason,
		CreatedBy: r.CreatedBy, NotifiedAt: fromPtr(r.NotifiedAt), OfficialAt: fromPtr(r.OfficialAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// claimNotices completes a claim's notices: subject and a key per version.
func claimNotices(c *cpor.Claim, notices []Notice) []Notice {
	out := make([]Notice, len(notices))
	for i, n := range notices {
		if n.Subject == "" {
			n.Subject = c.Subject()
		}
		if n.Key == "" {
			n.Key = fmt.Sprintf("%s#v%d#%s", n.Subject, c.Version, n.Kind)
		}
		out[i] = n
	}
	return out
}

// CreateClaim stores a new claim with its audit entry and notices, and sets
// its ID and Version (1). A claim that repeats one still standing is refused
// with cpor.Repeats's error: the check and the insert share a transaction
// under a lock on the tenant, so that a double click's two requests (or two
// colleagues), on one replica or two, cannot both pass the check.
func (s *Store) CreateClaim(ctx context.Context, c *cpor.Claim, a Audit, notices ...Notice) error {
	if c.ID != 0 {
		return fmt.Errorf("store: create claim: it already has id %d", c.ID)
	}
	row := toClaimRow(c)
	row.Version = 1
	err := s.inTx(ctx, "create claim", func(tx *gorm.DB) error {
		if err := s.refuseRepeat(tx, c); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: insert claim: %w", err)
		}
		stored := *c
		stored.ID, stored.Version = row.ID, row.Version
		if err := plan(tx, stored.Plans()); err != nil {
			return err
		}
		if err := enqueue(tx, a.At, claimNotices(&stored, notices)); err != nil {
			return err
		}
		return audit(tx, subjectClaim, strconv.FormatInt(row.ID, 10), a)
	})
	if err != nil {
		return err
	}
	c.ID, c.Version = row.ID, row.Version
	return nil
}

// takeTurn makes the transactions that name key take turns until they end:
// on PostgreSQL an advisory lock held to the transaction's end; SQLite's
// write transactions are immediate, one at a time already.
func (s *Store) takeTurn(tx *gorm.DB, key string) error {
	if s.dialect != Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())).Error
}

// refuseRepeat returns cpor.Repeats's error when a standing claim already
// claims what c claims. SQLite's write transactions are immediate (one
// writer at a time); on PostgreSQL an advisory lock per tenant, held to the
// end of the transaction, makes concurrent claims of one tenant take turns.
func (s *Store) refuseRepeat(tx *gorm.DB, c *cpor.Claim) error {
	if err := s.takeTurn(tx, "cosellbot-claim:"+c.TenantID); err != nil {
		return fmt.Errorf("store: lock the claims of tenant %s: %w", c.TenantID, err)
	}
	var rows []claimRow
	err := tx.Where("tenant_id = ? AND engagement = ? AND subscription = ? AND status <> ?",
		c.TenantID, string(c.Engagement), c.Subscription, string(cpor.Declined)).Find(&rows).Error
	if err != nil {
		return fmt.Errorf("store: read the claims of tenant %s: %w", c.TenantID, err)
	}
	standing := make([]*cpor.Claim, len(rows))
	for i := range rows {
		standing[i] = fromClaimRow(&rows[i])
	}
	return cpor.Repeats(standing, c)
}

// GetClaim reads one claim; ErrNotFound when there is none.
func (s *Store) GetClaim(ctx context.Context, id int64) (*cpor.Claim, error) {
	var row claimRow
	err := s.reader(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("claim %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read claim %d: %w", id, err)
	}
	return fromClaimRow(&row), nil
}

// UpdateClaim stores a changed claim with its audit entry and notices, under
// optimistic concurrency like UpdateDeal (ErrConflict when someone else
// changed it since c.Version), and plans the checks its new status needs.
func (s *Store) UpdateClaim(ctx context.Context, c *cpor.Claim, a Audit, notices ...Notice) error {
	row := toClaimRow(c)
	row.Version = c.Version + 1
	err := s.inTx(ctx, fmt.Sprintf("update claim %d", c.ID), func(tx *gorm.DB) error {
		res := tx.Model(&claimRow{}).Where("id = ? AND version = ?", c.ID, c.Version).
			Select("*").Omit("id", "created_at").Updates(&row)
		if res.Error != nil {
			return fmt.Errorf("store: update claim %d: %w", c.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&claimRow{}).Where("id = ?", c.ID).Count(&n).Error; err != nil {
				return fmt.Errorf("store: update claim %d: %w", c.ID, err)
			}
			if n == 0 {
				return fmt.Errorf("claim %d: %w", c.ID, ErrNotFound)
			}
			return fmt.Errorf("claim %d was changed by someone else; reload and try again: %w", c.ID, ErrConflict)
		}
		stored := *c
		stored.Version = row.Version
		if err := plan(tx, stored.Plans()); err != nil {
			return err
		}
		if err := enqueue(tx, a.At, claimNotices(&stored, notices)); err != nil {
			return err
		}
		return audit(tx, subjectClaim, strconv.FormatInt(c.ID, 10), a)
	})
	if err != nil {
		return err
	}
	c.Version = row.Version
	return nil
}

// Claims lists every claim, newest first.
func (s *Store) Claims(ctx context.Context) ([]*cpor.Claim, error) {
	var rows []claimRow
	if err := s.reader(ctx).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list claims: %w", err)
	}
	out := make([]*cpor.Claim, len(rows))
	for i := range rows {
		out[i] = fromClaimRow(&rows[i])
	}
	return out, nil
}

// ClaimHistory is the audit trail of a claim, oldest first.
func (s *Store) ClaimHistory(ctx context.Context, id int64) ([]Audit, error) {
	return s.events(ctx, subjectClaim, strconv.FormatInt(id, 10))
}
