/* bpf_obj_get_info_by_fd: Linux's info structs filled from runtime objects. As Linux does,
 * the caller's struct is read first (it carries buffer pointers and their sizes), known fields
 * are overwritten, and at most *info_len bytes go back. Fields without meaning here (BTF,
 * netns, line info, kallsyms, run statistics) come back zero, and their array counts too, so
 * that callers see nothing was written. */
#include <bpf/bpf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libbpf/bpf_support.h"
#include "platform/host.h"
#include "runtime/handles.h"

/* Linux refuses bytes it does not know unless they are zero. */
static int check_tail_zero(const void *info, size_t known, uint32_t length)
{
    for (size_t i = known; i < length; i++)
        if (((const uint8_t *)info)[i])
            return -E2BIG;
    return 0;
}

/* A translated instruction as Linux dumps it: map addresses become map ids (src
 * BPF_PSEUDO_MAP_FD, or BPF_PSEUDO_MAP_VALUE with the offset in the second half), so that
 * no host address leaves the runtime. */
static void dump_insns(const struct runtime_prog *prog, struct bpf_insn *out, size_t count)
{
    memcpy(out, prog->insns, count * sizeof *out);
    for (size_t pc = 0; pc + 1 < count; pc++) {
        if (!isa_is_lddw(&prog->insns[pc]) || prog->insns[pc].src != 0) {
            continue;
        }
        uint64_t value = (uint32_t)out[pc].imm | (uint64_t)(uint32_t)out[pc + 1].imm << 32;
        for (size_t i = 0; i < prog->map_count; i++) {
            struct bpfhost_map *map = prog->maps[i];
            size_t size = 0;
            uintptr_t memory = (uintptr_t)map_array_memory(map, &size);
            if (value == (uintptr_t)map) {
                out[pc].src_reg = BPF_PSEUDO_MAP_FD;
                out[pc].imm = (int32_t)map->id;
                out[pc + 1].imm = 0;
                break;
            }
            if (memory && value >= memory && value < memory + size) {
                out[pc].src_reg = BPF_PSEUDO_MAP_VALUE;
                out[pc].imm = (int32_t)map->id;
                out[pc + 1].imm = (int32_t)(value - memory);
                break;
            }
        }
        pc++;
    }
}

/* Whether the program's code refers to the map (its address or its array memory), as
 * Linux lists only the maps a program uses, not every map of its object. */
static bool prog_uses_map(const struct runtime_prog *prog, const struct bpfhost_map *map)
{
    size_t size = 0;
    uintptr_t memory = (uintptr_t)map_array_memory((struct bpfhost_map *)map, &size);
    for (size_t pc = 0; pc + 1 < prog->insn_count; pc++) {
        if (!isa_is_lddw(&prog->insns[pc]))
            continue;
        uint64_t value = (uint32_t)prog->insns[pc].imm | (uint64_t)(uint32_t)prog->insns[pc + 1].imm << 32;
        if (value == (uintptr_t)map || (memory && value >= memory && value < memory + size))
            return true;
        pc++;
    }
    return false;
}

static int fill_prog_info(struct runtime_prog *prog, struct bpf_prog_info *info)
{
    struct bpf_prog_info given = *info;
    info->type = prog->prog_type;
    info->id = prog->id;
    memset(info->tag, 0, sizeof info->tag);
    /* Linux keeps BPF_OBJ_NAME_LEN - 1 characters of a name. */
    memset(info->name, 0, sizeof info->name);
    memcpy(info->name, prog->name, strnlen(prog->name, sizeof info->name - 1));
    info->created_by_uid = (uint32_t)platform_current_uid_gid();
    info->load_time = 0;
    info->ifindex = 0;
    info->gpl_compatible = 0;
    info->netns_dev = info->netns_ino = 0;
    info->nr_jited_ksyms = info->nr_jited_func_lens = 0;
    info->btf_id = info->func_info_rec_size = 0;
    info->nr_func_info = info->nr_line_info = info->nr_jited_line_info = 0;
    info->line_info_rec_size = info->jited_line_info_rec_size = 0;
    info->nr_prog_tags = 0;
    info->run_time_ns = info->run_cnt = info->recursion_misses = 0;
    info->verified_insns = (uint32_t)prog->verifier_stats.steps;
    info->attach_btf_obj_id = info->attach_btf_id = 0;

    size_t xlated_size = prog->insn_count * sizeof(struct bpf_insn);
    info->xlated_prog_len = (uint32_t)xlated_size;
    if (given.xlated_prog_len) {
        if (!given.xlated_prog_insns)
            return -EFAULT;
        size_t room = given.xlated_prog_len < xlated_size ? given.xlated_prog_len : xlated_size;
        struct bpf_insn *dump = malloc(xlated_size);
        if (!dump)
            return -ENOMEM;
        dump_insns(prog, dump, prog->insn_count);
        memcpy((void *)(uintptr_t)given.xlated_prog_insns, dump, room);
        free(dump);
    }
    size_t jited_size = prog->jit ? jit_code_size(prog->jit) : 0;
    info->jited_prog_len = (uint32_t)jited_size;
    if (given.jited_prog_len && jited_size) {
        if (!given.jited_prog_insns)
            return -EFAULT;
        size_t room = given.jited_prog_len < jited_size ? given.jited_prog_len : jited_size;
        memcpy((void *)(uintptr_t)given.jited_prog_insns, (const void *)jit_entry(prog->jit), room);
    }
    uint32_t used = 0;
    for (size_t i = 0; i < prog->map_count; i++) {
        if (!prog_uses_map(prog, prog->maps[i]))
            continue;
        if (used < given.nr_map_ids) {
            if (!given.map_ids)
                return -EFAULT;
            ((uint32_t *)(uintptr_t)given.map_ids)[used] = prog->maps[i]->id;
        }
        used++;
    }
    info->nr_map_ids = used;
    return 0;
}

static void fill_map_info(const struct bpfhost_map *map, struct bpf_map_info *info)
{
    memset(info, 0, sizeof *info);
    info->type = map->map_type;
    info->id = map->id;
    info->key_size = map->key_size;
    info->value_size = map->value_size;
    info->max_entries = map->max_entries;
    info->map_flags = map->map_flags;
    snprintf(info->name, sizeof info->name, "%s", map->name);
    info->map_extra = map->map_extra;
}

static void fill_link_info(struct runtime_link *link, struct bpf_link_info *info)
{
    memset(info, 0, sizeof *info);
    info->type = link->link_type;
    info->id = link->id;
    struct runtime_prog *prog = runtime_link_prog(link);
    info->prog_id = prog->id;
    runtime_prog_put(prog);
    if (link->link_type == BPF_LINK_TYPE_XDP)
        info->xdp.ifindex = atomic_load(&link->ifindex);
}

int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
{
    if (!info_len || (!info && *info_len))
        return libbpf_err(-EFAULT);
    struct handle_object object;
    int err = handles_object_from_fd(bpf_fd, &object);
    if (err)
        return libbpf_err(err);
    union {
        struct bpf_prog_info prog;
        struct bpf_map_info map;
        struct bpf_link_info link;
    } filled;
    size_t known = object.kind == HANDLE_PROG  ? sizeof filled.prog
                   : object.kind == HANDLE_MAP ? sizeof filled.map
                                               : sizeof filled.link;
    err = check_tail_zero(info, known, *info_len);
    uint32_t length = *info_len < known ? *info_len : (uint32_t)known;
    if (!err) {
        memset(&filled, 0, sizeof filled);
        memcpy(&filled, info, length);
        switch (object.kind) {
        case HANDLE_PROG: err = fill_prog_info(object.prog, &filled.prog); break;
        case HANDLE_MAP: fill_map_info(object.map, &filled.map); break;
        case HANDLE_LINK: fill_link_info(object.link, &filled.link); break;
        }
    }
    handle_object_put(&object);
    if (err)
        return libbpf_err(err);
    memcpy(info, &filled, length);
    *info_len = length;
    return 0;
}
