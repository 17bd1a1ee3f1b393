/* Prints what the name tables and error texts of the libbpf API say, one line per input,
 * so that the libbpf_object_compat suite can compare bpfhost's answers with the system
 * libbpf's: the program and attach types of section names, and libbpf_strerror. */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level, (void)fmt, (void)ap;
    return 0;
}

int main(int argc, char **argv)
{
    libbpf_set_print(silent);
    for (int i = 1; i < argc; i++) {
        enum bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
        enum bpf_attach_type expected = 0, attach = 0;
        int by_prog = libbpf_prog_type_by_name(argv[i], &type, &expected);
        int by_attach = libbpf_attach_type_by_name(argv[i], &attach);
        printf("section %s: %d %d %d / %d %d\n", argv[i], by_prog, type, expected, by_attach,
               attach);
    }
    static const int errors[] = {1, 2, 22, 4001, 4002, 4004, 4005, 4007, 4008, 4012, 4013, 4020};
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        char text[128];
        int ret = libbpf_strerror(-errors[i], text, sizeof text);
        printf("strerror %d: %d %s\n", errors[i], ret, text);
    }
    char small[6];
    printf("strerror small: %d %s\n", libbpf_strerror(4001, small, sizeof small), small);
    return 0;
}
