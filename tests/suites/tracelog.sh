# The trace pipe: bpf_printk lines of a program run by `bpfhost prog run` in one process are
# printed by `bpfhost prog tracelog` in another, in Linux's trace_pipe form, through the
# system trace buffer of a private run directory. Also: non-consuming readers and the read
# mark (--once, --all), JSON with the program name, --trace stderr|pipe and BPFHOST_TRACE,
# and the errors of bad arguments and an unusable run directory.
. tests/shell-lib.sh
B=build/bin/bpfhost
O="$tmp/tracelog.o"
export BPFHOST_RUN_DIR="$tmp/run"
unset BPFHOST_TRACE
clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c tests/bpf/tracelog.bpf.c -o "$O"
head -c 64 /dev/zero >"$tmp/frame64.bin"
head -c 80 /dev/zero >"$tmp/frame80.bin"
LINE='^ +bpfhost-[0-9]+ +\[[0-9]{3}\] \.\.\.\.\. +[0-9]+\.[0-9]{6}: bpf_trace_printk: hello 42 len'

# A follower in its own process, started before the program runs.
$B prog tracelog >"$tmp/follow.txt" 2>"$tmp/follow.err" &
follower=$!
for _ in $(seq 50); do [ -f "$BPFHOST_RUN_DIR/trace" ] && break; sleep 0.1; done
expect "the follower creates the trace buffer in the run directory" 0 "" test -f "$BPFHOST_RUN_DIR/trace"
expect "prog run: the program calls bpf_printk" 0 "^retval: 2 " \
    $B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin" --repeat 3
cp "$tmp/out" "$tmp/run.txt"
expect "prog run prints no trace line itself" 1 "" grep -q bpf_trace_printk "$tmp/run.txt"
for _ in $(seq 50); do [ "$(grep -c 'len 64' "$tmp/follow.txt")" -ge 3 ] && break; sleep 0.1; done
kill -INT "$follower"
wait "$follower"
expect "tracelog exits 0 on SIGINT" 0 "" test $? -eq 0
expect "the follower printed the line in trace_pipe form" 0 "$LINE 64\$" cat "$tmp/follow.txt"
expect "one line per run (--repeat 3)" 0 "^3$" sh -c "grep -c 'len 64' '$tmp/follow.txt'"

# Reading does not consume, but new readers start at what nobody has read.
expect "--once after the follower: nothing unread" 0 "^0$" sh -c "$B prog tracelog --once | wc -l"
expect "--once --all: the whole buffer" 0 "^3$" sh -c "$B prog tracelog --once --all | grep -c 'len 64'"
$B prog run "$O" --program xdp_hello --data "$tmp/frame80.bin" >/dev/null 2>&1
expect "--once: the new line" 0 "$LINE 80\$" $B prog tracelog --once
expect "--once again: already read" 0 "^0$" sh -c "$B prog tracelog --once | wc -l"
expect "-j: one object per line with the program name" 0 \
    '^\{"comm":"bpfhost","pid":[0-9]+,"tid":[0-9]+,"cpu":[0-9]+,"timestamp_ns":[0-9]+,"program":"xdp_hello","text":"hello 42 len 80"\}$' \
    $B prog tracelog --once --all -j

# Two processes writing at once: every line arrives.
$B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin" --repeat 300 >/dev/null 2>&1 &
p1=$!
$B prog run "$O" --program xdp_hello --data "$tmp/frame80.bin" --repeat 300 >/dev/null 2>&1 &
p2=$!
wait $p1 $p2
$B prog tracelog --once >"$tmp/both.txt"
expect "two writer processes: 300 lines each" 0 "^300 300$" \
    sh -c "echo \$(grep -c 'len 64' '$tmp/both.txt') \$(grep -c 'len 80' '$tmp/both.txt')"
expect "no line lost" 1 "" grep -q LOST "$tmp/both.txt"

# Lines inline instead.
expect "--trace stderr: the line on stderr" 0 "$LINE 64\$" \
    $B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin" --trace stderr
expect "BPFHOST_TRACE=stderr does the same" 0 "$LINE 64\$" \
    env BPFHOST_TRACE=stderr $B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin"
expect "xdp run --trace stderr: a line per frame" 0 "$LINE [0-9]+\$" \
    $B xdp run "$O" --pcap examples/xdp/traffic.pcap --trace stderr
expect "nothing of those reached the buffer" 0 "^0$" sh -c "$B prog tracelog --once | wc -l"
expect "xdp run: to the buffer by default" 0 "XDP_PASS" \
    $B xdp run "$O" --pcap examples/xdp/traffic.pcap
expect "xdp run's lines in the buffer" 0 "$LINE [0-9]+\$" $B prog tracelog --once

# Errors.
expect "--trace with a bad name" 2 "choose stderr, pipe or auto" \
    $B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin" --trace file
expect "tracelog with a bad argument" 2 "unknown argument '--follow'" $B prog tracelog --follow
touch "$tmp/notadir"
expect "--trace pipe with an unusable run directory" 2 "cannot create run directory" \
    env BPFHOST_RUN_DIR="$tmp/notadir/run" $B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin" --trace pipe
expect "auto falls back to stderr there" 0 "$LINE 64\$" \
    env BPFHOST_RUN_DIR="$tmp/notadir/run" $B prog run "$O" --program xdp_hello --data "$tmp/frame64.bin"
expect "tracelog with an unusable run directory" 2 "cannot create run directory" \
    env BPFHOST_RUN_DIR="$tmp/notadir/run" $B prog tracelog --once
finish
