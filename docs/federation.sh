#!/usr/bin/env bash
# The README's federation example: three nodes A, B and C on this machine,
# where C reaches A only through B. cmd/tripline's TestDocScripts runs this on
# fresh data directories, and checks that README.md pastes each block marked
# "README begin" ... "README end" word for word.
#
# By hand, from the repository root:
#   go build -o tripline ./cmd/tripline && bash docs/federation.sh
# It runs in WORK (default: a new temporary directory); the nodes serve on
# 127.0.0.1 ports PORT_A, PORT_B and PORT_C (default 8081, 8082, 8083).
. "$(dirname "$0")/script-setup.sh"

# README begin
# One node per agency, each with its own data directory. A directory's node id
# and agency are fixed once, at first use: every later command on it is that
# node's, whatever its environment (another id for it is refused).
a() { TRIPLINE_DATA=node-a ./tripline "$@"; }
b() { TRIPLINE_DATA=node-b ./tripline "$@"; }
c() { TRIPLINE_DATA=node-c ./tripline "$@"; }
a node init --node A --agency tr-border
b node init --node B --agency de-bka
c node init --node C --agency fr-dgsi
A=127.0.0.1:${PORT_A:-8081} B=127.0.0.1:${PORT_B:-8082} C=127.0.0.1:${PORT_C:-8083}
KEY_A=$(a node info | sed -n 's/^public_key: //p')
KEY_B=$(b node info | sed -n 's/^public_key: //p')
KEY_C=$(c node info | sed -n 's/^public_key: //p')
# B pulls A's feed. A and C know each other by key only: signatures and
# reports go end to end.
a partners add B --agency de-bka --key "$KEY_B" --url "http://$B"
a partners add C --agency fr-dgsi --key "$KEY_C"
b partners add A --agency tr-border --key "$KEY_A" --url "http://$A"
b partners add C --agency fr-dgsi --key "$KEY_C"
a serve --addr "$A" 2> node-a.log &
b serve --addr "$B" 2> node-b.log &
c serve --addr "$C" 2> node-c.log &
for n in $A $B $C; do until curl -sf "http://$n/readyz" > /dev/null; do sleep 0.2; done; done
# Partners change while the nodes serve, no restart: C pulls B, and follows A
# through it (B announces the origins it relays: no --follows needed).
c partners add B --agency de-bka --key "$KEY_B" --url "http://$B"
c partners add A --agency tr-border --key "$KEY_A"
# A lists a person its partners may screen against and pass on (reshare allowed).
printf '%s\n' 'id,primary_name,birth_dates,nationalities,action,contact,reshare' \
  '2026-0107,Zebulon Quartermaine,1980-02-03,GBR,refuse_entry,Duty desk +90 312 555 0100,allowed' > a-list.csv
a import --format csv --source tr-border a-list.csv
# C screens him: a hit within a second or two, A's listing having come through B.
echo '{"ref":"c-1","name":"Zebulon Quartermaine","dob":"1980-02-03"}' > traveller.json
until c screen < traveller.json | grep '"decision":"hit"'; do sleep 0.5; done
# A withdraws him: the withdrawal takes the same route, and C's next screening is clear.
a listings withdraw tr-border:2026-0107 --reason "arrested"
until c screen < traveller.json | grep '"decision":"clear"'; do sleep 0.5; done
c listings show tr-border:2026-0107 | grep -A2 '"chain"'     # provenance: A's listing, via B
# README end

# README begin
b federation export --to C --origin A bundle.tlb    # at B: the events of A that C may see, and what B owes C
c federation import bundle.tlb                      # at C: verified; what C already has is skipped
kill %1 %2 %3 && wait                               # stop the three nodes
# README end
