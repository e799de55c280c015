package httpapi

// The screen route's hand-written JSON paths, for the fuzz target to hold
// against encoding/json.
var (
	ParseScreenRequest = parseScreenRequest
	AppendResult       = appendResult
)
