package tripline

import "strings"

// Agency is a participating organisation with its ISO country code.
type Agency struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Contact string `json:"contact,omitempty"`
}

// Validate reports the first problem with a, naming the field.
func (a *Agency) Validate() error {
	if strings.TrimSpace(a.ID) == "" {
		return Errorf(EINVALID, "id: required")
	}
	if n := len(a.Country); n != 2 && n != 3 {
		return Errorf(EINVALID, "country: %q is not an ISO 3166 code", a.Country)
	}
	return nil
}
