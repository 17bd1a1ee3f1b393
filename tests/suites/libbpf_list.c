/* Lists what libbpf (the system's libbpf 1.x) sees in an eBPF object, in the format of
 * elf_list.c (with --sections NAME..., the types libbpf gives section names). Built by
 * tests/suites/corpus_open.sh, never part of the library. */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
    libbpf_set_print(print_warnings);
    if (argc > 1 && !strcmp(argv[1], "--sections")) {
        for (int i = 2; i < argc; i++) {
            enum bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
            enum bpf_attach_type attach = 0;
            if (libbpf_prog_type_by_name(argv[i], &type, &attach))
                type = BPF_PROG_TYPE_UNSPEC, attach = 0;
            printf("%s %d %d\n", argv[i], type, attach);
        }
        return 0;
    }
    if (argc != 2)
        return 2;
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    long err = libbpf_get_error(obj);
    if (err) {
        printf("error %ld\n", err);
        return 1;
    }
    struct bpf_program *p;
    struct bpf_map *m;
    bpf_object__for_each_program(p, obj)
        printf("prog %s %s %d %d %zu\n", bpf_program__name(p), bpf_program__section_name(p),
               bpf_program__type(p), bpf_program__expected_attach_type(p),
               bpf_program__insn_cnt(p));
    bpf_object__for_each_map(m, obj)
        printf("map %s %d %u %u %u %u\n", bpf_map__name(m), bpf_map__type(m),
               bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m),
               bpf_map__map_flags(m));
    bpf_object__close(obj);
    return 0;
}
