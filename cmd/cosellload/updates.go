package main

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cosellbot/cosellbot/integrations/crm"
)

// payloadSize is the size of each deal-updates body, and of the rows the raw
// insert baseline writes: the two compare the same bytes.
const payloadSize = 2048

// dealUpdates sends generic deal.updated events, each changing the notes of
// one of deals deals linked by crm_id bench-1…bench-deals, padded to
// payloadSize bytes. modified_at is the send time, so that each event is
// newer than the last one applied to its deal (a late one is stale and
// ignored, which is processing too).
func dealUpdates(base, run string, secret []byte, deals int64, seq *atomic.Int64, now func() time.Time) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		i := seq.Add(1)
		n := strconv.FormatInt(i, 10)
		at := now()
		body := dealUpdate(i%deals+1, n, at)
		stamp := strconv.FormatInt(at.Unix(), 10)
		*t = vegeta.Target{Method: http.MethodPost, URL: base + "/webhooks/generic", Body: body, Header: http.Header{
			"Content-Type":      {"application/json"},
			crm.HeaderTimestamp: {stamp},
			crm.HeaderSignature: {crm.Sign(secret, stamp, body)},
			crm.HeaderEventID:   {"bench." + run + "." + n},
		}}
		return nil
	}
}

// dealUpdate is one event body of exactly payloadSize bytes (for any
// sequence number below 10^12).
func dealUpdate(deal int64, n string, at time.Time) []byte {
	head := `{"type":"deal.updated","record_id":"bench-` + strconv.FormatInt(deal, 10) +
		`","modified_at":"` + at.UTC().Format(time.RFC3339Nano) + `","fields":{"notes":"update ` + n + ` `
	tail := `"}}`
	pad := max(payloadSize-len(head)-len(tail), 0)
	return []byte(head + strings.Repeat("x", pad) + tail)
}
