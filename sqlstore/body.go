package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"tripline"
)

// Tips and diffusions are stored as one JSON body per row; these read
// them back.

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// getBody decodes the body of the row of table with id; ENOTFOUND (naming
// noun) when there is none.
func getBody[T any](ctx context.Context, q queryer, table, noun, id string) (*T, error) {
	var body []byte
	err := q.QueryRowContext(ctx, `SELECT body FROM `+table+` WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "%s %q not found", noun, id)
	} else if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", noun, id, err)
	}
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", noun, id, err)
	}
	return &v, nil
}

// listBodies decodes the body column of every row query returns.
func listBodies[T any](ctx context.Context, db querier, noun, query string, args ...any) ([]*T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", noun, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan %s: %w", noun, err)
		}
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", noun, err)
		}
		out = append(out, &v)
	}
	return out, rows.Err()
}
