package command

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// File is a document a reply carries, such as a CSV export. Platforms that
// take uploads attach it; the others show Text, which holds it too.
type File struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Content     string `json:"content"`
}

// csvInChat bounds the CSV a chat reply carries inline; larger lists go to
// cosellbot export, since chat messages have size limits.
const csvInChat = 2000

func (s *Service) csvReply(deals []*deal.Deal, tab string, now time.Time) (Reply, error) {
	if len(deals) > csvInChat {
		if s.web != nil {
			return Reply{Text: fmt.Sprintf("%d deals is more than a chat message holds (%d): download them as a CSV file from the pipeline page, %s (sign in with /cosell web first)", len(deals), csvInChat, s.web.CSVURL(csvQuery(tab))), Private: true}, nil
		}
		return Reply{}, usage("%d deals is more than a chat message holds (%d): narrow the list, or run cosellbot export deals --format csv on the server", len(deals), csvInChat)
	}
	views := make([]DealView, len(deals))
	for i, d := range deals {
		views[i] = View(d)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, views); err != nil {
		return Reply{}, err
	}
	f := File{Name: fmt.Sprintf("cosellbot-deals-%s-%s.csv", tab, now.Format("2006-01-02")), ContentType: "text/csv", Content: buf.String()}
	text := fmt.Sprintf("%d deal%s as CSV (%s):\n```\n%s```", len(deals), plural(len(deals)), f.Name, f.Content)
	data := map[string]any{"file": f, "total": len(deals)}
	if s.web != nil {
		// Chat shows the text; the same list downloads as a file from the page.
		link := s.web.CSVURL(csvQuery(tab))
		text = fmt.Sprintf("%d deal%s as CSV: download the file from %s (sign in with /cosell web first), or copy it from here (%s):\n```\n%s```", len(deals), plural(len(deals)), link, f.Name, f.Content)
		data["link"] = link
	}
	return Reply{Text: text, Data: data}, nil
}

// csvQuery is the page's filter for a list's tab.
func csvQuery(tab string) url.Values {
	q := url.Values{}
	switch tab {
	case "closed":
		q.Set("status", "closed")
	case "open", "":
	default:
		q.Set("status", "all")
	}
	return q
}

// Export writes every deal or every CPOR claim who may see, with every
// field, as CSV or JSON (an array of the objects --json shows): what a
// manager takes to a spreadsheet or a script.
func (s *Service) Export(ctx context.Context, who access.User, what, format string, w io.Writer) (int, error) {
	var rows any
	n := 0
	switch what {
	case "deals":
		if err := s.mayWorkDeals(who); err != nil {
			return 0, err
		}
		c := &call{who: who, now: s.clock.Now()}
		deals, err := s.visibleDeals(ctx, c, listQuery{sort: "newest"})
		if err != nil {
			return 0, err
		}
		views := make([]DealView, len(deals))
		for i, d := range deals {
			views[i] = View(d)
		}
		rows, n = views, len(views)
	case "claims":
		if s.claims == nil {
			return 0, usage("CPOR claims are not enabled in this build")
		}
		if err := mayClaim(who); err != nil {
			return 0, err
		}
		claims, err := s.claims.Claims(ctx)
		if err != nil {
			return 0, fmt.Errorf("reading claims: %w", err)
		}
		views := make([]ClaimView, len(claims))
		for i, c := range claims {
			views[i] = ViewClaim(c)
		}
		rows, n = views, len(views)
	default:
		return 0, usage("export deals or claims, not %s", cite(what))
	}
	switch format {
	case "csv":
		return n, WriteCSV(w, rows)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return n, enc.Encode(rows)
	}
	return 0, usage("--format takes csv or json, not %s", cite(format))
}

// WriteCSV writes a slice of JSON views as CSV: one column per field,
// nested objects as dotted columns (customer.name), people as
// "Name <email> +phone" joined by "; ", other lists as JSON. A text cell
// that a spreadsheet would read as a formula is written as text (see
// inert). Every CSV cosellbot makes goes through here: cosellbot export,
// deal list format=csv and the pipeline page's /deals.csv.
func WriteCSV(w io.Writer, slice any) error {
	v := reflect.ValueOf(slice)
	if v.Kind() != reflect.Slice {
		return fmt.Errorf("WriteCSV: %T is not a slice", slice)
	}
	cw := csv.NewWriter(w)
	header := columns(v.Type().Elem(), "")
	names := make([]string, len(header))
	for i, col := range header {
		names[i] = col.name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	for i := 0; i < v.Len(); i++ {
		row := make([]string, len(header))
		for j, col := range header {
			text, fixed := cell(v.Index(i), col.path)
			if !fixed {
				text = inert(text)
			}
			row[j] = text
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

type column struct {
	name string
	path []int
}

var (
	timeType  = reflect.TypeOf(time.Time{})
	marshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

func columns(t reflect.Type, prefix string) []column {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []column
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != timeType && ft != reflect.TypeOf(deal.Person{}) && !ft.Implements(marshaler) {
			for _, sub := range columns(ft, prefix+tag+".") {
				out = append(out, column{sub.name, append([]int{i}, sub.path...)})
			}
			continue
		}
		out = append(out, column{prefix + tag, []int{i}})
	}
	return out
}

// cell is a view's field as CSV text, and whether cosellbot wrote that
// text itself in a fixed format (a number, a yes/no, a moment), which holds
// nothing anybody typed and needs no guarding as a formula: a negative
// number stays a number a spreadsheet can add up.
func cell(v reflect.Value, path []int) (text string, fixed bool) {
	for _, i := range path {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return "", true
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", true
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return "", true
		}
		return x.UTC().Format(time.RFC3339), true
	case deal.Person:
		return personText(x), false
	case []deal.Person:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = personText(p)
		}
		return strings.Join(parts, "; "), false
	case []deal.Solution:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = s.Name
		}
		return strings.Join(parts, ", "), false
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	if m, ok := v.Interface().(json.Marshaler); ok { // a view's own time or date type
		b, err := m.MarshalJSON()
		if err != nil || string(b) == "null" {
			return "", true
		}
		var str string
		if json.Unmarshal(b, &str) == nil {
			return str, false // a string type may carry what somebody typed
		}
		return string(b), false
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), false
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return "", true
		}
		b, _ := json.Marshal(v.Interface())
		return string(b), false
	}
	return fmt.Sprint(v.Interface()), false
}

// formulaLeads are the first characters that make a spreadsheet (Excel,
// LibreOffice, Google Sheets) read a cell as a formula, or that Excel
// skips before looking for one (tab, carriage return): OWASP's list for
// CSV injection, plus the full-width = + - @ that some locales' input
// converts. A deal name "=HYPERLINK(…)" or notes "+cmd|' /C calc'!A0"
// typed by one user would otherwise run in every other user's export.
const formulaLeads = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"

// inert makes a text cell read as text in a spreadsheet: one that starts
// with a formula character gets a leading ', OWASP's recommendation, which
// spreadsheets show as a text marker. Everything else is left as it is.
func inert(text string) string {
	if r, _ := utf8.DecodeRuneInString(text); text != "" && strings.ContainsRune(formulaLeads, r) {
		return "'" + text
	}
	return text
}
