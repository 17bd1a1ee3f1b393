/* Little-endian reads from unaligned untrusted bytes: eBPF objects, BTF and BTF.ext are
 * read through these on any host, whatever its byte order or alignment rules. */
#ifndef BPFHOST_ELF_BYTES_H
#define BPFHOST_ELF_BYTES_H

#include <stdint.h>

static inline uint16_t read_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t read_u64(const uint8_t *p)
{
    return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

#endif
