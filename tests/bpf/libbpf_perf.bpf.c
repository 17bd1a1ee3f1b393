/* Events for perf_buffer__* (tests/unit/test_libbpf_perf_buffer.c): a perf event array
 * without max_entries (the loader sizes it to the possible CPUs, as libbpf does) and a
 * program that writes records to it as the test's packet asks. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* What the test sends as packet data. */
struct request {
    __u32 count;   /* records to write, at most 16 */
    __u32 slot;    /* map index, or BPF_F_CURRENT_CPU */
    __u32 tag;     /* copied into each record */
};

struct event {
    __u32 seq;
    __u32 cpu;     /* bpf_get_smp_processor_id() of the writer */
    __u32 tag;
    __u32 pad;
};

long last_result;  /* bpf_perf_event_output's last return value */
__u32 written;     /* records written successfully, over all runs */

SEC("xdp")
int emit(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct request *req = data;
    if ((void *)(req + 1) > data_end)
        return XDP_DROP;
    __u32 count = req->count;
    __u64 slot = req->slot;
    struct event e = {.cpu = bpf_get_smp_processor_id(), .tag = req->tag};
    /* Unrolled: bpfhost's verifier does not yet prove this loop's termination. */
#pragma clang loop unroll(full)
    for (__u32 i = 0; i < 16; i++) {
        if (i < count) {
            e.seq = i;
            last_result = bpf_perf_event_output(ctx, &events, slot, &e, sizeof e);
            if (last_result == 0)
                __sync_fetch_and_add(&written, 1);
        }
    }
    return XDP_PASS;
}
