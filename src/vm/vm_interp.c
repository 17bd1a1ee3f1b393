/* Instantiates the interpreter loop for each mode (see vm_interp_body.h) and holds the
 * arithmetic whose C spelling would otherwise be undefined or implementation-defined. */
#include <errno.h>
#include <string.h>

#include "vm/vm_internal.h"

static inline uint64_t vm_arsh64(uint64_t value, uint64_t shift)
{
    /* Arithmetic shift without relying on how C shifts negative numbers. */
    uint64_t sign = value >> 63;
    return (value >> shift) | ((0 - sign) << (63 - shift) << 1);
}

static inline uint32_t vm_arsh32(uint32_t value, uint64_t shift)
{
    uint32_t sign = value >> 31;
    return (value >> shift) | ((0u - sign) << (31 - shift) << 1);
}

static inline uint64_t vm_sdiv64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return 0;
    if (a == (uint64_t)INT64_MIN && b == UINT64_MAX)
        return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t vm_smod64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if (b == UINT64_MAX)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t vm_sdiv32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return 0;
    if (a == (uint32_t)INT32_MIN && b == UINT32_MAX)
        return a;
    return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t vm_smod32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return a;
    if (b == UINT32_MAX)
        return 0;
    return (uint32_t)((int32_t)a % (int32_t)b);
}

static inline uint16_t vm_bswap16(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t vm_bswap32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t vm_bswap64(uint64_t x) { return __builtin_bswap64(x); }

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint64_t vm_to_le16(uint64_t x) { return (uint16_t)x; }
static inline uint64_t vm_to_le32(uint64_t x) { return (uint32_t)x; }
static inline uint64_t vm_to_le64(uint64_t x) { return x; }
static inline uint64_t vm_to_be16(uint64_t x) { return vm_bswap16((uint16_t)x); }
static inline uint64_t vm_to_be32(uint64_t x) { return vm_bswap32((uint32_t)x); }
static inline uint64_t vm_to_be64(uint64_t x) { return vm_bswap64(x); }
static inline uint16_t vm_ntoh16(uint16_t x) { return vm_bswap16(x); }
static inline uint32_t vm_ntoh32(uint32_t x) { return vm_bswap32(x); }
#else
static inline uint64_t vm_to_le16(uint64_t x) { return vm_bswap16((uint16_t)x); }
static inline uint64_t vm_to_le32(uint64_t x) { return vm_bswap32((uint32_t)x); }
static inline uint64_t vm_to_le64(uint64_t x) { return vm_bswap64(x); }
static inline uint64_t vm_to_be16(uint64_t x) { return (uint16_t)x; }
static inline uint64_t vm_to_be32(uint64_t x) { return (uint32_t)x; }
static inline uint64_t vm_to_be64(uint64_t x) { return x; }
static inline uint16_t vm_ntoh16(uint16_t x) { return x; }
static inline uint32_t vm_ntoh32(uint32_t x) { return x; }
#endif

/* The checked mode's test of an access outside the stack: the region of the last access
 * first (a loop over a packet or a map value hits it every time), then the index. */
static inline bool vm_region_ok(struct vm_run *run, uint64_t addr, uint64_t size, bool write)
{
    if (run->region_hit < run->region_count) {
        const struct vm_region *r = &run->regions[run->region_hit];
        if (addr >= r->start && size <= r->size && addr - r->start <= r->size - size &&
            (!write || r->writable))
            return true;
    }
    return vm_run_region_allows(run, addr, size, write);
}

#define VM_INTERP_NAME vm_interp_checked
#define VM_CHECKED 1
#if defined(__GNUC__)
#define VM_USE_SWITCH 0
#else
#define VM_USE_SWITCH 1
#endif
#include "vm/vm_interp_body.h"
#undef VM_INTERP_NAME
#undef VM_CHECKED

#define VM_INTERP_NAME vm_interp_fast
#define VM_CHECKED 0
#include "vm/vm_interp_body.h"
#undef VM_INTERP_NAME
#undef VM_CHECKED

/* The same loop dispatched by a switch: the portable C11 path, compiled and tested on every
 * host, and the baseline the bench compares direct threading against. */
#undef VM_USE_SWITCH
#define VM_USE_SWITCH 1
#define VM_INTERP_NAME vm_interp_portable
#define VM_CHECKED 0
#include "vm/vm_interp_body.h"
#undef VM_INTERP_NAME
#undef VM_CHECKED
