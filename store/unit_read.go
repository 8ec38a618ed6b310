package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// What a unit reads (unit.go): deals and links, once per page, the page's
// records read ahead together; what the unit committed wins over what is
// stored.

// deal reads a deal through the unit.
func (u *unit) deal(id int64) (*deal.Deal, error) {
	if ud, ok := u.deals[id]; ok {
		return ud.d.Clone(), nil
	}
	d, err := takeDeal(u.read(), id)
	if err != nil {
		return nil, err
	}
	u.deals[id] = &unitDeal{d: d, stored: d.Version}
	return d.Clone(), nil
}

// linksOfDeal reads a deal's links through the unit, in (system, record)
// order.
func (u *unit) linksOfDeal(dealID int64) ([]change.Link, error) {
	if refs, ok := u.ofDeal[dealID]; ok {
		return u.linksAt(refs), nil
	}
	var rows []syncRow
	if err := u.read().Where("deal_id = ?", dealID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read the links of deal %d: %w", dealID, err)
	}
	return u.learn(dealID, rows)
}

// linksOfRecord is LinksOfRecord through the unit.
func (u *unit) linksOfRecord(system, recordID string) ([]change.Link, error) {
	ref := change.LinkRef{System: system, RecordID: recordID}
	if l, ok := u.links[ref]; ok {
		if l == nil || l.DealID == 0 {
			return u.linksAt([]change.LinkRef{ref}), nil
		}
		return u.linksOfDeal(l.DealID)
	}
	var rows []syncRow
	err := u.read().Where(linksOfRecordWhere, system, recordID, system, recordID).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: read the links of %s record %s: %w", system, recordID, err)
	}
	var dealID int64
	for _, r := range rows {
		if r.Source == system && r.ExternalID == recordID && r.DealID != nil {
			dealID = *r.DealID
		}
	}
	if dealID == 0 {
		if len(rows) == 0 {
			u.links[ref] = nil
		} else if l, err := linkOf(&rows[0]); err == nil {
			u.links[ref] = &l
		}
		return u.linksAt([]change.LinkRef{ref}), nil
	}
	return u.learn(dealID, rows)
}

// learn keeps a deal's links as read, the unit's own newer ones winning.
func (u *unit) learn(dealID int64, rows []syncRow) ([]change.Link, error) {
	refs := make([]change.LinkRef, 0, len(rows))
	for i := range rows {
		ref := change.LinkRef{System: rows[i].Source, RecordID: rows[i].ExternalID}
		if _, ok := u.links[ref]; !ok {
			l, err := linkOf(&rows[i])
			if err != nil {
				return nil, err
			}
			u.links[ref] = &l
		}
		refs = append(refs, ref)
	}
	for ref := range u.dirty { // linked in this unit, not stored yet
		if l := u.links[ref]; l != nil && l.DealID == dealID && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	refs = slices.DeleteFunc(refs, func(r change.LinkRef) bool { l := u.links[r]; return l == nil || l.DealID != dealID })
	u.ofDeal[dealID] = refs
	return u.linksAt(refs), nil
}

// linksAt is the unit's links of refs (the known ones), sorted.
func (u *unit) linksAt(refs []change.LinkRef) []change.Link {
	out := make([]change.Link, 0, len(refs))
	for _, r := range refs {
		if l := u.links[r]; l != nil {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b change.Link) int {
		return cmp.Or(strings.Compare(a.System, b.System), strings.Compare(a.RecordID, b.RecordID))
	})
	return out
}

// Prefetch reads, for a unit, the links of a system's records, every
// other link of their deals, and the deals, in two queries: a page's
// events then find them in the unit instead of reading them one by one.
// Outside a unit it does nothing.
func (s *Store) Prefetch(ctx context.Context, system string, recordIDs []string) error {
	u := unitOf(ctx)
	if u == nil || len(recordIDs) == 0 {
		return nil
	}
	var todo []string
	for _, id := range recordIDs {
		if _, ok := u.links[change.LinkRef{System: system, RecordID: id}]; !ok && !slices.Contains(todo, id) {
			todo = append(todo, id)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	var rows []syncRow
	err := u.read().Where("(source = ? AND external_id IN ?) OR deal_id IN (SELECT deal_id FROM external_sync WHERE source = ? AND external_id IN ?)",
		system, padded(todo), system, padded(todo)).Find(&rows).Error
	if err != nil {
		return fmt.Errorf("store: read the links of %d %s records: %w", len(todo), system, err)
	}
	byDeal := map[int64][]syncRow{}
	for i := range rows {
		if rows[i].DealID == nil {
			ref := change.LinkRef{System: rows[i].Source, RecordID: rows[i].ExternalID}
			if _, ok := u.links[ref]; !ok {
				l, err := linkOf(&rows[i])
				if err != nil {
					return err
				}
				u.links[ref] = &l
			}
			continue
		}
		byDeal[*rows[i].DealID] = append(byDeal[*rows[i].DealID], rows[i])
	}
	ids := make([]int64, 0, len(byDeal))
	for id, rs := range byDeal {
		if _, err := u.learn(id, rs); err != nil { // the unit's own links win
			return err
		}
		if _, ok := u.deals[id]; !ok {
			ids = append(ids, id)
		}
	}
	var unlinked []string // first contacts: their deals are found by crm_id
	for _, id := range todo {
		ref := change.LinkRef{System: system, RecordID: id}
		l, ok := u.links[ref]
		if !ok {
			u.links[ref] = nil // not linked
		}
		if l == nil || l.DealID == 0 {
			if _, known := u.byCRM[id]; !known {
				unlinked = append(unlinked, id)
			}
		}
	}
	slices.Sort(ids)
	if err := u.prefetchDeals(ids); err != nil {
		return err
	}
	return u.prefetchCRMIDs(unlinked)
}

// dealByCRMID is DealByCRMID through the unit: the deal it then commits
// is held like every deal the unit read, and the unit's own versions
// decide, so that a crm_id edited earlier in the unit counts before it is
// written.
func (u *unit) dealByCRMID(id string) (*deal.Deal, error) {
	ids, ok := u.byCRM[id]
	if !ok {
		if err := u.prefetchCRMIDs([]string{id}); err != nil {
			return nil, err
		}
		ids = u.byCRM[id]
	}
	var found *deal.Deal
	consider := func(d *deal.Deal) {
		if d.CRMID == id && (found == nil || d.ID < found.ID) {
			found = d
		}
	}
	for _, did := range ids {
		if ud, ok := u.deals[did]; ok {
			consider(ud.d)
		}
	}
	for _, ud := range u.deals {
		if ud.changed {
			consider(ud.d)
		}
	}
	if found == nil {
		return nil, fmt.Errorf("deal with crm_id %q: %w", id, ErrNotFound)
	}
	return found.Clone(), nil
}

// prefetchCRMIDs reads the deals stored with one of the crm_ids, in one
// query, and remembers which deals carry each (none, for most).
func (u *unit) prefetchCRMIDs(crmIDs []string) error {
	if len(crmIDs) == 0 {
		return nil
	}
	var rows []dealRow
	if err := u.read().Where("crm_id IN ?", padded(crmIDs)).Order("id").Find(&rows).Error; err != nil {
		return fmt.Errorf("store: find the deals of %d crm_ids: %w", len(crmIDs), err)
	}
	for _, id := range crmIDs {
		u.byCRM[id] = nil
	}
	for i := range rows {
		r := &rows[i]
		u.byCRM[r.CRMID] = append(u.byCRM[r.CRMID], r.ID)
		if _, ok := u.deals[r.ID]; ok {
			continue // the unit's own version wins
		}
		d, err := fromDealRow(r)
		if err != nil {
			return err
		}
		u.deals[d.ID] = &unitDeal{d: d, stored: d.Version}
	}
	return nil
}

// prefetchDeals reads deals the unit has not read, in one query.
func (u *unit) prefetchDeals(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []dealRow
	if err := u.read().Where("id IN ?", padded(ids)).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read %d deals: %w", len(ids), err)
	}
	for i := range rows {
		d, err := fromDealRow(&rows[i])
		if err != nil {
			return err
		}
		u.deals[d.ID] = &unitDeal{d: d, stored: d.Version}
	}
	return nil
}
