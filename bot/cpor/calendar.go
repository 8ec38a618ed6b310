package cpor

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ar"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/bg"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/gr"
	"github.com/rickar/cal/v2/hr"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/lt"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/mw"
	"github.com/rickar/cal/v2/nc"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/ru"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/si"
	"github.com/rickar/cal/v2/sk"
	"github.com/rickar/cal/v2/ua"
	"github.com/rickar/cal/v2/us"
	"github.com/rickar/cal/v2/za"
)

// DeclineWindow is how many business days of the customer's country the
// customer has to decline a claim once Microsoft has notified them.
const DeclineWindow = 5

// holidays are the national holiday calendars github.com/rickar/cal/v2
// ships, by ISO 3166 country code. Sweden's list counts Midsummer's Eve,
// Christmas Eve and New Year's Eve as days off, as Swedish offices do.
var holidays = map[string][]*cal.Holiday{
	"AR": ar.Holidays, "AT": at.Holidays, "BE": be.Holidays, "BG": bg.Holidays,
	"BR": br.Holidays, "CA": ca.Holidays, "CH": ch.Holidays, "CZ": cz.Holidays, "DE": de.Holidays,
	"DK": dk.Holidays, "ES": es.Holidays, "FR": fr.Holidays, "GB": gb.Holidays, "GR": gr.Holidays,
	"HR": hr.Holidays, "IE": ie.Holidays, "IT": it.Holidays, "JP": jp.Holidays, "LT": lt.Holidays,
	"LV": lv.Holidays, "MW": mw.Holidays, "NC": nc.Holidays, "NL": nl.Holidays, "NO": no.Holidays,
	"NZ": nz.Holidays, "PL": pl.Holidays, "RO": ro.Holidays, "RU": ru.Holidays, "SE": se.Holidays,
	"SI": si.Holidays, "SK": sk.Holidays, "UA": ua.Holidays, "US": us.Holidays, "ZA": za.Holidays,
}

// calendars are built once; a BusinessCalendar without its cache enabled is
// only read afterwards, so it is safe for concurrent use.
var calendars = func() map[string]*cal.BusinessCalendar {
	out := make(map[string]*cal.BusinessCalendar, len(holidays))
	for cc, hs := range holidays {
		c := cal.NewBusinessCalendar()
		c.AddHoliday(hs...)
		out[cc] = c
	}
	return out
}()

// weekendsOnly is the fallback for a country without a holiday calendar.
var weekendsOnly = cal.NewBusinessCalendar()

// HasCalendar reports whether the country's public holidays are known; if
// not, business days are counted skipping weekends only.
func HasCalendar(country string) bool {
	_, ok := calendars[country]
	return ok
}

// WindowEnd is when a claim whose customer (in country) was notified at
// notified becomes official unless declined: the end of the customer's
// fifth business day following the notification, that is midnight starting
// the next day in the customer's time zone (Zone), returned in UTC. The
// notification day itself does not count; days are the customer's, so a US
// customer notified on a Monday evening in New York was notified on Monday
// though it was Tuesday in UTC. fallback reports that the country has no
// holiday calendar and only weekends were skipped (in UTC).
func WindowEnd(country string, notified time.Time) (end time.Time, fallback bool) {
	c, ok := calendars[country]
	if !ok {
		c = weekendsOnly
	}
	loc := Zone(country)
	y, m, d := notified.In(loc).Date()
	last := c.WorkdaysFrom(time.Date(y, m, d, 12, 0, 0, 0, loc), DeclineWindow)
	y, m, d = last.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc).UTC(), !ok
}

// LastDay is the customer's last day to decline a claim whose window ends
// at end: the calendar day, in the customer's zone, before the end.
func LastDay(country string, end time.Time) time.Time {
	y, m, d := end.In(Zone(country)).Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, Zone(country))
}
