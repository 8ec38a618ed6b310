package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	secrets "github.com/cosellbot/cosellbot/bot/redact"
)

// The outbox (DESIGN.md, Delivery semantics): every notice becomes one row
// per chat place, written in the transaction of the change it tells about.
// Dispatchers claim due rows, send them outside any transaction and mark them;
// delivery is at least once, and a duplicate is possible only when a
// dispatcher dies between sending and marking.

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxDead    = "dead"
)

// outboxRow is one message to one place. While a row is sending,
// next_attempt_at holds its lease deadline, so that one partial index finds
// both the rows due and the rows whose dispatcher died.
type outboxRow struct {
	ID            int64      `gorm:"column:id;primaryKey;autoIncrement;index:outbox_dead"` // partial: WHERE state = 'dead'
	DedupKey      string     `gorm:"column:dedup_key;not null;uniqueIndex:outbox_dedup_key"`
	Platform      string     `gorm:"column:platform;not null"`
	Channel       string     `gorm:"column:channel;not null"`
	Subject       string     `gorm:"column:subject;not null"`
	Kind          string     `gorm:"column:kind;not null"`
	Payload       string     `gorm:"column:payload;not null"`
	State         string     `gorm:"column:state;not null"`
	Attempts      int        `gorm:"column:attempts;not null"`
	NextAttemptAt time.Time  `gorm:"column:next_attempt_at;not null;index:outbox_due"` // partial: WHERE state IN ('pending', 'sending')
	LeaseUntil    *time.Time `gorm:"column:lease_until"`
	LastError     string     `gorm:"column:last_error;not null"`
	Ref           string     `gorm:"column:ref;not null"`
	CreatedAt     time.Time  `gorm:"column:created_at;not null;autoCreateTime:false"`
	SentAt        *time.Time `gorm:"column:sent_at"`
}

// TableName is the outbox table.
func (outboxRow) TableName() string { return "outbox" }

// threadRow is the first message sent about a subject to a place.
type threadRow struct {
	Platform  string    `gorm:"column:platform;primaryKey"`
	Channel   string    `gorm:"column:channel;primaryKey"`
	Subject   string    `gorm:"column:subject;primaryKey"`
	Ref       string    `gorm:"column:ref;not null"`
	CreatedAt time.Time `gorm:"column:created_at;not null;autoCreateTime:false"`
}

// TableName is the threads table.
func (threadRow) TableName() string { return "threads" }

// Notice is ledger.Notice: news for chat, written with the change.
type Notice = ledger.Notice

// dealSubject names a deal in notices and reminders.
func dealSubject(id int64) string { return ledger.DealSubject(id) }

// afterDealWrite is what every stored deal change also writes, in its
// transaction: the check of Microsoft's decision when the deal waits for
// one, and the notices. created says that the deal was just inserted, so
// that "{id}" in notices is replaced by its id.
func afterDealWrite(tx *gorm.DB, d *deal.Deal, version int64, at time.Time, created bool, notices []Notice) error {
	if err := planDecision(tx, d); err != nil {
		return err
	}
	if err := dropAnsweredReminders(tx, d); err != nil {
		return err
	}
	return enqueue(tx, at, dealNotices(d, version, created, notices))
}

// dropAnsweredReminders removes the reminders (and the arrival and expiry news) of a referral no longer
// waiting for an answer that have not gone out yet (a channel's 429, a
// sweep's batch still queued): posted later they would offer Accept on a
// referral answered meanwhile, and the state messages that keep sent ones
// current cannot edit a message not posted. In the change's transaction.
func dropAnsweredReminders(tx *gorm.DB, d *deal.Deal) error {
	if d.Status == deal.Received {
		return nil
	}
	err := tx.Where("subject = ? AND kind IN ? AND state = ?", dealSubject(d.ID), answerNews, OutboxPending).Delete(&outboxRow{}).Error
	if err != nil {
		return fmt.Errorf("store: drop the reminders of answered deal #%d: %w", d.ID, err)
	}
	return nil
}

// planDecision plans the check of Microsoft's decision when the deal waits
// for one.
func planDecision(tx *gorm.DB, d *deal.Deal) error {
	if d.Microsoft == deal.MSInvited && !d.DecisionDue.IsZero() && !d.Status.Terminal() {
		return plan(tx, []ledger.Reminder{{Subject: dealSubject(d.ID), Kind: ledger.PlanDecisionDue, DueAt: d.DecisionDue}})
	}
	return nil
}

// dealNotices completes a deal change's notices: subject, place filters,
// team, and a key unique to the deal's version.
func dealNotices(d *deal.Deal, version int64, created bool, notices []Notice) []Notice {
	if len(notices) == 0 {
		return nil
	}
	subject := dealSubject(d.ID)
	id := strconv.FormatInt(d.ID, 10)
	out := make([]Notice, len(notices))
	for i, n := range notices {
		if n.Subject == "" {
			n.Subject = subject
		}
		if created {
			n.Text = strings.ReplaceAll(n.Text, "{id}", id)
			n.Actions = slices.Clone(n.Actions)
			for j := range n.Actions {
				n.Actions[j].Command = strings.ReplaceAll(n.Actions[j].Command, "{id}", id)
			}
		}
		if n.Location == "" {
			n.Location = d.Location
		}
		if n.DealKind == "" {
			n.DealKind = d.Kind
		}
		if n.Team == nil {
			n.Team = ledger.TeamOf(d)
		}
		if n.Key == "" {
			n.Key = fmt.Sprintf("%s#v%d#%s", n.Subject, version, n.Kind)
		}
		out[i] = n
	}
	return out
}

// queued is a notice with the time it was written.
type queued struct {
	at time.Time
	n  Notice
}

// enqueue writes one outbox row per notice and place: the notice's own
// places, or else the subscribed places whose filters match. A (key, place) pair
// already written is skipped, which makes every writer idempotent.
func enqueue(tx *gorm.DB, at time.Time, notices []Notice) error {
	items := make([]queued, len(notices))
	for i, n := range notices {
		items[i] = queued{at: at, n: n}
	}
	return enqueueAll(tx, items)
}

// enqueueAll is enqueue of notices written at different times, in one
// read of the subscriptions and one insert.
func enqueueAll(tx *gorm.DB, items []queued) error {
	if len(items) == 0 {
		return nil
	}
	var subs []subscriptionRow
	if err := tx.Order("id").Find(&subs).Error; err != nil {
		return fmt.Errorf("store: read subscriptions: %w", err)
	}
	makers, err := subscribers(tx, subs)
	if err != nil {
		return err
	}
	var rows []outboxRow
	seen := map[string]bool{}
	for _, it := range items {
		n, at := it.n, utc(it.at)
		if n.Key == "" || n.Subject == "" {
			return fmt.Errorf("store: notice %q has no key or subject", n.Text)
		}
		places := slices.Clone(n.Places)
		for _, r := range subs {
			if len(n.Places) == 0 && r.subscription().Matches(n.Location, n.DealKind) &&
				access.Receives(makers[userKey(r.CreatedBy)], chat.Place{Platform: r.Platform, Channel: r.Channel}, strings.HasPrefix(n.Subject, "claim:"), n.Audience()) {
				places = append(places, chat.Place{Platform: r.Platform, Channel: r.Channel})
			}
		}
		for _, p := range places {
			key := n.Key + "|" + p.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			payload, err := json.Marshal(chat.Message{To: p, Subject: n.Subject, Text: n.Text, Actions: n.Actions, State: n.Kind == ledger.KindState})
			if err != nil {
				return fmt.Errorf("store: encode notice %s: %w", n.Key, err)
			}
			rows = append(rows, outboxRow{
				DedupKey: key, Platform: p.Platform, Channel: p.Channel, Subject: n.Subject, Kind: n.Kind,
				Payload: string(payload), State: OutboxPending, NextAttemptAt: at, CreatedAt: at,
			})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	err = eachChunk(rows, 256, func(rows []outboxRow) error {
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedup_key"}}, DoNothing: true}).
			Omit("id").Create(&rows).Error
	})
	if err != nil {
		return fmt.Errorf("store: write %d outbox rows: %w", len(rows), err)
	}
	return nil
}

// Notify writes notices to the outbox on their own, for news that changes
// nothing else (a reminder fired through Fire does this itself).
func (s *Store) Notify(ctx context.Context, at time.Time, notices ...Notice) error {
	return s.inTx(ctx, "notify", func(tx *gorm.DB) error { return enqueue(tx, at, notices) })
}

// OutboxItem is ledger.Delivery: a claimed message; send it, then MarkSent
// or MarkFailed.
type OutboxItem = ledger.Delivery

// ClaimOutbox takes up to limit messages due at now (pending ones, and
// sending ones whose lease ran out) and leases them to the caller until
// now+lease. On PostgreSQL rows another dispatcher is claiming are skipped
// (FOR UPDATE SKIP LOCKED), so dispatchers never wait for each other; SQLite
// serves one replica and serialises the claim. Message.Thread is filled with
// the first message sent about the subject to the same place.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxItem, error) {
	var rows []outboxRow
	until := utc(now.Add(lease))
	err := s.inTx(ctx, "claim outbox rows", func(tx *gorm.DB) error {
		// The states are literals so that PostgreSQL matches the partial index.
		q := tx.Where("state IN ('pending', 'sending') AND next_attempt_at <= ?", utc(now)).
			Order("next_attempt_at").Order("id").Limit(limit)
		if s.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&rows).Error; err != nil {
			return fmt.Errorf("store: claim outbox rows: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		err := tx.Model(&outboxRow{}).Where("id IN ?", ids).Updates(map[string]any{
			"state": OutboxSending, "lease_until": until, "next_attempt_at": until, "attempts": gorm.Expr("attempts + 1"),
		}).Error
		if err != nil {
			return fmt.Errorf("store: lease %d outbox rows: %w", len(ids), err)
		}
		return nil
	})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	threads, err := s.threads(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxItem, len(rows))
	for i, r := range rows {
		var m chat.Message
		if err := json.Unmarshal([]byte(r.Payload), &m); err != nil {
			return nil, fmt.Errorf("store: decode outbox row %d: %w", r.ID, err)
		}
		m.Thread = threads[threadKey(r.Platform, r.Channel, r.Subject)]
		out[i] = OutboxItem{ID: r.ID, Attempt: r.Attempts + 1, Kind: r.Kind, Key: r.DedupKey, Message: m, Queued: r.CreatedAt.UTC()}
	}
	if err := s.stateEdits(ctx, rows, out); err != nil {
		return nil, err
	}
	return out, nil
}

func threadKey(platform, channel, subject string) string {
	return platform + "\x00" + channel + "\x00" + subject
}

// threads reads the thread references of the rows' (place, subject) pairs.
func (s *Store) threads(ctx context.Context, rows []outboxRow) (map[string]string, error) {
	var subjects []string
	for _, r := range rows {
		if !slices.Contains(subjects, r.Subject) {
			subjects = append(subjects, r.Subject)
		}
	}
	var found []threadRow
	if err := s.reader(ctx).Where("subject IN ?", subjects).Find(&found).Error; err != nil {
		return nil, fmt.Errorf("store: read threads: %w", err)
	}
	out := make(map[string]string, len(found))
	for _, t := range found {
		out[threadKey(t.Platform, t.Channel, t.Subject)] = t.Ref
	}
	return out, nil
}

// MarkSent records a delivered message and its platform reference; the first
// reference about a subject in a place becomes the thread later messages
// join. It reports false when the lease had run out and another dispatcher
// took the row over (the message may then arrive twice). The two writes need
// no common transaction: a thread left unrecorded only means the next
// message starts its own. A message the dispatcher wrote again at delivery
// (it.Redone) is kept as sent, so that the state updates that rewrite it
// later start from what the place shows.
func (s *Store) MarkSent(ctx context.Context, it OutboxItem, now time.Time, ref string) (bool, error) {
	db := s.conn(ctx)
	set := map[string]any{"state": OutboxSent, "sent_at": utc(now), "ref": ref, "lease_until": nil, "last_error": ""}
	if it.Redone {
		m := it.Message
		m.Thread, m.Edits = "", nil // as enqueue writes it: the thread is looked up at each claim
		payload, err := json.Marshal(m)
		if err != nil {
			return false, fmt.Errorf("store: encode outbox row %d as sent: %w", it.ID, err)
		}
		set["payload"] = string(payload)
	}
	res := db.Model(&outboxRow{}).Where("id = ? AND state = ? AND attempts = ?", it.ID, OutboxSending, it.Attempt).
		Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("store: mark outbox row %d sent: %w", it.ID, res.Error)
	}
	owned := res.RowsAffected == 1
	if ref == "" || !owned || it.Message.Thread != "" {
		return owned, nil
	}
	t := threadRow{Platform: it.Message.To.Platform, Channel: it.Message.To.Channel, Subject: it.Message.Subject, Ref: ref, CreatedAt: utc(now)}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&t).Error; err != nil {
		return owned, fmt.Errorf("store: record thread of %s: %w", it.Message.Subject, err)
	}
	return owned, nil
}

// MarkFailed records a failed send: the row is due again at retryAt, or dead
// when dead is set. It reports false when the row was no longer this
// dispatcher's.
func (s *Store) MarkFailed(ctx context.Context, it OutboxItem, sendErr error, retryAt time.Time, dead bool) (bool, error) {
	state := OutboxPending
	if dead {
		state = OutboxDead
	}
	msg := storableText(secrets.Text(sendErr.Error()), 2000) // an out URL's ?code= stays out of the table
	res := s.conn(ctx).Model(&outboxRow{}).Where("id = ? AND state = ? AND attempts = ?", it.ID, OutboxSending, it.Attempt).
		Updates(map[string]any{"state": state, "next_attempt_at": utc(retryAt), "lease_until": nil, "last_error": msg})
	if res.Error != nil {
		return false, fmt.Errorf("store: mark outbox row %d failed: %w", it.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DropOutbox deletes a claimed row unsent, when what it says is no longer
// true at delivery (a reminder of a referral answered meanwhile, a warning
// of a window that has closed): the dispatcher logs why. It reports false
// when the row was no longer this dispatcher's.
func (s *Store) DropOutbox(ctx context.Context, it OutboxItem) (bool, error) {
	res := s.conn(ctx).Where("id = ? AND state = ? AND attempts = ?", it.ID, OutboxSending, it.Attempt).Delete(&outboxRow{})
	if res.Error != nil {
		return false, fmt.Errorf("store: drop outbox row %d: %w", it.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DeferOutbox puts a claimed row back unsent, due at at, and takes back the
// attempt its claim counted: the message was held back by cosellbot's own
// pacing, not refused, and must not die of waiting its turn. It reports
// false when the row was no longer this dispatcher's.
func (s *Store) DeferOutbox(ctx context.Context, it OutboxItem, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&outboxRow{}).Where("id = ? AND state = ? AND attempts = ?", it.ID, OutboxSending, it.Attempt).
		Updates(map[string]any{"state": OutboxPending, "next_attempt_at": utc(at), "lease_until": nil, "attempts": gorm.Expr("attempts - 1")})
	if res.Error != nil {
		return false, fmt.Errorf("store: put back outbox row %d: %w", it.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// OutboxEntry is an outbox row as `cosellbot outbox` lists it.
type OutboxEntry struct {
	ID            int64
	Place         chat.Place
	Subject, Kind string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	Text          string
	CreatedAt     time.Time
}

// Outbox lists the rows that are not delivered yet: dead ones first, then
// pending and sending ones by due time, at most limit of each.
func (s *Store) Outbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	var dead, waiting []outboxRow
	db := s.reader(ctx)
	if err := db.Where("state = 'dead'").Order("id DESC").Limit(limit).Find(&dead).Error; err != nil {
		return nil, fmt.Errorf("store: list dead outbox rows: %w", err)
	}
	if err := db.Where("state IN ('pending', 'sending')").Order("next_attempt_at").Limit(limit).Find(&waiting).Error; err != nil {
		return nil, fmt.Errorf("store: list pending outbox rows: %w", err)
	}
	out := make([]OutboxEntry, 0, len(dead)+len(waiting))
	for _, r := range append(dead, waiting...) {
		out = append(out, entryOf(r))
	}
	return out, nil
}

// entryOf is an outbox row as listings show it.
func entryOf(r outboxRow) OutboxEntry {
	var m chat.Message
	_ = json.Unmarshal([]byte(r.Payload), &m) // a payload that does not decode is listed without text
	return OutboxEntry{
		ID: r.ID, Place: chat.Place{Platform: r.Platform, Channel: r.Channel}, Subject: r.Subject, Kind: r.Kind,
		State: r.State, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError,
		Text: m.Text, CreatedAt: r.CreatedAt.UTC(),
	}
}

// OutboxCounts counts the rows waiting (pending or sending) and dead, for
// metrics and health; both counts use partial indexes.
func (s *Store) OutboxCounts(ctx context.Context) (waiting, dead int64, err error) {
	db := s.reader(ctx).Model(&outboxRow{})
	if err := db.Where("state IN ('pending', 'sending')").Count(&waiting).Error; err != nil {
		return 0, 0, fmt.Errorf("store: count waiting outbox rows: %w", err)
	}
	if err := s.reader(ctx).Model(&outboxRow{}).Where("state = 'dead'").Count(&dead).Error; err != nil {
		return 0, 0, fmt.Errorf("store: count dead outbox rows: %w", err)
	}
	return waiting, dead, nil
}
