package cpor

import (
	"time"
	// The zone database is embedded in the binary, so that the customer's
	// time is known on a distroless image with no /usr/share/zoneinfo.
	_ "time/tzdata"
)

// zones is the IANA time zone whose business day a customer of each country
// lives by, for every country whose holidays github.com/rickar/cal/v2
// ships. A country spanning several zones gets the zone of its capital or
// main business centre (US: New York; CA: Toronto; BR: São Paulo; RU:
// Moscow; AR: Buenos Aires): the window then ends at that zone's midnight.
var zones = map[string]string{
	"AR": "America/Argentina/Buenos_Aires", "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia",
	"BR": "America/Sao_Paulo", "CA": "America/Toronto", "CH": "Europe/Zurich", "CZ": "Europe/Prague",
	"DE": "Europe/Berlin", "DK": "Europe/Copenhagen", "ES": "Europe/Madrid", "FR": "Europe/Paris",
	"GB": "Europe/London", "GR": "Europe/Athens", "HR": "Europe/Zagreb", "IE": "Europe/Dublin",
	"IT": "Europe/Rome", "JP": "Asia/Tokyo", "LT": "Europe/Vilnius", "LV": "Europe/Riga",
	"MW": "Africa/Blantyre", "NC": "Pacific/Noumea", "NL": "Europe/Amsterdam", "NO": "Europe/Oslo",
	"NZ": "Pacific/Auckland", "PL": "Europe/Warsaw", "RO": "Europe/Bucharest", "RU": "Europe/Moscow",
	"SE": "Europe/Stockholm", "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava", "UA": "Europe/Kyiv",
	"US": "America/New_York", "ZA": "Africa/Johannesburg",
}

// locations are the zones loaded once; a country without one counts in UTC.
var locations = func() map[string]*time.Location {
	out := make(map[string]*time.Location, len(zones))
	for cc, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic("cpor: time zone " + name + " of " + cc + ": " + err.Error())
		}
		out[cc] = loc
	}
	return out
}()

// Zone is the time zone whose days count for a customer in country: its
// IANA zone when the country has a holiday calendar, UTC otherwise.
func Zone(country string) *time.Location {
	if loc, ok := locations[country]; ok {
		return loc
	}
	return time.UTC
}
