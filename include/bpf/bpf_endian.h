/* bpfhost: byte-order helpers for eBPF programs (<bpf/bpf_endian.h>), usable in constant
 * expressions (bpf_htons(ETH_P_IP) in a case label) and at run time. */
#ifndef __BPF_ENDIAN__
#define __BPF_ENDIAN__

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ___bpf_swab16(x) ((__u16)__builtin_bswap16(x))
#define ___bpf_swab32(x) ((__u32)__builtin_bswap32(x))
#define ___bpf_swab64(x) ((__u64)__builtin_bswap64(x))
#define bpf_htons(x) ___bpf_swab16(x)
#define bpf_ntohs(x) ___bpf_swab16(x)
#define bpf_htonl(x) ___bpf_swab32(x)
#define bpf_ntohl(x) ___bpf_swab32(x)
#define bpf_cpu_to_be64(x) ___bpf_swab64(x)
#define bpf_be64_to_cpu(x) ___bpf_swab64(x)
#else
#define bpf_htons(x) ((__u16)(x))
#define bpf_ntohs(x) ((__u16)(x))
#define bpf_htonl(x) ((__u32)(x))
#define bpf_ntohl(x) ((__u32)(x))
#define bpf_cpu_to_be64(x) ((__u64)(x))
#define bpf_be64_to_cpu(x) ((__u64)(x))
#endif

/* The constant forms libbpf also offers. */
#define bpf_htons_const(x) bpf_htons(x)
#define bpf_ntohs_const(x) bpf_ntohs(x)
#define bpf_htonl_const(x) bpf_htonl(x)
#define bpf_ntohl_const(x) bpf_ntohl(x)

#endif
