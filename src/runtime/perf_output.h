/* Event outputs: what a perf event file descriptor is to a Linux PERF_EVENT_ARRAY slot. A
 * program appends records with bpf_perf_event_output; a consumer (libbpf's perf_buffer,
 * one output per CPU slot) drains them in order. Each output is a ring of records (a BPF
 * ring buffer underneath); records that do not fit are counted as lost, as Linux's
 * PERF_RECORD_LOST reports them. Outputs are reference counted: the map slots hold
 * references (runtime_perf_output_object_ops). */
#ifndef BPFHOST_RUNTIME_PERF_OUTPUT_H
#define BPFHOST_RUNTIME_PERF_OUTPUT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"

struct runtime_perf_output {
    struct bpfhost_map *ring;       /* RINGBUF map */
    _Atomic uint64_t lost;          /* records dropped because the ring was full */
    uint32_t id;
    _Atomic uint32_t refcount;
};

/* ring_size: bytes of record space, a power of two multiple of the page size (as
 * perf_buffer__new's page count). Returns 0, -EINVAL naming the problem, or -ENOMEM. */
int runtime_perf_output_create(uint32_t ring_size, struct runtime_perf_output **out, char *msg,
                               size_t msg_size);
void runtime_perf_output_get(struct runtime_perf_output *output);
void runtime_perf_output_put(struct runtime_perf_output *output);

/* Appends one record. Returns 0, or -ENOSPC (counted as lost) when it does not fit. */
int runtime_perf_output_write(struct runtime_perf_output *output, const void *data, uint64_t size);

/* Calls sample(ctx, data, size) for each record in order and removes it; stops when sample
 * returns non-zero (and returns that). Otherwise returns the number of records. */
long runtime_perf_output_consume(struct runtime_perf_output *output,
                                 int (*sample)(void *ctx, void *data, size_t size), void *ctx);

/* Lost records since the last call (and resets the count). */
uint64_t runtime_perf_output_take_lost(struct runtime_perf_output *output);

/* How PERF_EVENT_ARRAY maps hold outputs. */
extern const struct map_object_ops runtime_perf_output_object_ops;

#endif
