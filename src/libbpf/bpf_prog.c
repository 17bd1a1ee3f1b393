/* bpf_prog_load: Linux's map references (fds in lddw) become the runtime's map indexes, then
 * runtime_prog_load verifies and prepares the program, and the table gives it an fd. */
#include <bpf/bpf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"
#include "libbpf/bpf_support.h"
#include "runtime/handles.h"

_Static_assert(sizeof(struct bpf_insn) == sizeof(struct ebpf_insn), "one instruction layout");
_Static_assert(BPF_PSEUDO_MAP_IDX == EBPF_LDDW_MAP_IDX &&
                   BPF_PSEUDO_MAP_IDX_VALUE == EBPF_LDDW_MAP_IDX_VALUE,
               "map index forms are Linux's");

enum { PROG_INSNS_MAX = 1000000, LOG_LEVEL_ALL = 7 /* BPF_LOG_LEVEL1 | LEVEL2 | STATS */ };

struct used_maps {
    struct bpfhost_map **maps; /* one reference each */
    size_t count;
};

static void used_maps_free(struct used_maps *used)
{
    for (size_t i = 0; i < used->count; i++)
        map_put(used->maps[i]);
    free(used->maps);
}

/* The index of the map behind fd among the program's maps, added if new. */
static int used_map_index(struct used_maps *used, int fd, uint32_t *index, char *msg,
                          size_t msg_size)
{
    struct bpfhost_map *map;
    int err = handles_map_from_fd(fd, &map);
    if (err)
        return err; /* the caller names the instruction */
    for (size_t i = 0; i < used->count; i++) {
        if (used->maps[i] == map) {
            map_put(map);
            *index = (uint32_t)i;
            return 0;
        }
    }
    struct bpfhost_map **bigger = realloc(used->maps, (used->count + 1) * sizeof *bigger);
    if (!bigger) {
        map_put(map);
        return msg_error(-ENOMEM, msg, msg_size, "out of memory");
    }
    used->maps = bigger;
    used->maps[used->count] = map;
    *index = (uint32_t)used->count++;
    return 0;
}

/* Rewrites lddw map references by fd (src 1, 2) or by fd_array index (src 5, 6) into the
 * runtime's index forms (src 5, 6 over used->maps). */
static int resolve_maps(struct ebpf_insn *insns, size_t count, const int *fd_array,
                        struct used_maps *used, char *msg, size_t msg_size)
{
    for (size_t pc = 0; pc + 1 < count; pc++) {
        struct ebpf_insn *insn = &insns[pc];
        if (!isa_is_lddw(insn))
            continue;
        pc++; /* the second half is never an instruction of its own */
        int fd;
        uint8_t form;
        switch (insn->src) {
        case BPF_PSEUDO_MAP_FD:
        case BPF_PSEUDO_MAP_VALUE:
            fd = insn->imm;
            form = insn->src == BPF_PSEUDO_MAP_FD ? EBPF_LDDW_MAP_IDX : EBPF_LDDW_MAP_IDX_VALUE;
            break;
        case BPF_PSEUDO_MAP_IDX:
        case BPF_PSEUDO_MAP_IDX_VALUE:
            if (!fd_array)
                return msg_error(-EINVAL, msg, msg_size, "insn %zu: map index %d without "
                                 "fd_array", pc - 1, insn->imm);
            fd = fd_array[(uint32_t)insn->imm];
            form = insn->src;
            break;
        default:
            continue;
        }
        uint32_t index = 0;
        int err = used_map_index(used, fd, &index, msg, msg_size);
        if (err)
            return msg_error(err, msg, msg_size, "insn %zu: fd %d is not pointing to a valid map",
                             pc - 1, fd);
        insn->src = form;
        insn->imm = (int32_t)index;
        if (form == EBPF_LDDW_MAP_IDX && insns[pc].imm)
            return msg_error(-EINVAL, msg, msg_size, "insn %zu: map reference with a non-zero "
                             "upper half", pc - 1);
    }
    return 0;
}

/* What Linux refuses before looking at the program. */
static int check_load_opts(const struct bpf_prog_load_opts *opts)
{
    if (!libbpf_opts_valid(opts, sizeof *opts))
        return -EINVAL;
    if (LIBBPF_OPTS_GET(opts, prog_flags, 0) || LIBBPF_OPTS_GET(opts, prog_ifindex, 0))
        return -EINVAL;
    /* BTF objects, BTF-based attachment and program extension do not exist here. */
    if (LIBBPF_OPTS_GET(opts, prog_btf_fd, 0) || LIBBPF_OPTS_GET(opts, attach_btf_id, 0) ||
        LIBBPF_OPTS_GET(opts, attach_prog_fd, 0) || LIBBPF_OPTS_GET(opts, attach_btf_obj_fd, 0))
        return -EOPNOTSUPP;
    char *log_buf = LIBBPF_OPTS_GET(opts, log_buf, NULL);
    __u32 log_size = LIBBPF_OPTS_GET(opts, log_size, 0);
    __u32 log_level = LIBBPF_OPTS_GET(opts, log_level, 0);
    if (!log_buf != !log_size || (log_level && !log_buf) || log_level > LOG_LEVEL_ALL)
        return -EINVAL;
    return 0;
}

int bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name, const char *license,
                  const struct bpf_insn *insns, size_t insn_cnt,
                  const struct bpf_prog_load_opts *opts)
{
    int err = check_load_opts(opts);
    if (err)
        return libbpf_err(err);
    if (!insns || !insn_cnt)
        return libbpf_err(-EINVAL);
    if (insn_cnt > PROG_INSNS_MAX)
        return libbpf_err(-E2BIG);
    char *log_buf = LIBBPF_OPTS_GET(opts, log_buf, NULL);
    __u32 log_size = LIBBPF_OPTS_GET(opts, log_size, 0);
    __u32 log_level = LIBBPF_OPTS_GET(opts, log_level, 0);
    bool log_wanted = log_level != 0, log_detailed = (log_level & ~1u) != 0;
    if (log_wanted)
        log_buf[0] = '\0';
    struct ebpf_insn *copy = malloc(insn_cnt * sizeof *copy);
    if (!copy)
        return libbpf_err(-ENOMEM);
    memcpy(copy, insns, insn_cnt * sizeof *copy);
    char msg[1024] = "";
    struct used_maps used = {0};
    err = resolve_maps(copy, insn_cnt, LIBBPF_OPTS_GET(opts, fd_array, NULL), &used, msg,
                       sizeof msg);
    struct runtime_prog *prog = NULL;
    if (!err) {
        char name[BPF_OBJ_NAME_LEN]; /* libbpf truncates long names */
        snprintf(name, sizeof name, "%s", prog_name ? prog_name : "");
        struct runtime_prog_attr attr = {
            .name = name,
            .prog_type = prog_type,
            .expected_attach_type = LIBBPF_OPTS_GET(opts, expected_attach_type, 0),
            .insns = copy,
            .insn_count = insn_cnt,
            .maps = used.maps,
            .map_count = used.count,
            .engine = RUNTIME_ENGINE_DEFAULT,
            /* Above level 1 Linux logs every state: here, the invariants at each block. */
            .log = log_detailed ? log_buf : NULL,
            .log_size = log_detailed ? log_size : 0,
        };
        err = runtime_prog_load(&attr, &prog, msg, sizeof msg);
    }
    free(copy);
    used_maps_free(&used);
    if (err) {
        if (log_wanted) {
            size_t used_size = strnlen(log_buf, log_size);
            snprintf(log_buf + used_size, log_size - used_size, "%s\n", msg);
        }
        return libbpf_err(err);
    }
    int fd = handles_prog_fd(prog);
    runtime_prog_put(prog);
    return libbpf_err(fd);
}
