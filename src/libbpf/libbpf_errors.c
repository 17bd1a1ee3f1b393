/* libbpf's error conventions: libbpf_strerror and libbpf_get_error. */
#include "libbpf/libbpf_impl.h"

#include <stdio.h>
#include <string.h>

static const char *const libbpf_error_texts[] = {
    [LIBBPF_ERRNO__LIBELF - __LIBBPF_ERRNO__START] = "Something wrong in libelf",
    [LIBBPF_ERRNO__FORMAT - __LIBBPF_ERRNO__START] = "BPF object format invalid",
    [LIBBPF_ERRNO__KVERSION - __LIBBPF_ERRNO__START] = "'version' section incorrect or lost",
    [LIBBPF_ERRNO__ENDIAN - __LIBBPF_ERRNO__START] = "Endian mismatch",
    [LIBBPF_ERRNO__INTERNAL - __LIBBPF_ERRNO__START] = "Internal error in libbpf",
    [LIBBPF_ERRNO__RELOC - __LIBBPF_ERRNO__START] = "Relocation failed",
    [LIBBPF_ERRNO__LOAD - __LIBBPF_ERRNO__START] = "Load program failure for unknown reason",
    [LIBBPF_ERRNO__VERIFY - __LIBBPF_ERRNO__START] = "Kernel verifier blocks program loading",
    [LIBBPF_ERRNO__PROG2BIG - __LIBBPF_ERRNO__START] = "Program too big",
    [LIBBPF_ERRNO__KVER - __LIBBPF_ERRNO__START] = "Incorrect kernel version",
    [LIBBPF_ERRNO__PROGTYPE - __LIBBPF_ERRNO__START] = "Kernel doesn't support this program type",
    [LIBBPF_ERRNO__WRNGPID - __LIBBPF_ERRNO__START] = "Wrong pid in netlink message",
    [LIBBPF_ERRNO__INVSEQ - __LIBBPF_ERRNO__START] = "Invalid netlink sequence",
    [LIBBPF_ERRNO__NLPARSE - __LIBBPF_ERRNO__START] = "Incorrect netlink message parsing",
};

/* snprintf into buf: 0, or -ERANGE when the text did not fit. */
static int put_text(char *buf, size_t size, const char *text)
{
    int n = snprintf(buf, size, "%s", text);
    return n >= 0 && (size_t)n < size ? 0 : -ERANGE;
}

int libbpf_strerror(int err, char *buf, size_t size)
{
    if (!buf || !size)
        return libbpf_err(-EINVAL);
    if (err == INT32_MIN)
        err = __LIBBPF_ERRNO__END; /* no positive counterpart: an unknown libbpf error */
    err = err > 0 ? err : -err;
    if (err < __LIBBPF_ERRNO__START) {
        char scratch[256];
        /* GNU strerror_r: the text may be returned rather than written into scratch. */
        const char *text = strerror_r(err, scratch, sizeof scratch);
        return libbpf_err(put_text(buf, size, text));
    }
    if (err < __LIBBPF_ERRNO__END)
        return libbpf_err(put_text(buf, size, libbpf_error_texts[err - __LIBBPF_ERRNO__START]));
    char text[64];
    snprintf(text, sizeof text, "Unknown libbpf error %d", err);
    int ret = put_text(buf, size, text);
    return libbpf_err(ret ? ret : -ENOENT);
}

long libbpf_get_error(const void *ptr)
{
    /* libbpf 1.x never encodes errors in pointers: NULL means errno holds the error. */
    return ptr ? 0 : -errno;
}
