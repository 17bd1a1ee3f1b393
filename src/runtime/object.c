/* Loading an ELF object's maps and programs. */
#include "base/message.h"
#include "runtime/object.h"
#include "runtime/perf_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int create_map(const struct elf_map *def, struct bpfhost_map **out, char *msg, size_t msg_size)
{
    if (def->spin_lock_count > 1) {
        msg_set(msg, msg_size, "map '%s': its value holds %u struct bpf_spin_lock members, "
                "one at most", def->name, def->spin_lock_count);
        return -EINVAL;
    }
    struct bpfhost_map *inner = NULL;
    if (def->inner) {
        int err = create_map(def->inner, &inner, msg, msg_size);
        if (err)
            return err;
    }
    struct map_create_attr attr = {
        .map_type = def->type,
        .key_size = def->key_size,
        .value_size = def->value_size,
        .max_entries = def->max_entries,
        .map_flags = def->map_flags,
        .map_extra = def->map_extra,
        .has_spin_lock = def->has_spin_lock,
        .spin_lock_offset = def->spin_lock_offset,
        .inner_map = inner,
        .object_ops = def->type == MAP_TYPE_PROG_ARRAY ? &runtime_prog_object_ops
                      : def->type == MAP_TYPE_PERF_EVENT_ARRAY ? &runtime_perf_output_object_ops : NULL,
    };
    snprintf(attr.name, sizeof attr.name, "%s", def->name);
    char why[256];
    int err = map_create(&attr, out, why, sizeof why);
    if (inner)
        map_put(inner);
    if (err) {
        msg_set(msg, msg_size, "map '%s': %s", def->name, why);
        return err;
    }
    if (def->initial_value) {
        uint32_t key = 0;
        err = map_sys_update_elem(*out, &key, def->initial_value, MAP_ANY);
        if (err) {
            msg_set(msg, msg_size, "map '%s': cannot set its initial value: %s", def->name, strerror(-err));
            map_put(*out);
            *out = NULL;
        }
    }
    return err;
}

static const struct elf_map *object_map(const struct elf_object *elf,
                                        const struct runtime_object_options *opts, size_t i)
{
    return opts->maps ? &opts->maps[i] : elf_object_map(elf, i);
}

int runtime_object_load(const struct elf_object *elf, const struct runtime_object_options *opts,
                        struct runtime_object **out, char *msg, size_t msg_size)
{
    static const struct runtime_object_options defaults;
    if (!opts)
        opts = &defaults;
    *out = NULL;
    struct runtime_object *obj = calloc(1, sizeof *obj);
    size_t map_count = elf_object_map_count(elf), prog_count = elf_object_program_count(elf);
    if (obj) {
        obj->elf = elf;
        obj->maps = calloc(map_count ? map_count : 1, sizeof *obj->maps);
        obj->progs = calloc(prog_count ? prog_count : 1, sizeof *obj->progs);
    }
    if (!obj || !obj->maps || !obj->progs) {
        runtime_object_free(obj);
        msg_set(msg, msg_size, "out of memory");
        return -ENOMEM;
    }
    int err = 0;
    for (size_t i = 0; i < map_count && !err; i++) {
        struct bpfhost_map *reused = opts->reused_maps ? opts->reused_maps[i] : NULL;
        if (reused)
            map_get(obj->maps[i] = reused);
        else
            err = create_map(object_map(elf, opts, i), &obj->maps[i], msg, msg_size);
        if (!err)
            obj->map_count++;
    }
    bool found = !opts->only_program;
    size_t skipped = 0;
    for (size_t i = 0; i < prog_count && !err; i++) {
        const struct elf_program *p = opts->programs ? &opts->programs[i] : elf_object_program(elf, i);
        obj->prog_count = i + 1;
        if (p->is_subprog || (opts->only_program && strcmp(p->name, opts->only_program)) ||
            (opts->programs_disabled && opts->programs_disabled[i]))
            continue;
        found = true;
        if (p->core_relo_count) {
            /* Field offsets would be the compiler's guesses about a kernel's structures. */
            if (!skipped)
                msg_set(msg, msg_size, "program '%s' (section %s) has %zu CO-RE relocations, "
                        "which bpfhost does not apply yet", p->name, p->section_name,
                        p->core_relo_count);
            err = -EOPNOTSUPP;
            if (opts->skip_failed_programs) {
                skipped++;
                err = 0;
                continue;
            }
            break;
        }
        struct runtime_prog_attr attr = {
            .name = p->name,
            .prog_type = p->prog_type,
            .expected_attach_type = p->expected_attach_type,
            .insns = p->insns,
            .insn_count = p->insn_count,
            .maps = obj->maps,
            .map_count = obj->map_count,
            .engine = opts->engine,
            .allow_unverified = opts->allow_unverified,
            .log = opts->log,
            .log_size = opts->log_size,
        };
        char why[512];
        err = runtime_prog_load(&attr, &obj->progs[i], why, sizeof why);
        if (err && (!opts->skip_failed_programs || !skipped))
            msg_set(msg, msg_size, "program '%s' (section %s): %s", p->name, p->section_name, why);
        if (err && opts->skip_failed_programs) {
            skipped++;
            err = 0;
        }
    }
    if (!err && !found) {
        msg_set(msg, msg_size, "no program named '%s' in the object", opts->only_program);
        err = -ENOENT;
    }
    /* Initial slots of prog arrays and maps of maps, now that their targets exist. */
    for (size_t i = 0; i < obj->map_count && !err; i++) {
        const struct elf_map *def = object_map(elf, opts, i);
        if (opts->reused_maps && opts->reused_maps[i])
            continue; /* its slots are its owner's business, as in libbpf */
        bool of_progs = def->type == MAP_TYPE_PROG_ARRAY;
        bool of_maps = def->type == MAP_TYPE_ARRAY_OF_MAPS || def->type == MAP_TYPE_HASH_OF_MAPS;
        if (!of_progs && !of_maps)
            continue;
        for (size_t s = 0; s < def->init_slot_count && !err; s++) {
            const struct elf_map_slot *slot = &def->init_slots[s];
            void *target = NULL;
            const char *target_name = "";
            if (of_progs && slot->target < prog_count && obj->progs[slot->target]) {
                target = obj->progs[slot->target];
                target_name = obj->progs[slot->target]->name;
            } else if (of_maps && slot->target < obj->map_count) {
                target = obj->maps[slot->target];
                target_name = obj->maps[slot->target]->name;
            }
            if (!target)
                continue; /* a program that was not loaded (only_program) */
            err = map_sys_update_object(obj->maps[i], &slot->slot, target, MAP_ANY);
            if (err)
                msg_set(msg, msg_size, "map '%s': cannot put '%s' in slot %u: %s", def->name,
                        target_name, slot->slot, strerror(-err));
        }
    }
    if (err) {
        runtime_object_free(obj);
        return err;
    }
    *out = obj;
    return 0;
}

void runtime_object_free(struct runtime_object *obj)
{
    if (!obj)
        return;
    /* A prog array can hold a program that references the array itself: empty the arrays
     * first, as Linux does when the last user reference to a prog array goes away. */
    for (size_t i = 0; i < obj->map_count; i++) {
        struct bpfhost_map *map = obj->maps[i];
        if (map->map_type != MAP_TYPE_PROG_ARRAY)
            continue;
        for (uint32_t slot = 0; slot < map->max_entries; slot++)
            map_sys_delete_elem(map, &slot);
    }
    for (size_t i = 0; i < obj->prog_count; i++)
        runtime_prog_put(obj->progs[i]);
    for (size_t i = 0; i < obj->map_count; i++)
        map_put(obj->maps[i]);
    free(obj->progs);
    free(obj->maps);
    free(obj);
}

struct runtime_prog *runtime_object_prog(const struct runtime_object *obj, const char *name)
{
    int index = elf_object_find_program(obj->elf, name);
    return index >= 0 && (size_t)index < obj->prog_count ? obj->progs[index] : NULL;
}

struct bpfhost_map *runtime_object_map(const struct runtime_object *obj, const char *name)
{
    int index = elf_object_find_map(obj->elf, name);
    return index >= 0 && (size_t)index < obj->map_count ? obj->maps[index] : NULL;
}
