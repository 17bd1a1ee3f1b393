/* What libbpf's public headers share: the API marker and LIBBPF_OPTS, which declares an
 * options struct whose first member is its size (sz), zeroed padding included, so that a
 * library built against a newer or older struct knows which fields the caller set. The
 * include guard is libbpf's, so that a program including both never sees two copies. */
#ifndef __LIBBPF_LIBBPF_COMMON_H
#define __LIBBPF_LIBBPF_COMMON_H

#include <string.h>

#include "libbpf_version.h"

#ifndef LIBBPF_API
#define LIBBPF_API __attribute__((visibility("default")))
#endif

#define LIBBPF_DEPRECATED(msg) __attribute__((deprecated(msg)))

/* Declares struct TYPE NAME zero-filled (memset first, so padding is zero too), with .sz set
 * and the given designated initialisers applied. */
#define LIBBPF_OPTS(TYPE, NAME, ...)                                                               \
    struct TYPE NAME = ({                                                                          \
        memset(&NAME, 0, sizeof(struct TYPE));                                                     \
        (struct TYPE){                                                                             \
            .sz = sizeof(struct TYPE),                                                             \
            __VA_ARGS__                                                                            \
        };                                                                                         \
    })

#endif
