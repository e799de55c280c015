package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"tripline"
)

// decodeBoth decodes body with the hand-written path and with encoding/json
// (decodeJSON, as before), each behind the route's body limit.
func decodeBoth(t *testing.T, body string, limit int64) (fast, std ScreenRequest, fastErr, stdErr error) {
	t.Helper()
	for i, dst := range []*ScreenRequest{&fast, &std} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/v1/screen", strings.NewReader(body))
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if i == 0 {
			fastErr = decodeScreenRequest(r, dst)
		} else {
			stdErr = decodeJSON(r, dst)
		}
	}
	return
}

func TestDecodeScreenRequest(t *testing.T) {
	long := `{"ref":"l","name":"` + strings.Repeat("A", 70<<10) + `"}`
	for _, tc := range []struct {
		name, body string
		fast       bool // taken by the hand-written path
	}{
		{"full", `{"ref":"t-17","name":"Muhammad Abd al-Rahman","given_names":"G","surname":"S","dob":"1975-03","sex":"M","nationality":"IQ","document":{"type":"P","number":"A1234567","country":"IRQ","expiry":"2030-01-01","note":"n"},"travel":{"direction":"in","port":"IST","flight":"TK1980","date":"2026-11-25","from_country":"TUR","pre_departure":true,"agency":"x"},"seat":"12A","booking":"ABC123","crew":false}`, true},
		{"white space", " \n{ \"ref\" : \"a\" ,\t\"name\":\"Jane Doe\" , \"crew\" : true }\r\n", true},
		{"empty object", `{}`, true},
		{"empty nested", `{"ref":"a","document":{},"travel":{}}`, true},
		{"utf-8", `{"ref":"a","name":"محمد عبد الرحمن Ñúñez 李"}`, true},
		{"impossible date kept", `{"ref":"x","name":"A","dob":"2026-13-45"}`, true},
		{"empty date", `{"ref":"x","name":"A","dob":""}`, true},
		{"date with spaces", `{"ref":"x","name":"A","dob":" 1975 "}`, true},
		{"mrz", `{"ref":"m","mrz":"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"}`, true},
		{"escape", `{"ref":"a","name":"Jane \"JD\" Doe\u00e9\n"}`, false},
		{"invalid utf-8", "{\"ref\":\"a\",\"name\":\"J\xffane\"}", false},
		{"control character", "{\"ref\":\"a\",\"name\":\"J\x01ane\"}", false},
		{"other case", `{"Ref":"a","NAME":"Jane"}`, false},
		{"repeated", `{"ref":"a","ref":"b"}`, false},
		{"repeated object", `{"document":{"number":"1"},"document":{"type":"P"}}`, false},
		{"null", `{"ref":"a","document":null,"name":null}`, false},
		{"batch", `{"travellers":[{"ref":"a","name":"Jane Doe"},{"ref":"b","name":"X"}]}`, false},
		{"batch null", `{"travellers":[null]}`, false},
		{"unknown field", `{"ref":"a","religion":"x"}`, false},
		{"number for string", `{"ref":1}`, false},
		{"date a number", `{"ref":"a","dob":1975}`, false},
		{"bool a string", `{"ref":"a","crew":"yes"}`, false},
		{"bool misspelt", `{"ref":"a","crew":tru}`, false},
		{"bool run on", `{"ref":"a","crew":truex}`, false},
		{"trailing", `{"ref":"a"}{"ref":"b"}`, false},
		{"trailing garbage", `{"ref":"a"} x`, false},
		{"array", `[]`, false},
		{"empty", ``, false},
		{"cut", `{"ref":"a","name":"Ja`, false},
		{"cut after key", `{"ref"`, false},
		{"missing comma", `{"ref":"a" "name":"b"}`, false},
		{"trailing comma", `{"ref":"a",}`, false},
		{"over the limit", `{"ref":"a","name":"` + strings.Repeat("B", 300) + `"}`, true}, // the parser would, the read refuses
		{"long body", long, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := int64(MaxScreenBodyBytes)
			if tc.name == "over the limit" {
				limit = 100
			}
			var probe ScreenRequest
			if got := parseScreenRequest([]byte(tc.body), &probe); got != tc.fast && len(tc.body) <= maxPooledBody {
				t.Errorf("hand-written path took it: %v, want %v", got, tc.fast)
			}
			fast, std, fastErr, stdErr := decodeBoth(t, tc.body, limit)
			if (fastErr == nil) != (stdErr == nil) || fastErr != nil && fastErr.Error() != stdErr.Error() {
				t.Fatalf("error %v, encoding/json %v", fastErr, stdErr)
			}
			if !reflect.DeepEqual(fast, std) {
				t.Fatalf("decoded\n%#v\nencoding/json\n%#v", fast, std)
			}
		})
	}
}

// TestDecodeScreenRequestMutated cuts, repeats and flips bytes of valid
// bodies: whatever the hand-written path takes, encoding/json reads alike.
func TestDecodeScreenRequestMutated(t *testing.T) {
	seeds := []string{
		`{"ref":"t-17","name":"Muhammad Abd al-Rahman","dob":"1975-03","sex":"M","nationality":"IQ","document":{"type":"P","number":"A1234567","country":"IRQ"},"travel":{"direction":"in","port":"IST","flight":"TK1980","date":"2026-11-25","pre_departure":false}}`,
		`{"ref":"a","given_names":"Listed","surname":"Person","crew":true,"mrz":"X"}`,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]":,  tfnul0123456789-.\"abcdeéA` + "\xff\x00\n")
	taken := 0
	for i := range 20000 {
		b := []byte(seeds[i%len(seeds)])
		for range 1 + rng.IntN(3) {
			j := rng.IntN(len(b))
			switch rng.IntN(3) {
			case 0:
				b[j] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				b = append(b[:j:j], b[j+1:]...)
			default:
				b = append(b[:j:j], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[j:]...)...)
			}
		}
		var fast ScreenRequest
		if !parseScreenRequest(b, &fast) {
			continue
		}
		taken++
		var std ScreenRequest
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&std); err != nil || dec.More() {
			t.Fatalf("%q: taken by hand, refused by encoding/json: %v", b, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("%q:\n%#v\nencoding/json\n%#v", b, fast, std)
		}
	}
	if taken == 0 {
		t.Fatal("no mutated body was taken by hand: the test checks nothing")
	}
}

// encodeStd is writeJSON's encoding of v.
func encodeStd(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	return buf.Bytes()
}

func TestAppendResult(t *testing.T) {
	odd := "a\"b\\c\x00\x1f\b\f\n\r\t<>&\u2028\u2029é\xff\xc3 end"
	for _, tc := range []struct {
		name string
		r    *tripline.Result
	}{
		{"nil", nil},
		{"zero", &tripline.Result{}},
		{"clear", &tripline.Result{Ref: "load-1", Decision: tripline.DecisionClear, Matches: []tripline.Match{}}},
		{"hit", &tripline.Result{Ref: "r", Decision: tripline.DecisionHit, Direction: "in", Action: "detain", Instruction: "Detain.", Minor: true,
			Matches: []tripline.Match{{Listing: "un:1", Score: 0.8734, Decision: tripline.DecisionHit, Action: "detain", Instruction: "i", Contact: "c", Name: "N", Minor: true, Suppressed: true,
				Explain: []tripline.Feature{{Feature: "name", Score: 0.9, Weight: 0.6, Detail: "d"}, {Feature: "dob", Score: 0}, {Feature: "x", Score: math.Copysign(0, -1), Weight: math.Copysign(0, -1)}}}},
			Notes: []string{"n1", "n2"}, Booking: "B", CoTravellers: []tripline.CoTraveller{{Ref: "a", Name: "A"}, {}}, Encounters: []string{"e1"},
			Error: &tripline.ErrBody{Code: "invalid", Message: "m"}}},
		{"empty lists", &tripline.Result{Notes: []string{}, CoTravellers: []tripline.CoTraveller{}, Encounters: []string{}, Matches: []tripline.Match{{Explain: []tripline.Feature{}}}}},
		{"odd strings", &tripline.Result{Ref: odd, Decision: tripline.Decision(odd), Notes: []string{odd}, Matches: []tripline.Match{{Listing: odd, Explain: []tripline.Feature{{Detail: odd}}}}}},
		{"floats", &tripline.Result{Matches: []tripline.Match{{Score: 1e-7}, {Score: 1e21}, {Score: 123456789.125}, {Score: 5e-324}, {Score: math.MaxFloat64}, {Score: -1e-6}, {Score: 1e20}, {Score: 0.1 + 0.2}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := appendResult(nil, tc.r)
			want := encodeStd(tc.r)
			if !ok || string(append(got, '\n')) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := appendResult(nil, &tripline.Result{Matches: []tripline.Match{{Score: f}}}); ok {
			t.Errorf("score %v encoded: encoding/json refuses it", f)
		}
		if _, ok := appendResult(nil, &tripline.Result{Matches: []tripline.Match{{Explain: []tripline.Feature{{Weight: f}}}}}); ok {
			t.Errorf("weight %v encoded: encoding/json refuses it", f)
		}
	}
}

// TestAppendResultRandom compares random results with encoding/json's
// bytes: strings of any bytes, floats of every magnitude, lists nil,
// empty or not.
func TestAppendResultRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	str := func() string {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			switch rng.IntN(4) {
			case 0:
				b[i] = byte(rng.IntN(256))
			default:
				b[i] = byte('a' + rng.IntN(26))
			}
		}
		if rng.IntN(8) == 0 {
			return string(b) + "\u2028ü"
		}
		return string(b)
	}
	float := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return rng.Float64()
		case 2:
			return math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(0x7ff))<<52) // any finite
		default:
			return -rng.Float64() * math.Pow(10, float64(rng.IntN(60)-30))
		}
	}
	strs := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, 1+rng.IntN(3))
		for i := range out {
			out[i] = str()
		}
		return out
	}
	for range 3000 {
		r := &tripline.Result{Ref: str(), Decision: tripline.Decision(str()), Direction: str(), Action: tripline.Action(str()), Instruction: str(),
			Minor: rng.IntN(2) == 0, Notes: strs(), Booking: str(), Encounters: strs()}
		if rng.IntN(4) > 0 {
			r.Matches = make([]tripline.Match, rng.IntN(3))
			for i := range r.Matches {
				m := &r.Matches[i]
				*m = tripline.Match{Listing: str(), Score: float(), Decision: tripline.Decision(str()), Action: tripline.Action(str()), Instruction: str(),
					Contact: str(), Name: str(), Minor: rng.IntN(2) == 0, Suppressed: rng.IntN(2) == 0}
				for range rng.IntN(3) {
					m.Explain = append(m.Explain, tripline.Feature{Feature: str(), Score: float(), Weight: float(), Detail: str()})
				}
			}
		}
		for range rng.IntN(3) {
			r.CoTravellers = append(r.CoTravellers, tripline.CoTraveller{Ref: str(), Name: str()})
		}
		if rng.IntN(3) == 0 {
			r.Error = &tripline.ErrBody{Code: str(), Message: str()}
		}
		got, ok := appendResult(nil, r)
		if want := encodeStd(r); !ok || string(append(got, '\n')) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
}

// TestWriteResult: the answer as writeJSON sent it, header and all.
func TestWriteResult(t *testing.T) {
	r := &tripline.Result{Ref: "a", Decision: tripline.DecisionClear, Matches: []tripline.Match{}}
	fast, std := httptest.NewRecorder(), httptest.NewRecorder()
	writeResult(fast, r)
	writeJSON(std, http.StatusOK, r)
	if fast.Code != std.Code || fast.Body.String() != std.Body.String() || !reflect.DeepEqual(fast.Header(), std.Header()) {
		t.Fatalf("got %d %v %q, want %d %v %q", fast.Code, fast.Header(), fast.Body, std.Code, std.Header(), std.Body)
	}
	nan := &tripline.Result{Matches: []tripline.Match{{Score: math.NaN()}}}
	fast, std = httptest.NewRecorder(), httptest.NewRecorder()
	writeResult(fast, nan)
	writeJSON(std, http.StatusOK, nan)
	if fast.Code != std.Code || fast.Body.String() != std.Body.String() {
		t.Fatalf("NaN: got %d %q, want %d %q", fast.Code, fast.Body, std.Code, std.Body)
	}
}

// BenchmarkScreenJSON: a clear screening's request and answer, by hand and
// through encoding/json.
//
//	go test ./httpapi -run '^$' -bench ScreenJSON -benchmem
func BenchmarkScreenJSON(b *testing.B) {
	body := []byte(`{"ref":"load-17","name":"Muhammad Abd al-Rahman","dob":"1975-03-02","sex":"M","nationality":"IRQ","document":{"type":"P","number":"A1234567","country":"IRQ"},"travel":{"direction":"in","port":"IST","flight":"TK1980","date":"2026-11-25"}}`)
	res := &tripline.Result{Ref: "load-17", Decision: tripline.DecisionClear, Matches: []tripline.Match{}}
	run := func(b *testing.B, decode func(*http.Request, *ScreenRequest) error, write func(http.ResponseWriter, *tripline.Result)) {
		b.ReportAllocs()
		w := &discardWriter{h: http.Header{}}
		for b.Loop() {
			r := httptest.NewRequest("POST", "/v1/screen", bytes.NewReader(body))
			var req ScreenRequest
			if err := decode(r, &req); err != nil {
				b.Fatal(err)
			}
			clear(w.h)
			write(w, res)
		}
	}
	b.Run("hand", func(b *testing.B) { run(b, decodeScreenRequest, writeResult) })
	b.Run("encoding-json", func(b *testing.B) {
		run(b, func(r *http.Request, req *ScreenRequest) error { return decodeJSON(r, req) },
			func(w http.ResponseWriter, res *tripline.Result) { writeJSON(w, http.StatusOK, res) })
	})
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
