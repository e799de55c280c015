#!/usr/bin/env bash
# The README's "Using it" commands. cmd/tripline's TestDocScripts runs this on a
# fresh data directory, and checks that README.md pastes each block marked
# "README begin" ... "README end" word for word.
#
# By hand, from the repository root:
#   go build -o tripline ./cmd/tripline && bash docs/quickstart.sh
# It runs in WORK (default: a new temporary directory); the node serves on
# ADDR (default 127.0.0.1:8080).
. "$(dirname "$0")/script-setup.sh"
for d in cmd docs importer paxlst; do ln -s "$repo/$d" "$d"; done   # the sample files

# README begin
./tripline import --format un-xml cmd/tripline/sample/un_sc_consolidated_2024-09-26.xml
./tripline import --format ofac-sdn --json importer/testdata/ofac/sdn.csv   # add.csv and alt.csv beside it too
./tripline import --format csv --source agency-x docs/listing-template.csv  # see docs/csv-template.md
./tripline listings list --source agency-x          # or --json: one listing per line
./tripline listings show un-sc:TAi.005
echo '{"ref":"t-17","name":"Muhammad Taher Anwari","dob":"1961"}' | ./tripline screen
./tripline listings withdraw un-sc:TAi.005 --reason "delisted"
echo '{"ref":"t-17","name":"Muhammad Taher Anwari","dob":"1961"}' | ./tripline screen   # now clear
printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n' | ./tripline mrz parse
printf 'p<utoeriksson  anna maria\nL898902C3 6 UTO 740812 2 F 120415 9 ZE184226B<<<<< 1 0\n' | ./tripline mrz parse --tolerant  # typed by hand
./tripline screen --paxlst paxlst/testdata/handmade_una_release.edi      # a UN/EDIFACT PAXLST manifest
head -c 500 paxlst/testdata/handmade_una_release.edi > cut.edi           # ...cut before its UNT/UNZ trailer:
./tripline screen --paxlst cut.edi || echo "exit status $?"              # refused, exit 1
./tripline screen --paxlst cut.edi --partial   # ...or screen what arrived, each cut traveller at least review
./tripline import --format doc-alerts --source tr-police docs/alerts-sample.csv   # stolen, lost, revoked documents
echo '{"ref":"t-18","name":"Ayse Kaya","document":{"number":"U12345678","country":"TUR"}}' | ./tripline screen
./tripline agencies add tr-border --country TR --name "Border police"
./tripline users add ana-1 --role analyst --agency tr-border       # prints the token, once
./tripline users add root --role admin --superuser                 # the node-wide admin (see below)
./tripline agencies add de-bka --country DE && ./tripline agencies add fr-dgsi --country FR
./tripline agencies group eu de-bka fr-dgsi                        # handling rules may name the group
./tripline audit verify                       # hash chain and signed checkpoints, names the first bad entry
./tripline audit checkpoint > witness.json    # the signed head of the audit log, for a witness to keep
./tripline audit verify --checkpoint witness.json                  # ...and against the witness's copy
# README end

# README begin
OFFICER_TOKEN=$(./tripline users add officer-1 --role officer)
ADDR=${ADDR:-127.0.0.1:8080}
./tripline serve --addr "$ADDR" 2> serve.log &                    # logs go to serve.log
until curl -sf "http://$ADDR/readyz" > /dev/null; do sleep 0.2; done   # ready: the index is loaded
curl -s -H "Authorization: Bearer $OFFICER_TOKEN" "http://$ADDR/v1/screen" \
     -d '{"ref":"t-19","name":"Abdul Ghani Baradar"}'
kill %1 && wait                                                    # stop the node
# README end
