#!/usr/bin/env bash
# The README's "Running on PostgreSQL and NATS" commands. cmd/tripline's
# TestDocScripts runs this (when TRIPLINE_TEST_POSTGRES and TRIPLINE_TEST_NATS
# name a server) with TRIPLINE_STORE set to a fresh schema, and checks that
# README.md pastes the block word for word.
#
# By hand, from the repository root, on a database with no Tripline tables yet:
#   go build -o tripline ./cmd/tripline && bash docs/postgres.sh
. "$(dirname "$0")/script-setup.sh"
ln -s "$repo/cmd" cmd   # the sample list

# README begin
export TRIPLINE_STORE=${TRIPLINE_STORE:-'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'}
./tripline import --format un-xml cmd/tripline/sample/un_sc_consolidated_2024-09-26.xml
OFFICER_TOKEN=$(./tripline users add officer-pg --role officer)
ADDR=${ADDR:-127.0.0.1:8080}
./tripline serve --addr "$ADDR" --nats nats://127.0.0.1:4222 2> serve.log &
until curl -sf "http://$ADDR/readyz" > /dev/null; do sleep 0.2; done
curl -s -H "Authorization: Bearer $OFFICER_TOKEN" "http://$ADDR/v1/screen" \
     -d '{"ref":"t-20","name":"Abdul Ghani Baradar"}'
./tripline listings withdraw un-sc:TAi.024 --reason "delisted"   # any process, same database
./tripline audit verify
# README end

# README begin
mkdir -p replica-1 && cp tripline-data/node.key tripline-data/node.id replica-1/   # the node's key and id
REPLICA=${REPLICA:-127.0.0.1:8081}
./tripline serve --replica --data replica-1 --addr "$REPLICA" --nats nats://127.0.0.1:4222 2> replica.log &
until curl -sf "http://$REPLICA/readyz" > /dev/null; do sleep 0.2; done
curl -s -H "Authorization: Bearer $OFFICER_TOKEN" "http://$REPLICA/v1/screen" \
     -d '{"ref":"t-21","name":"Mohammad Tahir Anwari","dob":"1961"}'
kill %1 %2 && wait                                     # stop the writer and the replica
# README end
