package discord_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// inputMax is the max_length of a form's input, by custom_id.
func inputMax(m map[string]any) map[string]int {
	out := map[string]int{}
	data, _ := m["data"].(map[string]any)
	rows, _ := data["components"].([]any)
	for _, r := range rows {
		cs, _ := r.(map[string]any)["components"].([]any)
		for _, c := range cs {
			cm := c.(map[string]any)
			id, _ := cm["custom_id"].(string)
			n, _ := cm["max_length"].(float64)
			out[id] = int(n)
		}
	}
	return out
}

// The Accept form's close date takes every form the grammar reads, not
// only YYYY-MM-DD: Discord enforces max_length as it is typed, and 10 kept
// out "1er mars 2027", "Mar 1, 2027" and RFC 3339 moments.
func TestAcceptFormTakesLongDates(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, time.Minute)
	e.receive()
	card := e.answer(e.slash("111", "deal show 1"))
	form := e.answer(e.click("111", buttons(card)["Accept"]))
	max := inputMax(form)["close"]
	for _, typed := range []string{"1er mars 2032", "Mar 1, 2032", "2032-03-01T00:00:00Z", "Monday, March 1, 2032", "2032-03-01T00:00:00+01:00"} {
		if n := utf8.RuneCountInString(typed); n > max {
			t.Errorf("the close input takes %d characters: %q (%d) cannot be typed", max, typed, n)
		}
	}
	if max > 4000 {
		t.Errorf("max_length %d, more than Discord takes", max)
	}
	values := formValues(form)
	values["close"] = "Mar 1, 2032"
	values["team"] = "ana <ana@partner.example> +46 70 123 45 67"
	done := e.answer(e.submit("111", form, values))
	if !strings.Contains(description(done), "accepted") {
		t.Fatalf("accepted with close %q: %s", values["close"], description(done))
	}
	if d, err := st.GetDeal(t.Context(), 1); err != nil || d.CloseDate.Format(time.DateOnly) != "2032-03-01" {
		t.Errorf("close date %v (%v), want 2032-03-01", d.CloseDate, err)
	}
}

// A refused submission that no input can fix (the referral expired while
// the Accept form was open) says so as the command did, not as a problem
// of Deal name, and offers no "Fix and submit again".
func TestRefusalNoInputCanFix(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, time.Minute)
	e.receive()
	card := e.answer(e.slash("111", "deal show 1"))
	form := e.answer(e.click("111", buttons(card)["Accept"]))
	values := formValues(form)
	values["team"] = "ana <ana@partner.example> +46 70 123 45 67"
	e.clk.Add(30 * 24 * time.Hour) // signatures are checked against this clock
	body := e.submit("111", form, values)
	resp := e.post(e.key, e.clk.Now(), body, body)
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	text := description(got)
	if !strings.Contains(text, "expired") || strings.Contains(text, "Deal name") || strings.Contains(text, "Fix ") {
		t.Errorf("refusal: %q", text)
	}
	if _, ok := buttons(got)["Fix and submit again"]; ok {
		t.Errorf("offers to submit again what cannot succeed: %v", buttons(got))
	}
}
