# The map bench (included by bench/Makefile): per-operation cost of map helpers from inside a
# program on each bpfhost engine, from C, and on the Linux kernel, in one run.
LIBBPFHOST := ../build/lib/libbpfhost.a

maps: $(B)/bpf_maps.o $(B)/maps_extra.o $(B)/maps_bench $(B)/maps_kbench
$(B)/maps_extra.o: maps_extra.c maps_prefill.h | $(B)
	$(CLANG) $(BPFFLAGS) -I. -c $< -o $@
$(B)/maps_bench: maps_bench.c maps_prefill.h $(LIBBPFHOST) | $(B)
	$(CC) -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -I../src -I$(SRC) -I. -o $@ $< \
	    $(LIBBPFHOST) -lelf -lz -lurcu-memb -lpthread -lm
$(B)/maps_kbench: maps_kbench.c maps_prefill.h | $(B)
	$(CC) -O2 -Wall -Wextra -I$(SRC) -I. -o $@ $< -lbpf
run-maps: maps
	@sh maps_run.sh
.PHONY: maps run-maps
