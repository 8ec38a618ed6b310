// Package crmid knows the forms one CRM record id is written in, so that a
// CRM ID typed by a person and the id a CRM sends name the same record
// everywhere they are compared: linking events to deals, and refusing a
// CRM ID another deal holds.
package crmid

import "strings"

// Forms are the forms of id, the one links keep first:
//   - a Dataverse GUID (Dynamics 365) in lower case without braces, then
//     upper case and braced (Excel exports show it in upper case, session
//     details in braces);
//   - a Salesforce id as its case-sensitive 15 characters (what the UI
//     shows), then the 18-character form (the same id plus a checksum of
//     where its upper-case letters are, what outbound messages send), and
//     the id as given when its checksum differs;
//   - anything else as it is.
func Forms(id string) []string {
	if g, ok := guid(id); ok {
		up := strings.ToUpper(g)
		return []string{g, up, "{" + g + "}", "{" + up + "}"}
	}
	if salesforceID(id) {
		short := id[:15]
		out := []string{short, short + suffix(short)}
		if len(id) == 18 && id != out[1] {
			out = append(out, id) // as sent, whatever its checksum says
		}
		return out
	}
	return []string{id}
}

// guid reads a GUID in any case, with or without braces.
func guid(id string) (string, bool) {
	g := strings.ToLower(strings.Trim(strings.TrimSpace(id), "{}"))
	if len(g) != 36 || strings.Count(g, "-") != 4 || strings.Trim(g, "0123456789abcdef-") != "" {
		return "", false
	}
	return g, true
}

// salesforceID reports a 15- or 18-character alphanumeric id.
func salesforceID(id string) bool {
	if len(id) != 15 && len(id) != 18 {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool {
		return (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
	}) < 0
}

// idSuffix encodes five bits, one per letter of a chunk, set when upper case.
const idSuffix = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// suffix is the checksum Salesforce appends to a 15-character id.
func suffix(short string) string {
	var out [3]byte
	for chunk := range 3 {
		n := 0
		for i := range 5 {
			if c := short[chunk*5+i]; c >= 'A' && c <= 'Z' {
				n |= 1 << i
			}
		}
		out[chunk] = idSuffix[n]
	}
	return string(out[:])
}
