package storetest

import (
	"database/sql"
	"testing"

	"tripline/sqlstore"
)

// Engine opens databases of one engine for the suite's tests of the
// stores beyond listings: audit chain, identity and tokens, consent,
// federation, travellers and retention, links.
type Engine struct {
	// Open returns a fresh, empty, open database, closed when t ends.
	Open func(t *testing.T) *sqlstore.DB
}

// Reopen returns another open handle on the database of db, as a second
// process on the same data directory or database has: closed when t ends.
func Reopen(t *testing.T, db *sqlstore.DB) *sqlstore.DB {
	t.Helper()
	other := sqlstore.New(db.DSN, db.Dialect())
	other.Origin = db.Origin
	if err := other.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// RunDB runs the contract of every store on e's databases.
func RunDB(t *testing.T, e Engine) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Engine)
	}{
		{"AuditTampering", testAuditTampering},
		{"AuditChainContinuesAcrossRestart", testAuditChainContinuesAcrossRestart},
		{"AuditRetriedAfterFailedWrite", testAuditRetriedAfterFailedWrite},
		{"AuditTwoWriters", testAuditTwoWriters},
		{"AuditCheckpointsShowTruncationAndRewrite", testAuditCheckpointsShowTruncationAndRewrite},
		{"AuditWitnessCheckpoint", testAuditWitnessCheckpoint},
		{"AuditCheckpointSignedPeriodically", testAuditCheckpointSignedPeriodically},
		{"AuditNoCheckpointOverABrokenChain", testAuditNoCheckpointOverABrokenChain},
		{"AuditCloseSignsTheHead", testAuditCloseSignsTheHead},
		{"IdentityTokens", testIdentityTokens},
		{"SessionBoundToItsToken", testSessionBoundToItsToken},
		{"TokenRevokedElsewhere", testTokenRevokedElsewhere},
		{"UsersNodeAndSuperuser", testUsersNodeAndSuperuser},
		{"Consents", testConsents},
		{"PartnerTLSStored", testPartnerTLSStored},
		{"FederationCursors", testFederationCursors},
		{"ForeignIgnoredMarked", testForeignIgnoredMarked},
		{"ForeignRecordsBounded", testForeignRecordsBounded},
		{"EventSalts", testEventSalts},
		{"FederationReports", testFederationReports},
		{"ReportsExpire", testReportsExpire},
		{"AuditWitness", testAuditWitness},
		{"ImportPublishedVersions", testImportPublishedVersions},
		{"LinkStore", testLinkStore},
		{"ReplaceLinks", testReplaceLinks},
		{"LinkChangesFollowed", testLinkChangesFollowed},
		{"TravellerRoundTrip", testTravellerRoundTrip},
		{"TravellerStoredCompactly", testTravellerStoredCompactly},
		{"TravellerLogPurge", testTravellerLogPurge},
		{"TravellerLogBatch", testTravellerLogBatch},
		{"ListingChanges", testListingChanges},
		{"EncounterOverdueMigrated", testEncounterOverdueMigrated},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, e) })
	}
}

// RefuseInserts makes every insert into table of h (a handle on db's
// engine) fail, as a full disk or a lost server would, until allow.
func RefuseInserts(t *testing.T, db *sqlstore.DB, h *sql.DB, table string) (allow func()) {
	t.Helper()
	var refuse, undo []string
	switch db.Dialect().Name() {
	case "sqlite":
		refuse = []string{`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
		undo = []string{`DROP TRIGGER refuse_` + table}
	default:
		refuse = []string{`CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION refuse_insert()`}
		undo = []string{`DROP TRIGGER refuse_` + table + ` ON ` + table}
	}
	for _, q := range refuse {
		if _, err := h.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func() {
		t.Helper()
		for _, q := range undo {
			if _, err := h.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
}
