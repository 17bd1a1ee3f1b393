/* Two XDP programs for the runtime's loading tests: one proves its packet access, the other
 * reads past data_end unchecked, which the verifier must reject. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int checked_read(struct xdp_md *ctx)
{
    unsigned char *data = (unsigned char *)(long)ctx->data;
    unsigned char *end = (unsigned char *)(long)ctx->data_end;
    if (data + 1 > end)
        return XDP_PASS;
    return data[0] == 0xaa ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int unchecked_read(struct xdp_md *ctx)
{
    unsigned char *data = (unsigned char *)(long)ctx->data;
    return data[20] == 0xaa ? XDP_DROP : XDP_PASS;
}
