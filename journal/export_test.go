package journal

// Writes returns how many writes (each with its fsync) j has made.
func Writes(j *Journal) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.writes
}
