/* Minimal: packet offsets 14, 18 or 22 (zero to two VLAN tags) reach a point together with
 * more than 8 other distinct states (four independent flags); the header pointer is checked
 * against data_end, then recomputed from data and the offset for the access. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int join_offsets(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    __u8 *bytes = data;
    if ((void *)(bytes + 24) > data_end)
        return XDP_DROP;
    __u64 off = 14;
    if (bytes[12] == 0x81) {
        off = 18;
        if (bytes[16] == 0x81)
            off = 22;
    }
    __u32 flags = 0;
    if (bytes[0] & 1) {
        flags |= 1;
        asm volatile("" : "+r"(flags)); /* a branch, not a select */
    }
    if (bytes[1] & 1) {
        flags |= 2;
        asm volatile("" : "+r"(flags)); /* a branch, not a select */
    }
    if (bytes[2] & 1) {
        flags |= 4;
        asm volatile("" : "+r"(flags)); /* a branch, not a select */
    }
    if (bytes[3] & 1) {
        flags |= 8;
        asm volatile("" : "+r"(flags)); /* a branch, not a select */
    }
    struct iphdr *ip = data + off;
    if ((void *)(ip + 1) > data_end)
        return XDP_DROP;
    __u64 off2 = off; /* a copy clang cannot prove equal: data + off is computed again */
    asm volatile("" : "+r"(off2));
    struct iphdr *again = data + off2;
    return (again->protocol ^ flags) == 17 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
