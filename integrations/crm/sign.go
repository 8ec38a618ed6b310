package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/escape"
)

// The generic signature scheme, used by the generic source and by every
// webhook cosellbot sends: X-Cosellbot-Timestamp holds Unix seconds and
// X-Cosellbot-Signature holds "sha256=" + hex(HMAC-SHA256(secret,
// timestamp + "." + body)).
const (
	HeaderSignature = "X-Cosellbot-Signature"
	HeaderTimestamp = "X-Cosellbot-Timestamp"
	HeaderEventID   = "X-Event-Id"
)

// Sign computes the X-Cosellbot-Signature value of body sent at timestamp.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a generic signature and its timestamp (within
// Window of now), in constant time.
func VerifySignature(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return Unverified("%s and %s are required", HeaderTimestamp, HeaderSignature)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return Unverified("%s %s is not Unix seconds", HeaderTimestamp, escape.Quote(timestamp, 0))
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Window || d < -Window {
		return Unverified("%s is %s away from now, more than %s", HeaderTimestamp, d.Round(time.Second), Window)
	}
	want := Sign(secret, timestamp, body)
	if !strings.HasPrefix(signature, "sha256=") || !hmac.Equal([]byte(signature), []byte(want)) {
		return Unverified("%s does not match the body", HeaderSignature)
	}
	return nil
}
