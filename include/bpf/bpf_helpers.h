/* bpfhost: what an eBPF program written for Linux includes as <bpf/bpf_helpers.h>.
 * Compatible with libbpf's header of the same name for the macros a program uses: SEC, map
 * definition macros, inline attributes, bpf_printk. Helper prototypes are in
 * bpf_helper_defs.h and list only the helpers bpfhost provides. */
#ifndef __BPF_HELPERS__
#define __BPF_HELPERS__

#include "bpf_helper_defs.h"

/* BTF-defined maps: struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __u32); ... } */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

#define SEC(name) __attribute__((section(name), used))

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif

#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef KERNEL_VERSION
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#endif
#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#ifndef barrier
#define barrier() __asm__ volatile("" ::: "memory")
#endif
#ifndef barrier_var
#define barrier_var(var) __asm__ volatile("" : "+r"(var))
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* Pinning of BTF-defined maps (__uint(pinning, LIBBPF_PIN_BY_NAME)). */
enum libbpf_pin_type {
    LIBBPF_PIN_NONE,
    LIBBPF_PIN_BY_NAME,
};

enum libbpf_tristate {
    TRI_NO = 0,
    TRI_YES = 1,
    TRI_MODULE = 2,
};

#define __kconfig __attribute__((section(".kconfig")))

/* bpf_printk("fmt", args...): up to three arguments, through bpf_trace_printk. */
#define bpf_printk(fmt, ...)                                                                       \
    ({                                                                                             \
        static const char ____fmt[] = fmt;                                                         \
        bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__);                                 \
    })

#endif
