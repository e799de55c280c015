package httpapi

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"tripline"
)

// The screen route's body and answer are read and written by hand: at
// line rate encoding/json's reflection, its decoder's buffers and its
// per-field allocations were about 8 % of a node's CPU and 14 % of the
// bytes it allocated per screening. The hand-written paths cover the
// common shape only and are exact: anything else (an escape in a string,
// another spelling of a field name, null, a repeated field, a batch, a
// number where a string belongs, malformed JSON) is left to
// encoding/json, which then gives the answer and the coded error it
// always gave. Tests and the screen request fuzz target check both paths
// against encoding/json.

// bodyPool holds the buffers bodies are read into; a buffer that grew
// past maxPooledBody is dropped rather than kept for good.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

const maxPooledBody = 64 << 10

// decodeScreenRequest reads the body of POST /v1/screen into req: one
// traveller of the common shape by hand, anything else through
// decodeJSON (same result, same errors).
func decodeScreenRequest(r *http.Request, req *ScreenRequest) error {
	bp := bodyPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledBody {
			bodyPool.Put(bp)
		}
	}()
	b, err := readBody((*bp)[:0], r.Body, maxPooledBody)
	*bp = b
	if err == nil && parseScreenRequest(b, req) {
		return nil
	}
	// encoding/json reads what was read already, then the rest (and the
	// read's error, such as a body over its limit) as before.
	*req = ScreenRequest{}
	body := r.Body
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), body))
	defer func() { r.Body = body }()
	return decodeJSON(r, req)
}

// errLongBody stops readBody: a body this long is decoded by
// encoding/json as it streams in.
var errLongBody = errors.New("long body")

// readBody appends r's bytes to b until EOF, an error, or more than limit
// bytes (errLongBody).
func readBody(b []byte, r io.Reader, limit int) ([]byte, error) {
	for {
		if len(b) > limit {
			return b, errLongBody
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// jsonReader scans a JSON text for parseScreenRequest. Every method
// returns false for anything the hand-written path does not take.
type jsonReader struct {
	b []byte
	i int
	// spans are the string values found, as offsets into b, and where
	// each goes: they are copied into one string at the end. A body with
	// more string fields than the request has goes to encoding/json.
	spans [maxSpans]strSpan
	n     int
	req   *ScreenRequest
}

const maxSpans = 24

type strSpan struct {
	start, end int
	dst        *string
}

func (p *jsonReader) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c after any white space.
func (p *jsonReader) byte(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// rawString returns the bounds of a string's contents: no escapes, no
// control characters, valid UTF-8 (encoding/json would replace an invalid
// byte), so its bytes are its value.
func (p *jsonReader) rawString() (start, end int, ok bool) {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return 0, 0, false
	}
	start = p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(p.b[start:j]) {
				return 0, 0, false
			}
			p.i = j + 1
			return start, j, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, 0, false
}

// key reads an object's next key and its colon.
func (p *jsonReader) key() ([]byte, bool) {
	s, e, ok := p.rawString()
	if !ok || !p.byte(':') {
		return nil, false
	}
	return p.b[s:e], true
}

func (p *jsonReader) str(dst *string) bool {
	s, e, ok := p.rawString()
	if !ok || p.n == maxSpans {
		return false
	}
	p.spans[p.n] = strSpan{s, e, dst}
	p.n++
	return true
}

func (p *jsonReader) boolean(dst *bool) bool {
	p.space()
	switch {
	case bytes.HasPrefix(p.b[p.i:], []byte("true")):
		*dst, p.i = true, p.i+4
	case bytes.HasPrefix(p.b[p.i:], []byte("false")):
		*dst, p.i = false, p.i+5
	default:
		return false
	}
	return true
}

// The objects of a screen request: the request (a traveller and its
// mrz), its document and its travel.
const (
	objRequest = iota
	objDocument
	objTravel
)

// object reads an object of kind obj, one member at a time (field).
func (p *jsonReader) object(obj int) bool {
	if !p.byte('{') {
		return false
	}
	if p.byte('}') {
		return true
	}
	var seen uint32
	for {
		k, ok := p.key()
		if !ok {
			return false
		}
		bit, ok := p.field(obj, k)
		if !ok || seen&bit != 0 {
			return false // encoding/json merges a repeated member: leave it that
		}
		seen |= bit
		if p.byte('}') {
			return true
		}
		if !p.byte(',') {
			return false
		}
	}
}

// field reads the value of member k of an object of kind obj and returns
// the member's bit (to find a repeat); false for a member it does not
// take.
func (p *jsonReader) field(obj int, k []byte) (uint32, bool) {
	switch obj {
	case objRequest:
		t := &p.req.Traveller
		switch string(k) {
		case "ref":
			return 1 << 0, p.str(&t.Ref)
		case "name":
			return 1 << 1, p.str(&t.Name)
		case "given_names":
			return 1 << 2, p.str(&t.GivenNames)
		case "surname":
			return 1 << 3, p.str(&t.Surname)
		case "dob":
			return 1 << 4, p.str(nil) // the birth date's text: parsed once copied
		case "sex":
			return 1 << 5, p.str((*string)(&t.Sex))
		case "nationality":
			return 1 << 6, p.str(&t.Nationality)
		case "document":
			t.Document = new(tripline.Document)
			return 1 << 7, p.object(objDocument)
		case "travel":
			t.Travel = new(tripline.Travel)
			return 1 << 8, p.object(objTravel)
		case "seat":
			return 1 << 9, p.str(&t.Seat)
		case "booking":
			return 1 << 10, p.str(&t.Booking)
		case "crew":
			return 1 << 11, p.boolean(&t.Crew)
		case "mrz":
			return 1 << 12, p.str(&p.req.MRZ)
		}
	case objDocument:
		d := p.req.Document
		switch string(k) {
		case "type":
			return 1 << 0, p.str(&d.Type)
		case "number":
			return 1 << 1, p.str(&d.Number)
		case "country":
			return 1 << 2, p.str(&d.Country)
		case "expiry":
			return 1 << 3, p.str(&d.Expiry)
		case "note":
			return 1 << 4, p.str(&d.Note)
		}
	case objTravel:
		t := p.req.Travel
		switch string(k) {
		case "direction":
			return 1 << 0, p.str(&t.Direction)
		case "port":
			return 1 << 1, p.str(&t.Port)
		case "flight":
			return 1 << 2, p.str(&t.Flight)
		case "date":
			return 1 << 3, p.str(&t.Date)
		case "from_country":
			return 1 << 4, p.str(&t.FromCountry)
		case "pre_departure":
			return 1 << 5, p.boolean(&t.PreDeparture)
		case "agency":
			return 1 << 6, p.str(&t.Agency)
		}
	}
	return 0, false
}

// finish copies the string values into one allocation (the strings a
// screening keeps, such as the retention window's traveller, share it),
// and returns the one without a destination: the birth date's text.
func (p *jsonReader) finish() (dob string) {
	n := 0
	for _, s := range p.spans[:p.n] {
		n += s.end - s.start
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, s := range p.spans[:p.n] {
		sb.Write(p.b[s.start:s.end])
	}
	all, off := sb.String(), 0
	for _, s := range p.spans[:p.n] {
		if v := all[off : off+s.end-s.start]; s.dst != nil {
			*s.dst = v
		} else {
			dob = v
		}
		off += s.end - s.start
	}
	return dob
}

// parseScreenRequest reads one traveller of the common shape into req
// and reports whether it could; on false req is to be decoded again.
func parseScreenRequest(b []byte, req *ScreenRequest) bool {
	p := jsonReader{b: b, req: req}
	if !p.object(objRequest) {
		return false
	}
	if p.space(); p.i != len(b) {
		return false // trailing data: encoding/json names it
	}
	if dob := p.finish(); dob != "" {
		d, err := tripline.ParsePartialDate(dob)
		if err != nil {
			// Kept as given, for validation to name: PartialDate.UnmarshalJSON
			// of the same (unescaped) string.
			if d.UnmarshalJSON(strconv.AppendQuote(nil, dob)) != nil {
				return false
			}
		}
		req.DOB = d
	}
	return true
}

// answerPool holds the buffers answers are encoded into.
var answerPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeResult writes one screening's result as writeJSON would, byte for
// byte, without reflection.
func writeResult(w http.ResponseWriter, res *tripline.Result) {
	bp := answerPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledBody {
			answerPool.Put(bp)
		}
	}()
	b, ok := appendResult((*bp)[:0], res)
	*bp = b
	if !ok {
		writeJSON(w, http.StatusOK, res) // a score that is no number: encoding/json's failure, as before
		return
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(b, '\n')) // the client went away: nothing left to tell it
}

// jsonContentType is the Content-Type of a JSON answer, set without
// Header.Set's allocation (net/http copies the header when it sends it).
var jsonContentType = []string{"application/json"}

// appendResult appends r as encoding/json (HTML not escaped) encodes it;
// false for a float that has no JSON form (NaN, ±Inf).
func appendResult(b []byte, r *tripline.Result) ([]byte, bool) {
	if r == nil {
		return append(b, "null"...), true
	}
	b = append(b, `{"ref":`...)
	b = appendJSONString(b, r.Ref)
	b = append(b, `,"decision":`...)
	b = appendJSONString(b, string(r.Decision))
	b = appendOptString(b, `,"direction":`, r.Direction)
	b = appendOptString(b, `,"action":`, string(r.Action))
	b = appendOptString(b, `,"instruction":`, r.Instruction)
	if r.Minor {
		b = append(b, `,"minor":true`...)
	}
	b = append(b, `,"matches":`...)
	if r.Matches == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Matches {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendMatch(b, &r.Matches[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	b = appendOptStrings(b, `,"notes":`, r.Notes)
	b = appendOptString(b, `,"booking":`, r.Booking)
	if len(r.CoTravellers) > 0 {
		b = append(b, `,"co_travellers":[`...)
		for i, c := range r.CoTravellers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ref":`...)
			b = appendJSONString(b, c.Ref)
			b = append(b, `,"name":`...)
			b = appendJSONString(b, c.Name)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendOptStrings(b, `,"encounters":`, r.Encounters)
	if r.Error != nil {
		b = append(b, `,"error":{"code":`...)
		b = appendJSONString(b, r.Error.Code)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, r.Error.Message)
		b = append(b, '}')
	}
	return append(b, '}'), true
}

func appendMatch(b []byte, m *tripline.Match) ([]byte, bool) {
	b = append(b, `{"listing":`...)
	b = appendJSONString(b, m.Listing)
	b = append(b, `,"score":`...)
	b, ok := appendJSONFloat(b, m.Score)
	if !ok {
		return b, false
	}
	b = appendOptString(b, `,"decision":`, string(m.Decision))
	b = appendOptString(b, `,"action":`, string(m.Action))
	b = appendOptString(b, `,"instruction":`, m.Instruction)
	b = appendOptString(b, `,"contact":`, m.Contact)
	b = appendOptString(b, `,"name":`, m.Name)
	if m.Minor {
		b = append(b, `,"minor":true`...)
	}
	if m.Suppressed {
		b = append(b, `,"suppressed":true`...)
	}
	if len(m.Explain) > 0 {
		b = append(b, `,"explain":[`...)
		for i, f := range m.Explain {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"feature":`...)
			b = appendJSONString(b, f.Feature)
			b = append(b, `,"score":`...)
			if b, ok = appendJSONFloat(b, f.Score); !ok {
				return b, false
			}
			if f.Weight != 0 {
				b = append(b, `,"weight":`...)
				if b, ok = appendJSONFloat(b, f.Weight); !ok {
					return b, false
				}
			}
			b = appendOptString(b, `,"detail":`, f.Detail)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, key...), s)
}

func appendOptStrings(b []byte, key string, ss []string) []byte {
	if len(ss) == 0 {
		return b
	}
	b = append(append(b, key...), '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONFloat appends f as encoding/json does: like ES6, %f between
// 1e-6 and 1e21, else an exponent without padding.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json does without HTML
// escaping: invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029 are
// escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
