package federation

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"tripline"
)

// IdentityFile is the file, next to the node key, that fixes a data
// directory's node id and agency at first use.
const IdentityFile = "node.id"

// DefaultNodeID is the id of a node whose operator never named one.
const DefaultNodeID = "local"

// NodeIdentity is who a data directory's node is: ID is the origin of every
// event the directory's log holds of its own, Agency the agency running it
// (the originator of its listings). Both are fixed at first use: a node
// whose id changed would write a second log its partners never follow.
type NodeIdentity struct {
	ID     string `json:"id"`
	Agency string `json:"agency"`
}

// ReadIdentity returns the identity fixed in dir; ok is false when none is
// yet (a new directory, or one made before identities were fixed).
func ReadIdentity(dir string) (id NodeIdentity, ok bool, err error) {
	path := filepath.Join(dir, IdentityFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return id, false, nil
	} else if err != nil {
		return id, false, fmt.Errorf("read node identity: %w", err)
	}
	if err := json.Unmarshal(b, &id); err != nil || tripline.CheckNodeID(id.ID) != nil || id.Agency == "" {
		return id, false, fmt.Errorf("node identity %s: not a Tripline node identity (want {\"id\": ..., \"agency\": ...})", path)
	}
	return id, true, nil
}

// WriteIdentity fixes id in dir (temporary file, synced, renamed).
func WriteIdentity(dir string, id NodeIdentity) error {
	b, _ := json.Marshal(id)
	if err := writeFileAtomic(filepath.Join(dir, IdentityFile), append(b, '\n')); err != nil {
		return fmt.Errorf("write node identity: %w", err)
	}
	return nil
}

// ResolveIdentity decides the identity of a data directory. fixed is the
// one its identity file holds (nil: none yet); wantID and wantAgency are
// what the operator asked for ($TRIPLINE_NODE, $TRIPLINE_AGENCY, --node;
// "" when not given); ownOrigins are the origins of the events its log holds
// that are no partner's (what it already wrote as itself).
//
// A fixed identity wins; asking for another id or agency is ECONFLICT,
// naming both. A directory with no identity file adopts the one origin its
// log holds (a directory made before identities were fixed), or the one
// asked for among several (ECONFLICT when none was asked for, or another);
// a new directory takes the id asked for, else DefaultNodeID. The agency
// defaults to the id.
func ResolveIdentity(fixed *NodeIdentity, wantID, wantAgency string, ownOrigins []string) (NodeIdentity, error) {
	if wantID != "" {
		if err := tripline.CheckNodeID(wantID); err != nil {
			return NodeIdentity{}, err
		}
	}
	if fixed != nil {
		if wantID != "" && wantID != fixed.ID {
			return NodeIdentity{}, tripline.Errorf(tripline.ECONFLICT,
				"this data directory belongs to node %q (fixed at first use in %s); node id %q refused: a node's id never changes", fixed.ID, IdentityFile, wantID)
		}
		if wantAgency != "" && wantAgency != fixed.Agency {
			return NodeIdentity{}, tripline.Errorf(tripline.ECONFLICT,
				"this data directory belongs to agency %q (fixed at first use in %s); agency %q refused", fixed.Agency, IdentityFile, wantAgency)
		}
		return *fixed, nil
	}
	id := wantID
	switch {
	case len(ownOrigins) == 1 && (wantID == "" || wantID == ownOrigins[0]):
		id = ownOrigins[0]
	case len(ownOrigins) == 1:
		return NodeIdentity{}, tripline.Errorf(tripline.ECONFLICT,
			"this data directory's events are node %q's; node id %q refused: a node's id never changes", ownOrigins[0], wantID)
	case len(ownOrigins) > 1 && !slices.Contains(ownOrigins, wantID):
		return NodeIdentity{}, tripline.Errorf(tripline.ECONFLICT,
			"this data directory holds events of several origins (%s): name the one this node is (TRIPLINE_NODE, once)", strings.Join(ownOrigins, ", "))
	case id == "":
		id = DefaultNodeID
	}
	agency := wantAgency
	if agency == "" {
		agency = id
	}
	return NodeIdentity{ID: id, Agency: agency}, nil
}
