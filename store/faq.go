package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

const subjectFAQ = "faq"

// faqEntryRow is an admin's FAQ entry (00004); it wins over the shipped
// entry with the same id, and a removed one hides it.
type faqEntryRow struct {
	ID        string    `gorm:"column:id;primaryKey"`
	Body      string    `gorm:"column:body;not null"`
	Removed   bool      `gorm:"column:removed;not null"`
	UpdatedAt time.Time `gorm:"column:updated_at;not null"`
	UpdatedBy string    `gorm:"column:updated_by;not null"`
}

func (faqEntryRow) TableName() string { return "faq_entries" }

// faqMissRow is a question nobody could answer (00004), or answered by an
// entry its asker said was not what they asked (WrongEntry, 00015).
type faqMissRow struct {
	ID         int64     `gorm:"column:id;primaryKey;autoIncrement"`
	Question   string    `gorm:"column:question;not null"`
	Lang       string    `gorm:"column:lang;not null"`
	Actor      string    `gorm:"column:actor;not null"`
	At         time.Time `gorm:"column:at;not null;index:faq_misses_at"`
	WrongEntry string    `gorm:"column:wrong_entry;not null;default:''"`
}

func (faqMissRow) TableName() string { return "faq_misses" }

// faqBody is the stored form of an entry; explicit tags keep it stable.
type faqBody struct {
	Seed    string                 `json:"seed,omitempty"`
	Related []string               `json:"related,omitempty"`
	Text    map[string]faqTextBody `json:"text"`
}

type faqTextBody struct {
	Question   string   `json:"question"`
	Alternates []string `json:"alternates,omitempty"`
	Answer     string   `json:"answer"`
}

// faqBodyOf is an entry's stored form (the map's keys come out sorted, so
// the same entry always encodes the same).
func faqBodyOf(e faq.Entry) (string, error) {
	b := faqBody{Seed: e.Seed, Related: e.Related, Text: map[string]faqTextBody{}}
	for l, t := range e.Text {
		b.Text[string(l)] = faqTextBody{Question: t.Question, Alternates: t.Alternates, Answer: t.Answer}
	}
	body, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("store: encode faq entry %s: %w", e.ID, err)
	}
	return string(body), nil
}

// PutFAQ adds or replaces an admin's FAQ entry (or its removal), with its
// audit event, whatever is stored.
func (s *Store) PutFAQ(ctx context.Context, e faq.Entry, a Audit) error {
	return s.putFAQ(ctx, e, nil, false, a)
}

// ReplaceFAQ stores e in place of the admin entry was, as it was read (nil:
// there was none), with its audit event; ErrConflict when the stored entry
// is no longer was: another admin's change (a teach, an edit) landed
// meanwhile, and writing e, made from the older one, would undo it. The
// caller reads again and makes its change anew. Concurrent replacements of
// one entry take turns (SQLite's immediate transactions; an advisory lock
// per entry on PostgreSQL).
func (s *Store) ReplaceFAQ(ctx context.Context, e faq.Entry, was *faq.Entry, a Audit) error {
	return s.putFAQ(ctx, e, was, true, a)
}

func (s *Store) putFAQ(ctx context.Context, e faq.Entry, was *faq.Entry, check bool, a Audit) error {
	body, err := faqBodyOf(e)
	if err != nil {
		return err
	}
	var wasBody string
	if was != nil {
		if wasBody, err = faqBodyOf(*was); err != nil {
			return err
		}
	}
	row := faqEntryRow{ID: e.ID, Body: body, Removed: e.Removed, UpdatedAt: utc(a.At), UpdatedBy: a.Actor}
	return s.inTx(ctx, "put faq entry "+e.ID, func(tx *gorm.DB) error {
		if check {
			if err := s.takeTurn(tx, "cosellbot-faq:"+e.ID); err != nil {
				return fmt.Errorf("store: lock faq entry %s: %w", e.ID, err)
			}
			var cur []faqEntryRow
			if err := tx.Where("id = ?", e.ID).Find(&cur).Error; err != nil {
				return fmt.Errorf("store: read faq entry %s: %w", e.ID, err)
			}
			same := (was == nil && len(cur) == 0) ||
				(was != nil && len(cur) == 1 && cur[0].Removed == was.Removed && cur[0].Body == wasBody)
			if !same {
				return fmt.Errorf("FAQ entry %s was changed by someone else meanwhile: %w", e.ID, ErrConflict)
			}
		}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, UpdateAll: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("store: put faq entry %s: %w", e.ID, err)
		}
		return audit(tx, subjectFAQ, e.ID, a)
	})
}

// FAQOverrides returns every admin entry, removals included, by id.
func (s *Store) FAQOverrides(ctx context.Context) ([]faq.Entry, error) {
	var rows []faqEntryRow
	if err := s.reader(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list faq entries: %w", err)
	}
	out := make([]faq.Entry, 0, len(rows))
	for _, r := range rows {
		var b faqBody
		if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
			return nil, fmt.Errorf("store: decode faq entry %s: %w", r.ID, err)
		}
		e := faq.Entry{ID: r.ID, Seed: b.Seed, Related: b.Related, Removed: r.Removed, Text: map[faq.Lang]faq.Text{}}
		for l, t := range b.Text {
			e.Text[faq.Lang(l)] = faq.Text{Question: t.Question, Alternates: t.Alternates, Answer: t.Answer}
		}
		out = append(out, e)
	}
	return out, nil
}

// FAQVersion changes whenever an admin entry is added, changed or removed,
// so every replica can tell when to rebuild its index.
func (s *Store) FAQVersion(ctx context.Context) (string, error) {
	var n int64
	db := s.reader(ctx).Model(&faqEntryRow{})
	if err := db.Count(&n).Error; err != nil {
		return "", fmt.Errorf("store: faq version: %w", err)
	}
	// The newest row rather than MAX(updated_at): SQLite returns aggregates
	// of times as text.
	var last []faqEntryRow
	if err := s.reader(ctx).Order("updated_at DESC").Limit(1).Find(&last).Error; err != nil {
		return "", fmt.Errorf("store: faq version: %w", err)
	}
	v := fmt.Sprintf("%d", n)
	if len(last) == 1 {
		v += "@" + last[0].UpdatedAt.UTC().Format(time.RFC3339Nano) + "/" + last[0].ID
	}
	return v, nil
}

// RecordFAQMisses keeps questions the FAQ could not answer, in one insert:
// serve's miss writer hands over the misses queued since its last write
// together. None is kept when one has an empty question.
func (s *Store) RecordFAQMisses(ctx context.Context, ms ...ledger.FAQMiss) error {
	if len(ms) == 0 {
		return nil
	}
	rows := make([]faqMissRow, len(ms))
	for i, m := range ms {
		rows[i] = faqMissRow{Question: strings.TrimSpace(m.Question), Lang: m.Lang, Actor: m.Actor, At: utc(m.At), WrongEntry: m.Wrong}
		if rows[i].Question == "" {
			return fmt.Errorf("store: record faq miss: the question is empty")
		}
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("store: record faq miss: %w", err)
	}
	return nil
}

// FAQMisses lists the unanswered questions asked since a time, the most
// asked first (the same question in any case counts together), at most
// limit. A question its askers said was answered wrongly is one of them,
// with the entry they last said so of (Wrong) and how often (Wrongs).
func (s *Store) FAQMisses(ctx context.Context, since time.Time, limit int) ([]ledger.FAQMiss, error) {
	var rows []faqMissRow
	if err := s.reader(ctx).Where("at >= ?", utc(since)).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list faq misses: %w", err)
	}
	// Grouped here rather than in SQL: SQLite returns aggregates of times as
	// text, and the window (since) keeps the rows few.
	byKey := map[string]*ledger.FAQMiss{}
	var out []*ledger.FAQMiss
	for _, r := range rows {
		key := strings.ToLower(r.Question)
		m, ok := byKey[key]
		if !ok {
			m = &ledger.FAQMiss{Question: key, Lang: r.Lang}
			byKey[key] = m
			out = append(out, m)
		}
		m.Count++
		if r.WrongEntry != "" {
			m.Wrongs++
			m.Wrong = r.WrongEntry // rows come in id order: the last said
		}
		if r.At.After(m.At) {
			m.At = r.At.UTC()
		}
	}
	slices.SortStableFunc(out, func(a, b *ledger.FAQMiss) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return b.At.Compare(a.At)
	})
	res := make([]ledger.FAQMiss, 0, min(limit, len(out)))
	for _, m := range out[:min(limit, len(out))] {
		res = append(res, *m)
	}
	return res, nil
}
