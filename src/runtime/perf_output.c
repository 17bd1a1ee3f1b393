/* Event outputs on BPF ring buffers. */
#include "runtime/perf_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/message.h"

static _Atomic uint32_t next_output_id = 1;

int runtime_perf_output_create(uint32_t ring_size, struct runtime_perf_output **out, char *msg,
                               size_t msg_size)
{
    *out = NULL;
    struct map_create_attr attr = {.map_type = MAP_TYPE_RINGBUF, .max_entries = ring_size};
    snprintf(attr.name, sizeof attr.name, "perf_output");
    struct runtime_perf_output *output = calloc(1, sizeof *output);
    if (!output)
        return msg_error(-ENOMEM, msg, msg_size, "out of memory for an event output");
    int err = map_create(&attr, &output->ring, msg, msg_size);
    if (err) {
        free(output);
        return err;
    }
    atomic_init(&output->refcount, 1);
    output->id = atomic_fetch_add(&next_output_id, 1);
    *out = output;
    return 0;
}

void runtime_perf_output_get(struct runtime_perf_output *output) { atomic_fetch_add(&output->refcount, 1); }

void runtime_perf_output_put(struct runtime_perf_output *output)
{
    if (!output || atomic_fetch_sub(&output->refcount, 1) != 1)
        return;
    map_put(output->ring);
    free(output);
}

int runtime_perf_output_write(struct runtime_perf_output *output, const void *data, uint64_t size)
{
    if (map_ringbuf_output(output->ring, data, size, 0)) {
        atomic_fetch_add(&output->lost, 1);
        return -ENOSPC;
    }
    return 0;
}

long runtime_perf_output_consume(struct runtime_perf_output *output,
                                 int (*sample)(void *ctx, void *data, size_t size), void *ctx)
{
    return map_ringbuf_consume(output->ring, sample, ctx);
}

uint64_t runtime_perf_output_take_lost(struct runtime_perf_output *output)
{
    return atomic_exchange(&output->lost, 0);
}

static void output_object_get(void *object) { runtime_perf_output_get(object); }
static void output_object_put(void *object) { runtime_perf_output_put(object); }
static uint32_t output_object_id(const void *object) { return ((const struct runtime_perf_output *)object)->id; }

const struct map_object_ops runtime_perf_output_object_ops = {output_object_get, output_object_put,
                                                              output_object_id};
