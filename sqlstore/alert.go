package sqlstore

import (
	"context"

	"tripline"
)

var alertKind = &kind[*tripline.DocumentAlert]{
	table: "document_alerts", noun: "document alert",
	upserted: tripline.EventDocumentAlert, withdrawn: tripline.EventDocumentAlertWithdrawn,
	meta: func(in *tripline.DocumentAlert) (*tripline.DocumentAlert, *meta) {
		a := *in
		return &a, &meta{source: a.Source, status: &a.Status, version: &a.Version, updatedAt: &a.UpdatedAt, received: &a.Provenance.Received}
	},
}

// DocumentAlertService stores document alerts and appends their events.
type DocumentAlertService struct{ db *DB }

// NewDocumentAlertService returns a DocumentAlertService on db.
func NewDocumentAlertService(db *DB) *DocumentAlertService { return &DocumentAlertService{db: db} }

var _ tripline.DocumentAlertService = (*DocumentAlertService)(nil)

// DocumentAlerts returns the alerts of source ("" = all), ordered by id.
func (s *DocumentAlertService) DocumentAlerts(ctx context.Context, f tripline.AlertFilter) ([]*tripline.DocumentAlert, error) {
	return alertKind.list(ctx, s.db.db, f.Source, "", f.After, f.Limit)
}

// DocumentAlert returns one alert; ENOTFOUND when there is none.
func (s *DocumentAlertService) DocumentAlert(ctx context.Context, id string) (*tripline.DocumentAlert, error) {
	return alertKind.get(ctx, s.db.db, id)
}

// PutDocumentAlert creates or updates one alert and appends its event.
func (s *DocumentAlertService) PutDocumentAlert(ctx context.Context, a *tripline.DocumentAlert) (*tripline.DocumentAlert, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return alertKind.put(ctx, s.db, a)
}

// WithdrawDocumentAlert withdraws an active alert (the document was found
// or re-validated); ECONFLICT when it is not active.
func (s *DocumentAlertService) WithdrawDocumentAlert(ctx context.Context, id string) (*tripline.DocumentAlert, error) {
	return alertKind.withdraw(ctx, s.db, id)
}

// ImportDocumentAlerts makes source hold exactly as, in one transaction.
func (s *DocumentAlertService) ImportDocumentAlerts(ctx context.Context, source string, as []*tripline.DocumentAlert) (*tripline.ImportSummary, error) {
	return alertKind.importAll(ctx, s.db, source, tripline.Records(as))
}
