package match

// The snapshot's id table: listing id → slot in one or two probes. A
// screening looks its matches up by id several times (the listing's
// validity, clearances, the policy layer's shaping, the encounter's
// originator), and so does the node applying listing changes; a binary
// search of the ids in id order reads twenty records, each on its own page
// of the mapping, at a million listings.
//
// The table is open addressing with linear probing over a power of two
// of uint32 cells, at most half full: a cell holds slot+1, 0 when empty.
// The hash is FNV-1a (64 bits) of the id: the same in every process, so
// the table is written once and mapped as it is.

// idHash hashes a listing id.
func idHash(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// idTableSize is the number of cells for n ids: a power of two, at least
// twice n, so that a probe for a missing id soon meets an empty cell.
func idTableSize(n int) int {
	size := 2
	for size < 2*n {
		size *= 2
	}
	return size
}

// buildIDTable returns the table of ids, each in its slot.
func buildIDTable(ids []string, slots []uint32) []uint32 {
	tab := make([]uint32, idTableSize(len(ids)))
	mask := uint64(len(tab) - 1)
	for i, id := range ids {
		c := idHash(id) & mask
		for tab[c] != 0 {
			c = (c + 1) & mask
		}
		tab[c] = slots[i] + 1
	}
	return tab
}

// checkIDTable refuses a table a lookup could not use: its size is not a
// power of two with a free cell, or its cells do not name each slot of
// order once. Where each id sits is not checked: a misplaced id (a crafted
// file with its checksum fixed) is not found, nothing worse.
func checkIDTable(tab []uint32, s *snapshot) error {
	if len(tab) == 0 || len(tab)&(len(tab)-1) != 0 || len(tab) <= s.nlive {
		return snapErrorf("id table of %d cells for %d listings", len(tab), s.nlive)
	}
	seen := make([]uint64, (s.n+63)/64)
	n := 0
	for _, c := range tab {
		if c == 0 {
			continue
		}
		slot := c - 1
		if !s.isLive(slot) || seen[slot/64]&(1<<(slot%64)) != 0 {
			return snapErrorf("id table names slot %d twice or holding nothing", slot)
		}
		seen[slot/64] |= 1 << (slot % 64)
		n++
	}
	if n != s.nlive {
		return snapErrorf("id table names %d listings, the file holds %d", n, s.nlive)
	}
	return nil
}

// find returns the live slot of listing id.
func (s *snapshot) find(id string) (uint32, bool) {
	if len(s.ids) == 0 {
		return 0, false
	}
	mask := uint64(len(s.ids) - 1)
	c := idHash(id) & mask
	for range len(s.ids) { // bounded: a crafted table may have no free cell
		v := s.ids[c]
		if v == 0 {
			return 0, false
		}
		if slot := v - 1; slot < s.n {
			if r := s.record(slot); r.str() == id {
				return slot, s.isLive(slot)
			}
		}
		c = (c + 1) & mask
	}
	return 0, false
}
