package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A refusal quotes what was typed cut to 64 bytes with its size: a
// 5,000-digit "deal ID" or location was echoed whole into the answer.
func TestRefusalsCiteTypedValuesShort(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	long := strings.Repeat("1", 5000)
	for _, line := range []string{"deal show x" + long, "user add ana@contoso.com role=referrals-user locations=" + long + "x", "deal list " + long + "x"} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || len(r.Text) > 600 || !strings.Contains(r.Text, "(5001 bytes)") {
			t.Errorf("%.40s…: %d bytes: %.200s", line, len(r.Text), r.Text)
		}
	}
}
