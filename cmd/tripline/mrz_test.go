package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMRZParseContract(t *testing.T) {
	in := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
	code, out, errs := run(t, t.TempDir(), in, "mrz", "parse")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"format": "TD3", "valid": true, "document_code": "P", "issuer": "UTO", "surname": "ERIKSSON",
		"given_names": "ANNA MARIA", "document_number": "L898902C3", "nationality": "UTO", "dob": "1974-08-12",
		"sex": "F", "expiry": "2012-04-15", "errors": []any{},
		"checks": map[string]any{"document_number": true, "dob": true, "expiry": true, "optional": true, "composite": true}}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// A wrong check digit: still JSON, exit status 1.
	bad := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10\n"
	code, out, _ = run(t, t.TempDir(), bad, "mrz", "parse")
	if code != 1 || json.Unmarshal([]byte(out), &got) != nil || got["valid"] != false {
		t.Fatalf("bad check digit: exit %d, out %s", code, out)
	}
	// Garbage: a clear error, exit status 1, no panic.
	code, _, errs = run(t, t.TempDir(), "hello", "mrz", "parse")
	if code != 1 || errs == "" {
		t.Fatalf("garbage: exit %d, %q", code, errs)
	}
}
