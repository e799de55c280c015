package sqlstore

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"tripline"
)

// The audit log's checkpoints (the node's signature on its head) and its
// verification against them.

const checkpointColumns = `seq, at, node, hash, key, sig`

func scanCheckpoint(rows interface{ Scan(...any) error }) (*tripline.AuditCheckpoint, error) {
	var c tripline.AuditCheckpoint
	var at string
	if err := rows.Scan(&c.Seq, &at, &c.Node, &c.Hash, &c.Key, &c.Sig); err != nil {
		return nil, fmt.Errorf("scan audit checkpoint: %w", err)
	}
	t, err := parseTime(at)
	if err != nil {
		t = time.Time{} // fails its signature
	}
	c.At = t
	return &c, nil
}

// Checkpoint commits what is recorded, signs the head unless the newest
// checkpoint already names it, and returns the newest checkpoint (nil for
// an empty log): what a witness keeps. It fails without a key, and when
// the log no longer extends its newest checkpoint (the node never signs a
// head it has not checked).
func (a *AuditLog) Checkpoint(ctx context.Context) (*tripline.AuditCheckpoint, error) {
	if a.opt.Key == nil {
		return nil, tripline.Errorf(tripline.EINVALID, "audit log: no key to sign checkpoints with")
	}
	if err := a.settle(ctx); err != nil {
		return nil, err
	}
	return a.checkpoint(ctx)
}

// NewestCheckpoint returns the newest checkpoint signed (nil for none),
// signing nothing: what a partner witnessing this log fetches, so that
// its requests cannot make the node sign (and store) at their pace; the
// signer signs the moving head every CheckpointEvery.
func (a *AuditLog) NewestCheckpoint(ctx context.Context) (*tripline.AuditCheckpoint, error) {
	c, err := scanCheckpoint(a.adb.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// checkpoint signs the stored head when it moved past the newest
// checkpoint, after checking that the entries since chain onto it. The
// check reads a snapshot, outside the write lock.
func (a *AuditLog) checkpoint(ctx context.Context) (*tripline.AuditCheckpoint, error) {
	if a.opt.Key == nil {
		return nil, nil
	}
	tx, err := a.adb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	defer tx.Rollback()
	latest, err := scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	} else if err != nil {
		latest = nil
	}
	from := int64(1)
	if latest != nil {
		from = latest.Seq
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq >= ? ORDER BY seq`, from)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	defer rows.Close()
	var head *tripline.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		if cerr := extends(head, latest, e); cerr != nil {
			return nil, fmt.Errorf("audit log: not signing its head: %w", cerr)
		}
		head = e
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch {
	case head == nil && latest != nil:
		return nil, fmt.Errorf("audit log: not signing its head: %w", &tripline.ChainError{Seq: latest.Seq,
			Reason: fmt.Sprintf("truncated: the %s names an entry no longer stored", latest)})
	case head == nil || (latest != nil && head.Seq == latest.Seq):
		return latest, nil
	}
	rows.Close()
	tx.Rollback()
	c := tripline.SignAuditCheckpoint(a.opt.Node, head.Seq, head.Hash, a.db.Now(), a.opt.Key)
	c.Key = base64.StdEncoding.EncodeToString(a.PublicKey())
	// Another process may have signed the same head meanwhile: either
	// checkpoint will do.
	if _, err := a.adb.ExecContext(ctx, `INSERT INTO audit_checkpoints (`+checkpointColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.Seq, formatTime(c.At), c.Node, c.Hash, c.Key, c.Sig); err != nil {
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	return c, nil
}

// extends checks that e follows prev (nil before the first entry read)
// on a chain that starts at the checkpoint latest (nil: at entry 1).
func extends(prev *tripline.AuditEntry, latest *tripline.AuditCheckpoint, e *tripline.AuditEntry) *tripline.ChainError {
	switch {
	case e.ComputeHash() != e.Hash:
		return &tripline.ChainError{Seq: e.Seq, Reason: "altered: its content no longer matches its hash"}
	case prev == nil && latest != nil && (e.Seq != latest.Seq || e.Hash != latest.Hash):
		return &tripline.ChainError{Seq: latest.Seq, Reason: fmt.Sprintf("rewritten: the %s no longer matches it", latest)}
	case prev == nil && latest == nil && (e.Seq != 1 || e.Prev != ""):
		return &tripline.ChainError{Seq: 1, Reason: "missing (deleted?): the log does not start at entry 1"}
	case prev != nil && e.Seq != prev.Seq+1:
		return &tripline.ChainError{Seq: prev.Seq + 1, Reason: fmt.Sprintf("missing (deleted?): the next stored entry is %d", e.Seq)}
	case prev != nil && e.Prev != prev.Hash:
		return &tripline.ChainError{Seq: e.Seq, Reason: "does not follow the entry before it (reordered or replaced)"}
	}
	return nil
}

// Verify checks the whole stored chain and its stored checkpoints (their
// signatures with the log's own key) and returns how many entries it
// checked and the first broken entry or checkpoint, nil when intact.
func (a *AuditLog) Verify(ctx context.Context) (int64, *tripline.ChainError, error) {
	v, err := a.VerifyAgainst(ctx, a.PublicKey(), nil)
	if err != nil {
		return 0, nil, err
	}
	return v.Entries, v.Broken, nil
}

// VerifyAgainst checks the whole stored chain against the stored
// checkpoints and those of witness (copies kept outside the node: an
// attacker who deleted the newest entries and the local checkpoints with
// them cannot reach those). Every checkpoint must be signed by key (nil
// leaves signatures unchecked). Entries are read in stored order in one
// snapshot, checkpoints merged in by sequence number: constant memory
// however long the log.
func (a *AuditLog) VerifyAgainst(ctx context.Context, key ed25519.PublicKey, witness []*tripline.AuditCheckpoint) (*tripline.AuditVerification, error) {
	if err := a.settle(ctx); err != nil {
		return nil, err
	}
	tx, err := a.adb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer tx.Rollback()
	// Both are read in pages, one query at a time: a PostgreSQL
	// connection cannot interleave two result sets.
	witness = slices.SortedFunc(slices.Values(witness), func(x, y *tripline.AuditCheckpoint) int { return cmp.Compare(x.Seq, y.Seq) })
	var storedNext *tripline.AuditCheckpoint
	var readErr error
	var page []*tripline.AuditCheckpoint
	pageAfter, pageDone := int64(-1), false
	advance := func() {
		storedNext = nil
		if len(page) == 0 && !pageDone && readErr == nil {
			page, readErr = readCheckpoints(ctx, tx, pageAfter, auditPage)
			pageDone = len(page) < auditPage
		}
		if len(page) > 0 {
			storedNext, page = page[0], page[1:]
			pageAfter = storedNext.Seq
		}
	}
	advance()
	// next returns the next checkpoint by sequence number, stored or
	// witnessed, nil after the last.
	next := func() *tripline.AuditCheckpoint {
		if len(witness) > 0 && (storedNext == nil || witness[0].Seq < storedNext.Seq) {
			c := witness[0]
			witness = witness[1:]
			return c
		}
		c := storedNext
		if c != nil {
			advance()
		}
		return c
	}
	out := &tripline.AuditVerification{}
	v := tripline.ChainVerifier{Key: key}
	finish := func(broken *tripline.ChainError) (*tripline.AuditVerification, error) {
		out.Entries, out.Head, out.Anchor, out.Broken = v.Count(), v.Head(), v.Anchor(), broken
		return out, readErr
	}
	cp := next()
	for after := int64(-1); ; {
		entries, err := readAudit(ctx, tx, after, auditPage)
		if err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		for _, e := range entries {
			if cerr := v.Next(e); cerr != nil {
				return finish(cerr)
			}
			for ; cp != nil && cp.Seq <= e.Seq; cp = next() {
				out.Checkpoints++
				if cerr := v.Checkpoint(cp); cerr != nil {
					return finish(cerr)
				}
			}
			after = e.Seq
		}
		if len(entries) < auditPage {
			break
		}
	}
	for ; cp != nil; cp = next() {
		out.Checkpoints++
		if cerr := v.Checkpoint(cp); cerr != nil {
			return finish(cerr)
		}
	}
	return finish(v.End())
}

// auditPage is how many entries or checkpoints verification reads at a
// time: memory stays bounded however long the log.
const auditPage = 4096

// readAudit reads up to n entries after seq after, in order. A stored row
// that does not decode is an error.
func readAudit(ctx context.Context, tx *sql.Tx, after int64, n int) ([]*tripline.AuditEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tripline.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// readCheckpoints reads up to n stored checkpoints after seq after, in
// order.
func readCheckpoints(ctx context.Context, tx *sql.Tx, after int64, n int) ([]*tripline.AuditCheckpoint, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints WHERE seq > ? ORDER BY seq LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []*tripline.AuditCheckpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
