/* What the host OS tells about time, randomness and the calling thread. The platform layer
 * is the only place that knows the host OS; everything here is thread-safe. */
#ifndef BPFHOST_PLATFORM_HOST_H
#define BPFHOST_PLATFORM_HOST_H

#include <stddef.h>
#include <stdint.h>

uint64_t platform_monotonic_ns(void);        /* bpf_ktime_get_ns */
uint64_t platform_boot_ns(void);             /* bpf_ktime_get_boot_ns: includes suspend */
uint64_t platform_coarse_ns(void);           /* bpf_ktime_get_coarse_ns */
uint64_t platform_jiffies(void);             /* bpf_jiffies64, at PLATFORM_HZ */
enum { PLATFORM_HZ = 1000 };

uint32_t platform_random_u32(void);          /* fast per-thread PRNG, seeded from the OS */

uint64_t platform_current_pid_tgid(void);    /* tgid << 32 | tid, as Linux */
uint64_t platform_current_uid_gid(void);     /* gid << 32 | uid */
/* The calling thread's name, NUL-terminated in at most size bytes. Returns 0 or -errno. */
int platform_current_comm(char *buf, size_t size);

/* Copies len bytes from src without ever faulting: an unmapped source gives -EFAULT. For
 * helpers that follow pointers a program passed (bpf_snprintf's %s), as the kernel's
 * copy_from_kernel_nofault does. */
int platform_copy_nofault(void *dst, const void *src, size_t len);

#endif
