/* What the libbpf-compatible functions share: libbpf 1.x's error convention and its
 * options-struct rules (api layer, internal). */
#ifndef BPFHOST_LIBBPF_BPF_SUPPORT_H
#define BPFHOST_LIBBPF_BPF_SUPPORT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* libbpf 1.x returns -errno and also sets errno. */
static inline int libbpf_err(int err)
{
    if (err < 0)
        errno = -err;
    return err;
}

/* An options struct is valid when absent, or when sz covers at least sz itself and every
 * byte past the fields this library knows (known_size) is zero: a caller built against a
 * newer struct may only leave the newer fields unset. */
bool libbpf_opts_valid(const void *opts, size_t known_size);

/* The field when the caller's struct (by its sz) has it, else fallback. */
#define LIBBPF_OPTS_HAS(opts, field)                                                              \
    ((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define LIBBPF_OPTS_GET(opts, field, fallback)                                                    \
    (LIBBPF_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

#endif
