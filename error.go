package tripline

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in httpapi and one exit
// status in the CLI; anything without a code is an internal error whose text
// is never shown to a caller.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ERATELIMIT    = "rate_limited"
	// EUNAVAILABLE: the node cannot take the request just now (its store
	// is busy with a long write, such as an import); the caller retries.
	EUNAVAILABLE = "unavailable"
	EINTERNAL    = "internal"
)

// Error is an application error with a machine-readable code and a message
// that is safe to show to the caller.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("tripline error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns a coded Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is returned when a requested object does not exist.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "not found"}

// ErrorCode returns the code of the first coded Error in err's chain, or
// EINTERNAL when there is none. A nil error has no code.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err: the coded Error's
// message, or a generic text for internal errors so that internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
