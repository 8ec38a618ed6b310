package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// FuzzDealBodyDecoding keeps the faster decoder of deal bodies reading
// exactly what encoding/json reads: the same body, or an error from both.
func FuzzDealBodyDecoding(f *testing.F) {
	at := time.Date(2026, 11, 28, 13, 39, 23, 280552000, time.UTC)
	full, err := json.Marshal(dealBody{
		Customer:  customerBody{Account: "managed", MACC: true, Contact: &personBody{Name: "Ana", Email: "ana@contoso.com"}},
		Team:      []personBody{{Name: "Ana <a&b>", Email: "ana@contoso.com", Phone: "+33 1"}},
		Solutions: []solutionBody{{Name: "Fabrikam BI", MACC: true}},
		Marked:    []string{"qualified"}, InvitedAt: &at, Notes: "é\u2028\"x\"",
		Changed: map[string]time.Time{"name": at, "value": at.Add(time.Hour)},
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(full), `{}`, `{"NOTES":"x","notes":"y"}`, "{\"notes\":\"\xff\"}", `{"team":null}`, `{"changed":{"a":"2026-01-02"}}`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var std, fast dealBody
		errStd := json.Unmarshal([]byte(body), &std)
		errFast := jsonv2.Unmarshal([]byte(body), &fast, bodyDecoding)
		if (errStd == nil) != (errFast == nil) {
			t.Fatalf("%q: encoding/json says %v, the body decoder %v", body, errStd, errFast)
		}
		if errStd == nil && !reflect.DeepEqual(std, fast) {
			t.Fatalf("%q: encoding/json reads %+v, the body decoder %+v", body, std, fast)
		}
	})
}
