package tripline

import "hash/maphash"

// IDSet is a set of ids sized for imports of millions of records. A
// map[string] of a million ids holds a million pointers, which the garbage
// collector scans again on every cycle of the import; an IDSet holds none:
// the ids are packed into one byte slice and found by their hash. Each id
// gets an index, in the order of first addition, for callers that keep
// something per id (the line it came from).
type IDSet struct {
	hash  func(string) uint64
	slots map[uint64]int32 // hash -> 1 + index of the newest id with it
	next  []int32          // index -> 1 + index of an older id with the same hash
	data  []byte
	ends  []int // index -> end of the id in data
}

// NewIDSet returns an empty set.
func NewIDSet() *IDSet {
	seed := maphash.MakeSeed()
	return &IDSet{hash: func(id string) uint64 { return maphash.String(seed, id) }, slots: map[uint64]int32{}}
}

// Add adds id. It returns id's index and true when id is new, or the index
// it already had and false.
func (s *IDSet) Add(id string) (int, bool) {
	h := s.hash(id)
	head := s.slots[h]
	if i := s.find(head, id); i >= 0 {
		return i, false
	}
	i := len(s.ends)
	s.data = append(s.data, id...)
	s.ends = append(s.ends, len(s.data))
	s.next = append(s.next, head)
	s.slots[h] = int32(i + 1)
	return i, true
}

// Has reports whether id is in the set.
func (s *IDSet) Has(id string) bool {
	return s.find(s.slots[s.hash(id)], id) >= 0
}

// Len returns the number of ids in the set.
func (s *IDSet) Len() int { return len(s.ends) }

// find walks the chain of ids sharing a hash from head (1 + index; 0 is
// the end) and returns the index of id, or -1.
func (s *IDSet) find(head int32, id string) int {
	for i := int(head) - 1; i >= 0; i = int(s.next[i]) - 1 {
		start := 0
		if i > 0 {
			start = s.ends[i-1]
		}
		if string(s.data[start:s.ends[i]]) == id {
			return i
		}
	}
	return -1
}
