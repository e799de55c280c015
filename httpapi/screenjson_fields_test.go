package httpapi

import (
	"reflect"
	"testing"

	"tripline"
)

// fillAll sets every exported field reachable from v (a pointer) to a
// value that is not its zero: a string, true, a float, one element of a
// slice, a struct behind a pointer.
func fillAll(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 4 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillAll(s.Index(0), depth+1)
		v.Set(s)
	case reflect.String:
		v.SetString("x\"<é")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.625)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	}
}

// TestAppendResultEveryField: a field added to Result, Match, Feature,
// CoTraveller or ErrBody must reach the hand-written answer too: with
// every field set, it equals encoding/json's byte for byte.
func TestAppendResultEveryField(t *testing.T) {
	var r tripline.Result
	fillAll(reflect.ValueOf(&r).Elem(), 0)
	got, ok := appendResult(nil, &r)
	if want := encodeStd(&r); !ok || string(append(got, '\n')) != string(want) {
		t.Fatalf("a field is missing from the hand-written answer:\ngot  %s\nwant %s", got, want)
	}
}
