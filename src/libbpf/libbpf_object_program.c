/* bpf_program: what a program of an object is, and the section-name table lookups. */
#include "libbpf/libbpf_impl.h"

#include <string.h>

static const struct elf_program *def_of(const struct bpf_program *prog)
{
    return &prog->obj->program_defs[prog->index];
}

const char *bpf_program__name(const struct bpf_program *prog)
{
    return prog ? def_of(prog)->name : libbpf_err_ptr(-EINVAL);
}

const char *bpf_program__section_name(const struct bpf_program *prog)
{
    return prog ? def_of(prog)->section_name : libbpf_err_ptr(-EINVAL);
}

bool bpf_program__autoload(const struct bpf_program *prog)
{
    if (!prog)
        return libbpf_err(-EINVAL), false;
    return !prog->obj->programs_disabled[prog->index];
}

int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
{
    if (!prog || prog->obj->loaded)
        return libbpf_err(-EINVAL);
    prog->obj->programs_disabled[prog->index] = !autoload;
    return 0;
}

static bool is_loaded(const struct bpf_program *prog)
{
    const struct runtime_object *runtime = prog->obj->runtime;
    return runtime && prog->index < runtime->prog_count && runtime->progs[prog->index];
}

const struct bpf_insn *bpf_program__insns(const struct bpf_program *prog)
{
    if (!prog)
        return libbpf_err_ptr(-EINVAL);
    _Static_assert(sizeof(struct bpf_insn) == sizeof(struct ebpf_insn), "one instruction layout");
    return (const struct bpf_insn *)def_of(prog)->insns;
}

size_t bpf_program__insn_cnt(const struct bpf_program *prog)
{
    if (!prog)
        return libbpf_err(-EINVAL), 0;
    return is_loaded(prog) ? def_of(prog)->insn_count : def_of(prog)->own_insn_count;
}

int bpf_program__fd(const struct bpf_program *prog)
{
    if (!prog)
        return libbpf_err(-EINVAL);
    if (prog->fd < 0)
        return libbpf_err(-ENOENT);
    return prog->fd;
}

enum bpf_prog_type bpf_program__type(const struct bpf_program *prog)
{
    if (!prog)
        return libbpf_err(-EINVAL), BPF_PROG_TYPE_UNSPEC;
    return (enum bpf_prog_type)def_of(prog)->prog_type;
}

int bpf_program__set_type(struct bpf_program *prog, enum bpf_prog_type type)
{
    if (!prog)
        return libbpf_err(-EINVAL);
    if (prog->obj->loaded)
        return libbpf_err(-EBUSY);
    prog->obj->program_defs[prog->index].prog_type = type;
    return 0;
}

enum bpf_attach_type bpf_program__expected_attach_type(const struct bpf_program *prog)
{
    if (!prog)
        return libbpf_err(-EINVAL), (enum bpf_attach_type)0;
    return (enum bpf_attach_type)def_of(prog)->expected_attach_type;
}

int bpf_program__set_expected_attach_type(struct bpf_program *prog, enum bpf_attach_type type)
{
    if (!prog)
        return libbpf_err(-EINVAL);
    if (prog->obj->loaded)
        return libbpf_err(-EBUSY);
    prog->obj->program_defs[prog->index].expected_attach_type = type;
    return 0;
}

int libbpf_prog_type_by_name(const char *name, enum bpf_prog_type *prog_type,
                             enum bpf_attach_type *expected_attach_type)
{
    if (!name || !prog_type || !expected_attach_type)
        return libbpf_err(-EINVAL);
    struct elf_section_type type;
    if (!elf_section_type_by_name(name, &type)) {
        pr_debug("failed to guess program type from ELF section '%s'\n", name);
        return libbpf_err(-ESRCH);
    }
    *prog_type = (enum bpf_prog_type)type.prog_type;
    *expected_attach_type = (enum bpf_attach_type)type.expected_attach_type;
    return 0;
}

/* libbpf's SEC_ATTACHABLE sections: those whose programs are attached (to a cgroup, a
 * socket map, an interface ...) with their expected attach type. The others of the same
 * types differ from them only by name (cgroup/skb, sk_skb) or by the frags flag. */
static bool attachable_section(const char *name, const struct elf_section_type *type)
{
    switch (type->prog_type) {
    case BPF_PROG_TYPE_XDP:
        return !(type->prog_flags & EBPF_F_XDP_HAS_FRAGS);
    case BPF_PROG_TYPE_CGROUP_SKB:
        return strcmp(name, "cgroup/skb") != 0;
    case BPF_PROG_TYPE_SK_SKB:
        return type->expected_attach_type != 0;
    case BPF_PROG_TYPE_SK_REUSEPORT:
    case BPF_PROG_TYPE_SOCK_OPS:
    case BPF_PROG_TYPE_SK_MSG:
    case BPF_PROG_TYPE_LIRC_MODE2:
    case BPF_PROG_TYPE_FLOW_DISSECTOR:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_SK_LOOKUP:
        return true;
    default:
        /* bpfhost's eBPF for Windows hooks attach by their own type. */
        return type->prog_type >= EBPF_HOST_TYPE_BASE;
    }
}

int libbpf_attach_type_by_name(const char *name, enum bpf_attach_type *attach_type)
{
    if (!name || !attach_type)
        return libbpf_err(-EINVAL);
    struct elf_section_type type;
    if (!elf_section_type_by_name(name, &type)) {
        pr_debug("failed to guess attach type based on ELF section name '%s'\n", name);
        return libbpf_err(-EINVAL);
    }
    if (!attachable_section(name, &type)) {
        pr_debug("section '%s' does not name an attachable program\n", name);
        return libbpf_err(-EINVAL);
    }
    *attach_type = (enum bpf_attach_type)type.expected_attach_type;
    return 0;
}
