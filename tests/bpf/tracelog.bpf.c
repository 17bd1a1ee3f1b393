/* bpf_printk from an XDP program, for tests/suites/tracelog.sh: the line names the frame
 * length, so the test can tell its runs apart. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xdp_hello(struct xdp_md *ctx)
{
    bpf_printk("hello %d len %u", 42, (unsigned)(ctx->data_end - ctx->data));
    return XDP_PASS;
}
