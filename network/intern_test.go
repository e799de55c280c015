package network

import (
	"fmt"
	"strings"
	"testing"
)

func TestStrTable(t *testing.T) {
	tab := newStrTable()
	big := strings.Repeat("x", chunkSize+3)
	want := map[string]uint32{}
	for i := range 20_000 {
		x := fmt.Sprintf("s%d", i)
		if i == 777 {
			x = big
		}
		want[x] = tab.intern(x)
	}
	if id := tab.intern(""); id != 0 {
		t.Fatalf(`intern("") = %d`, id)
	}
	for x, id := range want {
		if got := tab.get(id); got != x {
			t.Fatalf("get(%d) = %.20q, want %.20q", id, got, x)
		}
		if got, ok := tab.lookup(x); !ok || got != id {
			t.Fatalf("lookup(%.20q) = %d %v, want %d", x, got, ok, id)
		}
		if again := tab.intern(x); again != id {
			t.Fatalf("intern(%.20q) again = %d, want %d", x, again, id)
		}
	}
	if _, ok := tab.lookup("absent"); ok {
		t.Fatal("lookup found a string never interned")
	}
	if tab.len() != len(want)+1 {
		t.Fatalf("len %d, want %d", tab.len(), len(want)+1)
	}
}
