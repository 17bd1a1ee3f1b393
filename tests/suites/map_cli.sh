#!/bin/sh
# bpfhost map show|dump|lookup|update|delete|batch and prog show, in text and JSON, on the
# maps and programs of clang-built objects loaded by the same invocation.
. tests/shell-lib.sh
B=build/bin/bpfhost
F=build/bpf/map_cli.bpf.o
E=build/bpf/elf_features.bpf.o

expect "map show lists every map" 0 "^4: array  name map_cli.data  flags 0x400" $B map show $F
expect "map show gives sizes" 0 "key 4B  value 8B  max_entries 8" $B map show $F packets
expect "map show by id" 0 "^3: queue  name events" $B map show $F id 3
expect "map show -j" 0 '"type":"percpu_array","name":"per_cpu","flags":0,"bytes_key":4,"bytes_value":4,"max_entries":2' \
    $B map show $F per_cpu -j
expect "map show -j is one JSON array" 0 "" sh -c "$B map show $F -j | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 4'"
expect "map dump shows global data" 0 "^key: 00 00 00 00  value: 2a 00 00 00 00 00 00 00$" $B map dump $F map_cli.data
expect "map dump counts" 0 "^Found 1 element$" $B map dump $F map_cli.data
expect "map dump of an empty hash" 0 "^Found 0 elements$" $B map dump $F packets
expect "per-CPU values, one per slot" 0 "^value \(CPU 01\): 00 00 00 00$" $B map dump $F per_cpu
expect "map dump -j" 0 '^\[\{"key":\["0x00","0x00","0x00","0x00"\],"value":\["0x2a",' $B map dump $F map_cli.data -j
expect "per-CPU JSON" 0 '"values":\[\{"cpu":0,"value":\["0x00","0x00","0x00","0x00"\]\}' $B map dump $F per_cpu -j
expect "map lookup" 0 "^key: 00 00 00 00  value: 2a" $B map lookup $F map_cli.data key 0 0 0 0
expect "map lookup key hex" 0 "value: 2a" $B map lookup $F map_cli.data key hex 00000000
expect "map lookup -j" 0 '^\{"key":\["0x00","0x00","0x00","0x00"\],"value":' $B map lookup $F map_cli.data key hex 00 00 00 00 -j
expect "missing key" 1 "no such element" $B map lookup $F packets key 1 0 0 0
expect "empty queue" 1 "no such element" $B map lookup $F events
expect "update then lose it: each run loads afresh" 0 "" $B map update $F packets key 1 0 0 0 value hex 0100000000000000
expect "key of the wrong size" 2 "3 bytes given, the map's key size is 4" $B map lookup $F packets key 1 0 0
expect "value of the wrong size" 2 "value: 1 byte given, the map's value size is 8" $B map update $F packets key 1 0 0 0 value 1
expect "not a byte" 2 "'256' is not a byte" $B map lookup $F packets key 256 0 0 0
expect "bad hex" 2 "'0g000000' is not hex" $B map lookup $F packets key hex 0g000000
expect "odd hex" 2 "odd number of hex digits" $B map lookup $F packets key hex 000
expect "unknown map" 2 "no map named 'nope'" $B map dump $F nope
expect "unknown id" 2 "no map with id 99" $B map dump $F id 99
expect "not a walkable type" 2 "queue maps cannot be walked" $B map dump $F events
expect "unknown subcommand" 2 "unknown subcommand 'frob'" $B map frob $F
expect "missing object" 2 "" $B map show /nonexistent.o
expect "usage" 2 "usage" $B map show

cat >"$tmp/script" <<'SCRIPT'
# several commands on the same loaded maps
update packets key 1 0 0 0 value hex 0500000000000000
update packets key hex 02000000 value 7 0 0 0 0 0 0 0 noexist
dump packets
delete packets key 1 0 0 0
lookup packets key 2 0 0 0
update per_cpu key 1 0 0 0 value 9 0 0 0
lookup per_cpu key 1 0 0 0
update events value 3 0 0 0
lookup events
SCRIPT
expect "batch: updates are seen" 0 "^key: 01 00 00 00  value: 05 00 00 00 00 00 00 00$" $B map batch $F "$tmp/script"
expect "batch: found both" 0 "^Found 2 elements$" $B map batch $F "$tmp/script"
expect "batch: per-CPU update writes every slot" 0 "^value \(CPU 00\): 09 00 00 00$" $B map batch $F "$tmp/script"
expect "batch: queue push and peek" 0 "^value: 03 00 00 00$" $B map batch $F "$tmp/script"
printf 'update packets key 1 0 0 0 value hex 0500000000000000\nupdate packets key 1 0 0 0 value hex 0500000000000000 noexist\n' >"$tmp/exists"
expect "batch: NOEXIST on an existing key" 1 "map update: File exists" $B map batch $F "$tmp/exists"
printf 'delete packets key 1 0 0 0\n' >"$tmp/delete"
expect "batch: delete of a missing key" 1 "no such element" $B map batch $F "$tmp/delete"
printf 'update outer key 0 0 0 0 value name inner_b\nlookup outer key 0 0 0 0\nshow inner_b\n' >"$tmp/outer"
expect "map of maps takes a map by name, gives its id" 0 "^key: 00 00 00 00  value: 02 00 00 00$" $B map batch $E "$tmp/outer"
printf 'update jumps key 2 0 0 0 value name tail_target\ndump jumps\n' >"$tmp/jumps"
expect "prog array takes a program by name" 0 "^key: 02 00 00 00  value: " $B map batch $E "$tmp/jumps"
printf 'update jumps key 2 0 0 0 value 1 0 0 0\n' >"$tmp/jumps_bytes"
expect "prog array refuses bytes" 2 "values of prog_array maps are programs" $B map batch $E "$tmp/jumps_bytes"

expect "prog show: verified, jitted, its maps" 0 "^	xlated 136B  jited [0-9]+B  map_ids 1,4$" $B prog show $F
expect "prog show names the type" 0 "^1: xdp  name count_packets$" $B prog show $F count_packets
expect "prog show counts verified instructions" 0 "verified_insns [1-9]" $B prog show $F
expect "prog show -j" 0 '"id":1,"type":"xdp","name":"count_packets","bytes_xlated":136,"jited":true' $B prog show $F -j
expect "prog show of an object the verifier refuses loads it for inspection" 0 "name tail_target" $B prog show $E
expect "... and says so" 0 "loaded without verification" $B prog show $E
expect "prog show unknown" 2 "no program named 'nope'" $B prog show $F nope
finish
