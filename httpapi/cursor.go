package httpapi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"tripline"
)

// Paging a read the policy layer trims (listings, document alerts) must
// not name what it hides. A page's next value used to be the last id the
// store returned, whether the caller could see it or not: with limit=1 an
// officer read every hidden alert's id, which holds the document number,
// and an analyst every hidden listing's. A page now ends on a record the
// caller sees; when a long run of hidden records leaves nothing to end on,
// the position is sealed in an opaque cursor only this server opens.

// maxPageScan bounds the records one page request reads from the store
// while the caller sees too few of them to fill the page.
const maxPageScan = 10000

// minStorePage is the fewest records a page request reads from the store
// at a time: a page of one must not cost one query per hidden record.
const minStorePage = 500

// cursorPrefix starts a sealed cursor; a plain id as after is read as is.
const cursorPrefix = "~"

// cursorPad is the length a sealed id is padded to, so that a cursor's
// length does not tell the hidden id's.
const cursorPad = 256

// cursors seals page positions with a key made when the server starts: a
// cursor does not outlive the process (a client then starts again).
type cursors struct{ aead cipher.AEAD }

func newCursors() cursors {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read does not fail (Go 1.24)
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // AES always has GCM
	}
	return cursors{aead: aead}
}

// seal returns the cursor of position id on route (the cursor of one
// route does not open on another).
func (c cursors) seal(route, id string) string {
	n := (len(id)/cursorPad + 1) * cursorPad
	plain := make([]byte, 2, 2+n)
	binary.BigEndian.PutUint16(plain, uint16(len(id)))
	plain = append(plain, id...)
	plain = plain[:2+n]
	nonce := make([]byte, c.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, plain, []byte(route)))
}

// position is the next value of a page ending on shown record id: the id
// itself, or sealed when it starts as a cursor does (an id of a source
// named "~x"), which after would otherwise refuse.
func (c cursors) position(route, id string) string {
	if strings.HasPrefix(id, cursorPrefix) {
		return c.seal(route, id)
	}
	return id
}

// after returns the store position of an after value: a plain id as is, a
// sealed cursor opened. EINVALID for a cursor this server did not seal
// for route (another route's, or one from before a restart).
func (c cursors) after(route, v string) (string, error) {
	if !strings.HasPrefix(v, cursorPrefix) {
		return v, nil
	}
	bad := tripline.Errorf(tripline.EINVALID, "query after: not a page cursor of this node, or one from before it restarted: start again from the first page")
	raw, err := base64.RawURLEncoding.DecodeString(v[len(cursorPrefix):])
	ns := c.aead.NonceSize()
	if err != nil || len(raw) < ns {
		return "", bad
	}
	plain, err := c.aead.Open(nil, raw[:ns], raw[ns:], []byte(route))
	if err != nil || len(plain) < 2 {
		return "", bad
	}
	n := int(binary.BigEndian.Uint16(plain))
	if 2+n > len(plain) {
		return "", bad
	}
	return string(plain[2 : 2+n]), nil
}

// visiblePage reads records of route after position after (a plain id or
// a sealed cursor) until it has limit the caller may see, the store ends,
// or maxPageScan records were read. read returns the store's next records
// after an id (n at most, by id); shape keeps those the caller may see,
// trimmed, in order (the policy layer, which audits each call). next is the
// id of the last record shown when more may follow (position), a sealed cursor when
// hidden records alone were left to end on, "" at the end.
func visiblePage[T any](c cursors, route, after string, limit int, read func(after string, n int) ([]T, error),
	shape func([]T) ([]T, error), id func(T) string) (shown []T, next string, err error) {
	if after, err = c.after(route, after); err != nil {
		return nil, "", err
	}
	limit = max(limit, 1)
	n := max(limit, minStorePage)
	shown = make([]T, 0, limit)
	for scanned := 0; ; {
		recs, err := read(after, n)
		if err != nil {
			return nil, "", err
		}
		visible, err := shape(recs)
		if err != nil {
			return nil, "", err
		}
		take := min(len(visible), limit-len(shown))
		shown = append(shown, visible[:take]...)
		more := len(recs) == n // the store may hold more after these
		if len(shown) == limit {
			if take < len(visible) || more {
				next = c.position(route, id(shown[len(shown)-1]))
			}
			return shown, next, nil
		}
		if !more {
			return shown, "", nil
		}
		after, scanned = id(recs[len(recs)-1]), scanned+len(recs)
		if scanned >= maxPageScan {
			return shown, c.seal(route, after), nil
		}
	}
}
