package tripline_test

import (
	"fmt"
	"strings"
	"testing"

	"tripline"
)

func TestValidateName(t *testing.T) {
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("Ab ", n)) }
	for _, tc := range []struct {
		name, in string
		want     string // substring of the message; "" means valid
	}{
		{"plain", "Muhammad Taher ANWARI", ""},
		{"arabic", "محمد طاهر أنوري", ""},
		{"digits only", "1234", ""},
		{"longest UN name", "Abdel Ilah Sabri (false identity related to fraudulent South African identification number 6910275240086 linked to South African passport number 434021161, both documents have been confiscated)", ""},
		{"at the word limit", words(tripline.MaxNameWords), ""},
		{"at the byte limit", strings.Repeat("a", tripline.MaxNameBytes), ""},
		{"empty", "", "name: empty"},
		{"blank", " \t ", "name: empty"},
		{"over the byte limit", strings.Repeat("a", tripline.MaxNameBytes+1), fmt.Sprintf("name: %d bytes long, at most %d", tripline.MaxNameBytes+1, tripline.MaxNameBytes)},
		{"8 MB", eightMBName, "bytes long, at most"},
		{"over the word limit", words(tripline.MaxNameWords + 1), fmt.Sprintf("name: more than %d words", tripline.MaxNameWords)},
		{"punctuation only", "-- .. ,, ''", "name: no letters or digits"},
		{"zero-width only", "\u200b\u200b\u200b", "name: no letters or digits"},
		{"soft hyphens only", "\u00ad \u00ad", "name: no letters or digits"},
		{"hangul fillers only", "\u3164\u115f\u1160\uffa0", "name: no letters or digits"},
		{"joiners and selectors", "\u034f\ufe0f\u2060\ufeff\u200d\U000E0100", "name: no letters or digits"},
		{"bidi controls only", "\u202e\u202d\u200e", "name: no letters or digits"},
		{"modifier letters and accents only", "ʼʼ ー \u0301", "name: no letters or digits"},
		{"modifier letter in a word", "ʻOkina Kaʻahumanu", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tripline.ValidateName("name", tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ValidateName(%.40q) = %v, want nil", tc.in, err)
				}
				return
			}
			if err == nil || tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
				t.Fatalf("ValidateName(%.40q) = %v, want invalid containing %q", tc.in, err, tc.want)
			}
		})
	}
}

// Invisible characters inside a name neither make nor break a word: they
// are what an attacker inserts to make a listed name look different.
func TestNameWordsIgnoreInvisible(t *testing.T) {
	name := strings.Repeat("A\u200bb\u00adc\u3164 ", tripline.MaxNameWords)
	if err := tripline.ValidateName("name", name); err != nil {
		t.Fatalf("%d words split by invisible characters: %v", tripline.MaxNameWords, err)
	}
}

func TestInvisible(t *testing.T) {
	for _, r := range []rune{0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x180B, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x202E, 0x2060, 0x2066, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0, 0x1D173, 0xE0001, 0xE0041, 0xE0100} {
		if !tripline.Invisible(r) {
			t.Errorf("Invisible(%U) = false, want true", r)
		}
	}
	for _, r := range []rune{'a', 'Z', '0', ' ', '-', '\'', 'é', 'ß', 'ı', 'م', 'ж', '한', 'ㄱ', '中', 0x0301, 0x064E} {
		if tripline.Invisible(r) {
			t.Errorf("Invisible(%U) = true, want false", r)
		}
	}
}

func TestTravellerValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   tripline.Traveller
		want string
	}{
		{"name", tripline.Traveller{Name: "Ali Hassan"}, ""},
		{"parts", tripline.Traveller{GivenNames: "Ali", Surname: "Hassan"}, ""},
		{"parts at the byte limit each", tripline.Traveller{GivenNames: strings.Repeat("a", tripline.MaxNameBytes), Surname: strings.Repeat("b", tripline.MaxNameBytes)}, ""},
		{"missing", tripline.Traveller{}, "name: required"},
		{"long name", tripline.Traveller{Name: eightMBName}, "name: 8388608 bytes long, at most 1024"},
		{"long blank name", tripline.Traveller{Name: strings.Repeat(" ", 8<<20), Surname: "Hassan"}, "name: 8388608 bytes long"},
		{"long surname", tripline.Traveller{GivenNames: "Ali", Surname: strings.Repeat("b", tripline.MaxNameBytes+1)}, "surname: 1025 bytes long"},
		{"long given names", tripline.Traveller{GivenNames: strings.Repeat("b", tripline.MaxNameBytes+1), Surname: "Hassan"}, "given_names: 1025 bytes long"},
		{"too many words in the parts", tripline.Traveller{GivenNames: strings.Repeat("Ab ", 40), Surname: strings.Repeat("Cd ", 40)}, "name: more than 64 words"},
		{"zero-width name", tripline.Traveller{Name: "\u200b\u200c\u200d"}, "name: no letters or digits"},
		{"filler parts", tripline.Traveller{GivenNames: "\u3164", Surname: "\u00ad."}, "name: no letters or digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tr.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
				t.Fatalf("Validate = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
}

func TestListingValidateNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		names []tripline.Name
		want  string
	}{
		{"zero-width only", []tripline.Name{{Full: "Ali Hassan", Kind: tripline.NamePrimary}, {Full: "\u200b\u200b", Kind: tripline.NameAlias}}, "names[1].full: no letters or digits"},
		{"fillers only", []tripline.Name{{Full: "\u3164 \uffa0", Kind: tripline.NamePrimary}}, "names[0].full: no letters or digits"},
		{"too long", []tripline.Name{{Full: eightMBName, Kind: tripline.NamePrimary}}, "names[0].full: 8388608 bytes long, at most 1024"},
		{"too many words", []tripline.Name{{Full: strings.Repeat("Ab ", 65), Kind: tripline.NamePrimary}}, "names[0].full: more than 64 words"},
		{"too many names", func() []tripline.Name {
			ns := make([]tripline.Name, tripline.MaxNames+1)
			for i := range ns {
				ns[i] = tripline.Name{Full: fmt.Sprintf("Alias %d", i), Kind: tripline.NameAlias}
			}
			return ns
		}(), "names: more than 256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := validListing()
			l.Names = tc.names
			err := l.Validate()
			if err == nil || tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
				t.Fatalf("Validate = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
}

// eightMBName is a name of 8 MiB in two-letter words: the request that
// took a node down.
var eightMBName = strings.Repeat("ab ", 8<<20/3) + "ab"
