package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"tripline"
)

// ackOpen is an encounter row's ack_open: when its acknowledgement falls
// due while it is unacknowledged (fixed-width text, compared as text), ""
// once acknowledged or with no due time. The overdue gauge counts a range
// of its partial index instead of reading every encounter.
func ackOpen(e *tripline.Encounter) string {
	if e.Acknowledged != nil || e.AckDue == nil {
		return ""
	}
	return formatTime(*e.AckDue)
}

// overdueQuery counts the overdue encounters by action: a range of the
// partial index encounters_ack_open, which holds the unacknowledged ones.
const overdueQuery = `SELECT action, COUNT(*) FROM encounters WHERE ack_open <> '' AND ack_open < ? GROUP BY action`

// OverdueEncounters counts the encounters unacknowledged past their due
// time at now (tripline.Encounter.MarkOverdue), by action, from the
// partial index on ack_open: its cost grows with the overdue encounters,
// not with every encounter stored.
func (s *EncounterService) OverdueEncounters(ctx context.Context, now time.Time) (map[tripline.Action]int, error) {
	st, err := s.db.prepared(ctx, overdueQuery)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("count overdue encounters: %w", err)
	}
	defer rows.Close()
	out := map[tripline.Action]int{}
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			return nil, fmt.Errorf("count overdue encounters: %w", err)
		}
		out[tripline.Action(a)] = n
	}
	return out, rows.Err()
}

// openAcknowledgements is code migration 49: encounters gain their action
// and ack_open columns (filled from each body, which SQL cannot turn into
// the fixed-width time), and the partial index OverdueEncounters counts.
// PostgreSQL's migration 0049 does the same in SQL.
func openAcknowledgements(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `
ALTER TABLE encounters ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE encounters ADD COLUMN ack_open TEXT NOT NULL DEFAULT '';
CREATE INDEX encounters_ack_open ON encounters (ack_open, action) WHERE ack_open <> '';`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, body FROM encounters`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type open struct{ id, action, due string }
	var opens []open
	for rows.Next() {
		var id string
		var body []byte
		var e tripline.Encounter
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return fmt.Errorf("encounter %s: %w", id, err)
		}
		if e.Action != "" || ackOpen(&e) != "" {
			opens = append(opens, open{id, string(e.Action), ackOpen(&e)})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, o := range opens {
		if _, err := tx.ExecContext(ctx, `UPDATE encounters SET action = ?, ack_open = ? WHERE id = ?`, o.action, o.due, o.id); err != nil {
			return fmt.Errorf("encounter %s: %w", o.id, err)
		}
	}
	return nil
}
