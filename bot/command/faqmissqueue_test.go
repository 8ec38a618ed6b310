package command

import (
	"testing"

	"github.com/cosellbot/cosellbot/bot/ledger"
)

// A miss goes to the writer only while it runs and has room: otherwise
// add says no, and recordMiss writes it before the reply; the writer takes
// at most missBatch at a time.
func TestMissQueueHandsOverOnlyWhatItHasRoomFor(t *testing.T) {
	q := newMissQueue()
	m := ledger.FAQMiss{Question: "how many parking spaces", Lang: "en"}
	if q.add(m) {
		t.Fatal("queued with no writer running")
	}
	q.running = true // a writer that is busy writing
	for i := range missQueueSize {
		if !q.add(m) {
			t.Fatalf("miss %d refused by a queue of %d", i+1, missQueueSize)
		}
	}
	if q.add(m) {
		t.Fatal("a full queue took one more")
	}
	for left := missQueueSize; left > 0; left -= missBatch {
		if got := len(q.take()); got != min(left, missBatch) {
			t.Fatalf("took %d of %d queued, want %d", got, left, min(left, missBatch))
		}
	}
	if got := q.take(m); len(got) != 1 {
		t.Fatalf("an empty queue behind one: %d", len(got))
	}
}
