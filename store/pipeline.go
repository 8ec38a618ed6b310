package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// PipelineVersion is a value that changes whenever a deal or a CPOR claim
// does, for readers that keep the pipeline in memory (the pipeline page):
// every change writes an audit event in its transaction, so the last audit
// id moves with it; the counts and last update times are a second guard for
// a writer that would forget. It reads only indexes and small aggregates.
func (s *Store) PipelineVersion(ctx context.Context) (string, error) {
	var v struct {
		Audit, Deals, Claims int64
		DealsAt, ClaimsAt    string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT
		(SELECT COALESCE(MAX(id), 0) FROM audit_events) AS audit,
		(SELECT COUNT(*) FROM deals) AS deals,
		(SELECT COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM deals) AS deals_at,
		(SELECT COUNT(*) FROM cpor_claims) AS claims,
		(SELECT COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM cpor_claims) AS claims_at`).Scan(&v).Error
	if err != nil {
		return "", fmt.Errorf("store: pipeline version: %w", err)
	}
	return fmt.Sprintf("%d/%d/%s/%d/%s", v.Audit, v.Deals, v.DealsAt, v.Claims, v.ClaimsAt), nil
}

// DealOutcomes are the answers to (and expiries of) inbound referrals at
// or after since, as their audit trails record them: by deal id, the
// accepted, declined and expired entries, oldest first.
func (s *Store) DealOutcomes(ctx context.Context, since time.Time) (map[int64][]Audit, error) {
	var rows []auditRow
	err := s.db.WithContext(ctx).
		Where("subject_type = ? AND action IN ? AND at >= ?", subjectDeal, []string{"accepted", "declined", "expired"}, utc(since)).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: referral outcomes since %s: %w", since.Format(time.DateOnly), err)
	}
	out := map[int64][]Audit{}
	for _, r := range rows {
		id, err := strconv.ParseInt(r.SubjectID, 10, 64)
		if err != nil {
			continue // not a deal id: nothing to chart
		}
		out[id] = append(out[id], Audit{At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Detail: r.Detail})
	}
	return out, nil
}

// DealLinks are the outside records a deal is linked to: by system
// (partnercenter, dynamics, …), the record's id there.
func (s *Store) DealLinks(ctx context.Context, dealID int64) (map[string]string, error) {
	links, err := s.LinksOf(ctx, dealID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(links))
	for _, l := range links {
		out[l.System] = l.RecordID
	}
	return out, nil
}
