/* Helpers that need no runtime object: time, random numbers, the current task, printing,
 * checksums and strings. Signatures and results follow Linux's helper documentation. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "helpers/helpers.h"
#include "platform/cpu_slot.h"
#include "platform/host.h"
#include "runtime/prog.h"
#include "runtime/trace_pipe.h"

#define HELPER(name) static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                                          struct vm_run *run)

HELPER(helper_ktime_get_ns) { return platform_monotonic_ns(); }
HELPER(helper_ktime_get_boot_ns) { return platform_boot_ns(); }
HELPER(helper_ktime_get_coarse_ns) { return platform_coarse_ns(); }
HELPER(helper_jiffies64) { return platform_jiffies(); }
HELPER(helper_get_prandom_u32) { return platform_random_u32(); }
HELPER(helper_get_current_pid_tgid) { return platform_current_pid_tgid(); }
HELPER(helper_get_current_uid_gid) { return platform_current_uid_gid(); }

HELPER(helper_get_current_comm)
{
    void *buf = (void *)(uintptr_t)r1;
    uint32_t size = (uint32_t)r2;
    if (!buf || !size)
        return (uint64_t)-EINVAL;
    int err = platform_current_comm(buf, size);
    if (err)
        memset(buf, 0, size);
    return (uint64_t)(int64_t)err;
}

/* --- printing ------------------------------------------------------------------------------ */

static _Atomic(helpers_trace_sink) trace_sink;
static _Atomic(void *) trace_sink_arg;

void helpers_set_trace_sink(helpers_trace_sink sink, void *arg)
{
    atomic_store(&trace_sink_arg, arg);
    atomic_store(&trace_sink, sink);
}

enum { FORMAT_MAX_ARGS = 12, STRING_ARG_MAX = 256 };

int helpers_format(const char *fmt, size_t fmt_size, const uint64_t *args, unsigned nargs, char *out,
                   size_t out_size)
{
    if (!fmt || !fmt_size || !memchr(fmt, '\0', fmt_size))
        return -EINVAL;
    size_t len = 0;
    unsigned used = 0;
#define EMIT(...)                                                                                  \
    do {                                                                                           \
        int n_ = snprintf(out_size > len ? out + len : NULL, out_size > len ? out_size - len : 0,  \
                          __VA_ARGS__);                                                            \
        if (n_ < 0)                                                                                \
            return -EINVAL;                                                                        \
        len += (size_t)n_;                                                                         \
    } while (0)
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            EMIT("%c", *p);
            continue;
        }
        p++;
        if (*p == '%') {
            EMIT("%%");
            continue;
        }
        int longs = 0;
        while (*p == 'l' && longs < 2) {
            longs++;
            p++;
        }
        if (!*p || !strchr("diuxXcsp", *p))
            return -EINVAL;
        if (used >= nargs || used >= FORMAT_MAX_ARGS)
            return -EINVAL;
        uint64_t v = args[used++];
        switch (*p) {
        case 'd':
        case 'i':
            EMIT("%lld", longs ? (long long)v : (long long)(int32_t)v);
            break;
        case 'u':
            EMIT("%llu", longs ? (unsigned long long)v : (unsigned long long)(uint32_t)v);
            break;
        case 'x':
            EMIT("%llx", longs ? (unsigned long long)v : (unsigned long long)(uint32_t)v);
            break;
        case 'X':
            EMIT("%llX", longs ? (unsigned long long)v : (unsigned long long)(uint32_t)v);
            break;
        case 'c':
            EMIT("%c", (char)v);
            break;
        case 'p':
            EMIT("0x%llx", (unsigned long long)v);
            break;
        case 's': {
            char s[STRING_ARG_MAX];
            size_t n = 0;
            /* Byte by byte: the string may end right before unmapped memory. */
            while (n + 1 < sizeof s && platform_copy_nofault(&s[n], (const char *)(uintptr_t)v + n, 1) == 0 &&
                   s[n])
                n++;
            s[n] = '\0';
            EMIT("%s", n || !v ? s : "(fault)");
            break;
        }
        }
    }
#undef EMIT
    if (out_size)
        out[len < out_size ? len : out_size - 1] = '\0';
    return len > (size_t)INT32_MAX ? -EINVAL : (int)len;
}

HELPER(helper_trace_printk)
{
    uint64_t args[3] = {r3, r4, r5};
    struct trace_ring_event event;
    int n = helpers_format((const char *)(uintptr_t)r1, (uint32_t)r2, args, 3, event.text, sizeof event.text);
    if (n < 0)
        return (uint64_t)-EINVAL;
    event.text_len = (uint32_t)((size_t)n < sizeof event.text ? (size_t)n : sizeof event.text - 1);
    event.timestamp_ns = platform_monotonic_ns();
    uint64_t pid_tgid = platform_current_pid_tgid();
    event.pid = (int32_t)(pid_tgid >> 32);
    event.tid = (int32_t)(uint32_t)pid_tgid;
    event.cpu = platform_cpu_slot();
    if (platform_current_comm(event.comm, sizeof event.comm))
        event.comm[0] = '\0';
    const char *program = runtime_prog_running_name();
    snprintf(event.program, sizeof event.program, "%s", program ? program : "");
    helpers_trace_sink sink = atomic_load(&trace_sink);
    if (!sink) {
        runtime_trace_emit(&event);
        return (uint64_t)n;
    }
    char line[TRACE_RING_TEXT_MAX + 128];
    int len = runtime_trace_format(&event, line, sizeof line);
    sink(line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1, atomic_load(&trace_sink_arg));
    return (uint64_t)n;
}

HELPER(helper_snprintf)
{
    char *str = (char *)(uintptr_t)r1;
    uint32_t str_size = (uint32_t)r2, data_len = (uint32_t)r5;
    const uint64_t *data = (const uint64_t *)(uintptr_t)r4;
    if (data_len % 8 || data_len / 8 > FORMAT_MAX_ARGS || (data_len && !data) || (str_size && !str))
        return (uint64_t)-EINVAL;
    const char *fmt = (const char *)(uintptr_t)r3;
    if (!fmt)
        return (uint64_t)-EINVAL;
    int n = helpers_format(fmt, strnlen(fmt, 1024) + 1, data, data_len / 8, str, str_size);
    return n < 0 ? (uint64_t)(int64_t)n : (uint64_t)n + 1; /* the length with the NUL */
}

HELPER(helper_strncmp)
{
    const char *s1 = (const char *)(uintptr_t)r1, *s2 = (const char *)(uintptr_t)r3;
    int c = strncmp(s1, s2, (uint32_t)r2);
    return (uint64_t)(int64_t)(c < 0 ? -1 : c > 0);
}

/* csum_diff: the one's-complement sum of ~from and to, seeded, folded to 16 bits (not
 * complemented): what Linux returns on every architecture since 6.12 (before, x86-64 gave
 * the unfolded 32-bit sum); the kernel oracle (tests/suites/kernel_oracle.sh) checks it. */
HELPER(helper_csum_diff)
{
    const uint32_t *from = (const uint32_t *)(uintptr_t)r1, *to = (const uint32_t *)(uintptr_t)r3;
    uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4;
    if (from_size % 4 || to_size % 4 || (from_size && !from) || (to_size && !to))
        return (uint64_t)-EINVAL;
    uint64_t sum = (uint32_t)r5;
    for (uint32_t i = 0; i < from_size / 4; i++) {
        uint32_t w;
        memcpy(&w, &from[i], 4);
        sum += (uint32_t)~w;
    }
    for (uint32_t i = 0; i < to_size / 4; i++) {
        uint32_t w;
        memcpy(&w, &to[i], 4);
        sum += w;
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

void helpers_register_basic(struct vm_helpers *table)
{
    table->fn[HELPER_KTIME_GET_NS] = helper_ktime_get_ns;
    table->fn[HELPER_KTIME_GET_BOOT_NS] = helper_ktime_get_boot_ns;
    table->fn[HELPER_KTIME_GET_COARSE_NS] = helper_ktime_get_coarse_ns;
    table->fn[HELPER_JIFFIES64] = helper_jiffies64;
    table->fn[HELPER_GET_PRANDOM_U32] = helper_get_prandom_u32;
    table->fn[HELPER_GET_CURRENT_PID_TGID] = helper_get_current_pid_tgid;
    table->fn[HELPER_GET_CURRENT_UID_GID] = helper_get_current_uid_gid;
    table->fn[HELPER_GET_CURRENT_COMM] = helper_get_current_comm;
    table->fn[HELPER_TRACE_PRINTK] = helper_trace_printk;
    table->fn[HELPER_SNPRINTF] = helper_snprintf;
    table->fn[HELPER_STRNCMP] = helper_strncmp;
    table->fn[HELPER_CSUM_DIFF] = helper_csum_diff;
}
