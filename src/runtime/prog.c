/* Loading programs: relocation of map references, engine selection, running. */
#include "base/message.h"
#include "runtime/prog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "elf/elf_object.h"
#include "helpers/helpers.h"
#include "platform/epoch.h"
#include "runtime/ctx_rewrite.h"

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

static struct verifier_map verifier_map_of(const struct bpfhost_map *map)
{
    return (struct verifier_map){
        .type = map->map_type,
        .key_size = map->key_size,
        .value_size = map->value_size,
        .max_entries = map->max_entries,
        .read_only = (map->map_flags & MAP_F_RDONLY_PROG) != 0,
        .has_spin_lock = map->has_spin_lock,
        .spin_lock_offset = map->spin_lock_offset,
    };
}

/* The program's maps as the verifier sees them, by index; the templates of maps of maps
 * follow them. Returns the count, or 0 with *out NULL when out of memory. */
static size_t verifier_maps_of(const struct runtime_prog *prog, struct verifier_map **out)
{
    *out = calloc(prog->map_count * 2 + 1, sizeof **out);
    if (!*out)
        return 0;
    size_t count = prog->map_count;
    for (size_t i = 0; i < prog->map_count; i++) {
        (*out)[i] = verifier_map_of(prog->maps[i]);
        if (prog->maps[i]->inner_template) {
            (*out)[count] = verifier_map_of(prog->maps[i]->inner_template);
            (*out)[i].inner_map = (uint32_t)count++;
        }
    }
    return count;
}

static const struct prog_type_desc *prog_type_desc_of(uint32_t prog_type, uint32_t attach_type)
{
    /* The host's XDP test type has the XDP context; the attach type narrows some types' rules. */
    return prog_type_for_attach(prog_type == EBPF_PROG_TYPE_HOST_XDP_TEST ? EBPF_PROG_TYPE_XDP : prog_type,
                                attach_type);
}

/* Runs the verifier on the program as given (maps by index, before relocation), then
 * rewrites prog's copy of the instructions to the runtime's context layout. */
static int verify(const struct runtime_prog_attr *attr, struct runtime_prog *prog, char *msg,
                  size_t msg_size)
{
    const struct prog_type_desc *type = prog_type_desc_of(attr->prog_type, attr->expected_attach_type);
    if (!type)
        return msg_error(-EOPNOTSUPP, msg, msg_size, "the verifier has no description of program "
                         "type %u with attach type %u; only unverified loading (checked interpreter) "
                         "can run it", attr->prog_type, attr->expected_attach_type);
    struct verifier_map *maps;
    size_t map_count = verifier_maps_of(prog, &maps);
    struct verifier_ctx_access *ctx_accesses = calloc(attr->insn_count, sizeof *ctx_accesses);
    if (!maps || !ctx_accesses) {
        free(maps);
        free(ctx_accesses);
        return msg_error(-ENOMEM, msg, msg_size, "out of memory describing %zu maps to the verifier",
                         prog->map_count);
    }
    struct verifier_options opts = {
        .prog_type = type,
        .maps = maps,
        .map_count = map_count,
        .log = attr->log,
        .log_size = attr->log ? attr->log_size : 0,
        .ctx_accesses = ctx_accesses,
    };
    struct verifier_result *result = malloc(sizeof *result);
    int err = -ENOMEM;
    if (result) {
        err = verifier_verify(attr->insns, attr->insn_count, &opts, result);
        if (err)
            msg_set(msg, msg_size, "rejected by the verifier: %s", result->message);
        else
            err = runtime_ctx_rewrite(prog->insns, prog->insn_count, type, ctx_accesses, msg, msg_size);
        prog->verifier_stats = result->stats;
    } else {
        msg_set(msg, msg_size, "out of memory for the verifier's result");
    }
    free(result);
    free(maps);
    free(ctx_accesses);
    return err;
}

/* What the tail_call helper just handed to vm_run_tail_call on this thread, so that the
 * JIT's resolver, which runs right after on the same thread, finds the jitted code. */
static _Thread_local struct {
    const struct vm_program *vm;
    const struct jit_program *jit;
} tail_call_pending;

static const struct jit_program *resolve_tail_call(const struct vm_program *target, struct vm_run *run)
{
    (void)run;
    const struct jit_program *jit = tail_call_pending.vm == target ? tail_call_pending.jit : NULL;
    tail_call_pending.vm = NULL;
    tail_call_pending.jit = NULL;
    return jit;
}

/* The program running on this thread (runtime_prog_run, then each tail call's target). */
static _Thread_local const struct runtime_prog *running;

/* A tail call keeps r1, so its target must read the same context: Linux's prog arrays hold
 * programs of one type. Rewritten context loads (ctx_rewrite.h) read the runtime's layout of
 * the caller's context, so a target of another type would read past it. */
static bool same_context(const struct runtime_prog *caller, const struct runtime_prog *target)
{
    uint32_t a = caller->prog_type == EBPF_PROG_TYPE_HOST_XDP_TEST ? EBPF_PROG_TYPE_XDP : caller->prog_type;
    uint32_t b = target->prog_type == EBPF_PROG_TYPE_HOST_XDP_TEST ? EBPF_PROG_TYPE_XDP : target->prog_type;
    return a == b;
}

/* A checked run may touch the global data of the program it continues in. */
static void allow_global_data(const struct runtime_prog *prog, struct vm_run *run)
{
    for (size_t i = 0; i < prog->map_count; i++) {
        size_t size;
        void *memory = map_array_memory(prog->maps[i], &size);
        if (memory)
            vm_run_add_region(run, memory, size, !(prog->maps[i]->map_flags & MAP_F_RDONLY_PROG));
    }
}

const char *runtime_prog_running_name(void) { return running ? running->name : NULL; }

int runtime_prog_tail_call(struct vm_run *run, const struct runtime_prog *target)
{
    if (!target->vm || (!run->checked && !target->verified) || (running && !same_context(running, target)))
        return -ENOENT;
    if (vm_run_tail_call(run, target->vm))
        return -ENOENT;
    running = target;
    if (run->checked)
        allow_global_data(target, run);
    tail_call_pending.vm = target->vm;
    tail_call_pending.jit = target->jit;
    return 0;
}

/* Compiles or prepares the engine a verified program asked for. */
static int choose_engine(struct runtime_prog *prog, enum runtime_engine wanted, char *msg,
                         size_t msg_size)
{
    prog->engine = RUNTIME_ENGINE_INTERP;
    if (wanted == RUNTIME_ENGINE_INTERP || (wanted == RUNTIME_ENGINE_DEFAULT && !jit_supported()))
        return 0;
    struct jit_array_map *array_maps; /* none when out of memory: then nothing is inlined */
    size_t array_map_count;
    (void)runtime_prog_jit_array_maps(prog, &array_maps, &array_map_count);
    struct jit_options opts = {.verified = true, .resolve_tail_call = resolve_tail_call,
                               .array_maps = array_maps, .array_map_count = array_map_count};
    char why[256];
    int err = jit_compile(prog->insns, prog->insn_count, runtime_helpers(), &opts, &prog->jit, why,
                          sizeof why);
    free(array_maps);
    if (!err) {
        prog->engine = RUNTIME_ENGINE_JIT;
        return 0;
    }
    if (wanted == RUNTIME_ENGINE_DEFAULT)
        return 0; /* what the JIT does not take, the interpreter runs */
    return msg_error(err, msg, msg_size, "the JIT cannot run it: %s", why);
}

int runtime_prog_load(const struct runtime_prog_attr *attr, struct runtime_prog **out, char *msg,
                      size_t msg_size)
{
    *out = NULL;
    if (!attr->insns || !attr->insn_count)
        return msg_error(-EINVAL, msg, msg_size, "program has no instructions");
    if (attr->allow_unverified && attr->engine != RUNTIME_ENGINE_DEFAULT &&
        attr->engine != RUNTIME_ENGINE_CHECKED)
        return msg_error(-EPERM, msg, msg_size, "unverified programs run on the checked interpreter "
                         "only; the %s needs a verified program", runtime_engine_name(attr->engine));
    if (attr->engine > RUNTIME_ENGINE_CHECKED ||
        (attr->engine == RUNTIME_ENGINE_CHECKED && !attr->allow_unverified))
        return msg_error(-EINVAL, msg, msg_size, "engine %d is not one to ask for", (int)attr->engine);
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
    int err = attr->allow_unverified ? 0 : verify(attr, prog, msg, msg_size);
    if (!err)
        err = relocate_maps(prog, msg, msg_size);
    /* Every program keeps its interpreter form: tail calls name their target by it. */
    if (!err)
        err = vm_load(prog->insns, prog->insn_count, runtime_helpers(), &prog->vm, msg, msg_size);
    if (!err && attr->allow_unverified)
        prog->engine = RUNTIME_ENGINE_CHECKED;
    else if (!err)
        err = choose_engine(prog, attr->engine, msg, msg_size);
    if (err) {
        runtime_prog_put(prog);
        return err;
    }
    prog->verified = !attr->allow_unverified;
    prog->id = atomic_fetch_add(&next_prog_id, 1);
    *out = prog;
    return 0;
nomem:
    msg_set(msg, msg_size, "out of memory loading a program of %zu instructions", attr->insn_count);
    return -ENOMEM;
}

const char *runtime_engine_name(enum runtime_engine engine)
{
    switch (engine) {
    case RUNTIME_ENGINE_INTERP:
        return "interpreter";
    case RUNTIME_ENGINE_JIT:
        return "jit";
    case RUNTIME_ENGINE_CHECKED:
        return "checked interpreter";
    default:
        return "default engine";
    }
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
    const struct runtime_prog *outer = running; /* a helper may run another program */
    running = prog;
    platform_epoch_enter(); /* map elements stay valid while the program runs */
    if (prog->jit) {
        err = jit_exec(prog->jit, run, r1, r2, r0);
    } else {
        enum vm_mode mode = prog->engine == RUNTIME_ENGINE_CHECKED ? VM_MODE_CHECKED : VM_MODE_FAST;
        if (mode == VM_MODE_CHECKED)
            allow_global_data(prog, run);
        err = vm_exec(prog->vm, mode, run, r1, r2, r0);
    }
    platform_epoch_exit();
    running = outer;
    return err;
}

static void prog_object_get(void *object) { runtime_prog_get(object); }
static void prog_object_put(void *object) { runtime_prog_put(object); }
static uint32_t prog_object_id(const void *object) { return ((const struct runtime_prog *)object)->id; }

const struct map_object_ops runtime_prog_object_ops = {prog_object_get, prog_object_put, prog_object_id};
