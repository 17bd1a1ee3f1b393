/* Loading programs: relocation of map references, engine selection, running. */
#include "base/message.h"
#include "runtime/prog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "helpers/helpers.h"
#include "platform/epoch.h"

static struct vm_helpers helper_table;
static once_flag helper_table_once = ONCE_FLAG_INIT;

static void fill_helper_table(void) { helpers_fill_table(&helper_table); }

const struct vm_helpers *runtime_helpers(void)
{
    call_once(&helper_table_once, fill_helper_table);
    return &helper_table;
}

static _Atomic uint32_t next_prog_id = 1;

/* Replaces lddw map-index forms with the map's address (src 5) or the address of a byte in
 * its value (src 6, array maps only: global data). */
static int relocate_maps(struct runtime_prog *prog, char *msg, size_t msg_size)
{
    for (size_t pc = 0; pc < prog->insn_count; pc++) {
        struct ebpf_insn *insn = &prog->insns[pc];
        if (!isa_is_lddw(insn) || pc + 1 >= prog->insn_count)
            continue;
        struct ebpf_insn *tail = &prog->insns[pc + 1];
        pc++;
        if (insn->src != EBPF_LDDW_MAP_IDX && insn->src != EBPF_LDDW_MAP_IDX_VALUE)
            continue;
        uint32_t index = (uint32_t)insn->imm;
        if (index >= prog->map_count) {
            msg_set(msg, msg_size, "insn %zu: reference to map %u, but the program has %zu maps",
                    pc - 1, index, prog->map_count);
            return -EINVAL;
        }
        struct bpfhost_map *map = prog->maps[index];
        uint64_t address = (uintptr_t)map;
        if (insn->src == EBPF_LDDW_MAP_IDX_VALUE) {
            size_t size;
            uint8_t *memory = map_array_memory(map, &size);
            uint32_t offset = (uint32_t)tail->imm;
            if (!memory || offset >= map->value_size) {
                msg_set(msg, msg_size, "insn %zu: reference to offset %u in the value of map '%s' "
                        "(%s, value size %u) is not a valid global data address", pc - 1, offset,
                        map->name, map_type_name(map->map_type), map->value_size);
                return -EINVAL;
            }
            address = (uintptr_t)(memory + offset);
        }
        insn->src = EBPF_LDDW_IMM64;
        insn->imm = (int32_t)(uint32_t)address;
        tail->imm = (int32_t)(uint32_t)(address >> 32);
    }
    return 0;
}

int runtime_prog_load(const struct runtime_prog_attr *attr, struct runtime_prog **out, char *msg,
                      size_t msg_size)
{
    *out = NULL;
    if (!attr->insns || !attr->insn_count) {
        msg_set(msg, msg_size, "program has no instructions");
        return -EINVAL;
    }
    if (!attr->allow_unverified) {
        /* The verifier is not wired into loading yet: refuse rather than run unproven code. */
        msg_set(msg, msg_size, "program '%s' has not been verified; load it with "
                "allow_unverified to run it on the checked interpreter", attr->name ? attr->name : "");
        return -EACCES;
    }
    if (attr->engine == RUNTIME_ENGINE_JIT) {
        msg_set(msg, msg_size, "the JIT runs verified programs only; '%s' is unverified",
                attr->name ? attr->name : "");
        return -EPERM;
    }
    struct runtime_prog *prog = calloc(1, sizeof *prog);
    if (!prog)
        goto nomem;
    snprintf(prog->name, sizeof prog->name, "%s", attr->name ? attr->name : "");
    prog->prog_type = attr->prog_type;
    prog->expected_attach_type = attr->expected_attach_type;
    prog->insn_count = attr->insn_count;
    prog->insns = malloc(attr->insn_count * sizeof *prog->insns);
    prog->maps = calloc(attr->map_count ? attr->map_count : 1, sizeof *prog->maps);
    atomic_init(&prog->refcount, 1);
    if (!prog->insns || !prog->maps) {
        runtime_prog_put(prog);
        goto nomem;
    }
    memcpy(prog->insns, attr->insns, attr->insn_count * sizeof *prog->insns);
    for (size_t i = 0; i < attr->map_count; i++) {
        prog->maps[i] = attr->maps[i];
        map_get(prog->maps[i]);
        prog->map_count++;
    }
    int err = relocate_maps(prog, msg, msg_size);
    if (!err) {
        prog->engine = RUNTIME_ENGINE_INTERP;
        prog->verified = false;
        err = vm_load(prog->insns, prog->insn_count, runtime_helpers(), &prog->vm, msg, msg_size);
    }
    if (err) {
        runtime_prog_put(prog);
        return err;
    }
    prog->id = atomic_fetch_add(&next_prog_id, 1);
    *out = prog;
    return 0;
nomem:
    msg_set(msg, msg_size, "out of memory loading a program of %zu instructions", attr->insn_count);
    return -ENOMEM;
}

void runtime_prog_get(struct runtime_prog *prog) { atomic_fetch_add(&prog->refcount, 1); }

void runtime_prog_put(struct runtime_prog *prog)
{
    if (!prog || atomic_fetch_sub(&prog->refcount, 1) != 1)
        return;
    vm_unload(prog->vm);
    jit_free(prog->jit);
    for (size_t i = 0; i < prog->map_count; i++)
        map_put(prog->maps[i]);
    free(prog->maps);
    free(prog->insns);
    free(prog);
}

int runtime_prog_run(const struct runtime_prog *prog, struct vm_run *run, uint64_t r1, uint64_t r2,
                     uint64_t *r0)
{
    int err;
    platform_epoch_enter(); /* map elements stay valid while the program runs */
    if (prog->jit) {
        err = jit_exec(prog->jit, run, r1, r2, r0);
    } else {
        enum vm_mode mode = prog->verified ? VM_MODE_FAST : VM_MODE_CHECKED;
        if (mode == VM_MODE_CHECKED) {
            for (size_t i = 0; i < prog->map_count; i++) {
                size_t size;
                void *memory = map_array_memory(prog->maps[i], &size);
                if (memory)
                    vm_run_add_region(run, memory, size,
                                      !(prog->maps[i]->map_flags & MAP_F_RDONLY_PROG));
            }
        }
        err = vm_exec(prog->vm, mode, run, r1, r2, r0);
    }
    platform_epoch_exit();
    return err;
}

static void prog_object_get(void *object) { runtime_prog_get(object); }
static void prog_object_put(void *object) { runtime_prog_put(object); }
static uint32_t prog_object_id(const void *object) { return ((const struct runtime_prog *)object)->id; }

const struct map_object_ops runtime_prog_object_ops = {prog_object_get, prog_object_put, prog_object_id};
