package retro

// HashKey is hashKey, for the test that it is FNV-1a.
var HashKey = hashKey
