/* libbpf_set_print: where the loader's messages go. */
#include "libbpf/libbpf_impl.h"

#include <stdarg.h>
#include <stdio.h>

/* libbpf's default: warnings and information on stderr, debugging detail nowhere. */
static int print_to_stderr(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    return vfprintf(stderr, fmt, ap);
}

static libbpf_print_fn_t print_fn = print_to_stderr;

libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)
{
    libbpf_print_fn_t old = print_fn;
    print_fn = fn;
    return old;
}

void libbpf_print(enum libbpf_print_level level, const char *fmt, ...)
{
    libbpf_print_fn_t fn = print_fn;
    if (!fn)
        return;
    /* The user's function may call into the library and change errno; callers report
     * errors through errno right after printing. */
    int saved_errno = errno;
    va_list ap;
    va_start(ap, fmt);
    fn(level, fmt, ap);
    va_end(ap);
    errno = saved_errno;
}

bool libbpf_opts_valid_or_warn(const void *opts, size_t known_size, const char *type_name)
{
    if (libbpf_opts_valid(opts, known_size))
        return true;
    if (*(const size_t *)opts < sizeof(size_t))
        pr_warn("%s size (%zu) is too small\n", type_name, *(const size_t *)opts);
    else
        pr_warn("%s has non-zero extra bytes\n", type_name);
    return false;
}
