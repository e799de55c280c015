package sqlstore

import (
	"context"

	"tripline"
)

// MergeEncounterUpdate applies the other end's change to encounter u.ID,
// sent by the node of agency sender, with its event when it changes
// anything (tripline.MergeUpdate decides who may change what).
func (s *EncounterService) MergeEncounterUpdate(ctx context.Context, u *tripline.EncounterUpdate, sender string) (*tripline.Encounter, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	e, err := getEncounter(ctx, tx, u.ID)
	if err != nil {
		return nil, err
	}
	changed, err := tripline.MergeUpdate(e, u, sender)
	if err != nil || !changed {
		return e, err
	}
	if err := tx.updateEncounter(ctx, e); err != nil {
		return nil, err
	}
	return e, tx.Commit()
}
