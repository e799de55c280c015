package importer

import (
	"strings"
	"time"

	"tripline"
)

// CheckListing applies the CSV template's rules (docs/csv-template.md) to
// a listing written by hand through the API, so that both ways in accept
// the same: the source and id as a CSV row's, each nationality and document
// country a country name or ISO 3166 code (stored as alpha-3; "ZZZ" is
// refused), a document expiry written YYYY-MM-DD, an e-mail address with
// an @, then everything Listing.Validate checks. It normalises l in place
// and returns an EINVALID error naming the field.
func CheckListing(l *tripline.Listing) error {
	if l == nil {
		return tripline.Errorf(tripline.EINVALID, "listing: missing")
	}
	if err := checkSource(l.Source); err != nil {
		return err
	}
	for i, s := range l.Nationalities {
		c, ok := alpha3(s)
		if !ok {
			return tripline.Errorf(tripline.EINVALID, "nationalities[%d]: %.40q is not a country name or ISO 3166 code", i, s)
		}
		l.Nationalities[i] = c
	}
	for i := range l.Documents {
		d := &l.Documents[i]
		if d.Country != "" {
			c, ok := alpha3(d.Country)
			if !ok {
				return tripline.Errorf(tripline.EINVALID, "documents[%d].country: %.40q is not a country name or ISO 3166 code", i, d.Country)
			}
			d.Country = c
		}
		if d.Expiry != "" {
			if _, err := time.Parse(time.DateOnly, d.Expiry); err != nil {
				return tripline.Errorf(tripline.EINVALID, "documents[%d].expiry: %.40q is not a date (want YYYY-MM-DD)", i, d.Expiry)
			}
		}
	}
	for i, e := range l.Emails {
		if !strings.Contains(e, "@") {
			return tripline.Errorf(tripline.EINVALID, "emails[%d]: %.40q is not an e-mail address", i, e)
		}
	}
	return l.Validate()
}
