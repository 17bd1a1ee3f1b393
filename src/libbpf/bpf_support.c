/* Options-struct validation shared by every libbpf-compatible entry point. */
#include "libbpf/bpf_support.h"

#include <stdint.h>

bool libbpf_opts_valid(const void *opts, size_t known_size)
{
    if (!opts)
        return true;
    size_t size = *(const size_t *)opts;
    if (size < sizeof(size_t))
        return false;
    for (size_t i = known_size; i < size; i++)
        if (((const uint8_t *)opts)[i])
            return false;
    return true;
}
