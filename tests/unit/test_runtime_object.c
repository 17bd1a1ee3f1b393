/* Loading whole clang-built objects (tests/bpf, built into build/bpf by make): maps with their
 * initial contents and slots, programs that run, and what the loader refuses. */
#include "platform/epoch.h"
#include "runtime/object.h"
#include "test.h"

#include <errno.h>

static struct elf_object *open_object(const char *path)
{
    struct elf_object *elf = NULL;
    char msg[512];
    if (elf_object_open_file(path, NULL, &elf, msg, sizeof msg))
        fprintf(stderr, "  %s\n", msg);
    CHECK(elf != NULL);
    return elf;
}

TEST(initial_slots_of_prog_arrays_and_maps_of_maps_are_filled)
{
    struct elf_object *elf = open_object("build/bpf/elf_features.bpf.o");
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    char msg[512];
    struct runtime_object_options opts = {.allow_unverified = true, .only_program = "tail_target"};
    int err = runtime_object_load(elf, &opts, &obj, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    if (!obj) {
        elf_object_free(elf);
        return;
    }
    struct bpfhost_map *outer = runtime_object_map(obj, "outer");
    struct bpfhost_map *inner_b = runtime_object_map(obj, "inner_b");
    CHECK(outer && inner_b);
    uint32_t key = 2, id = 0;
    if (outer && inner_b) {
        CHECK_EQ(map_sys_lookup_elem(outer, &key, &id, 0), 0);
        CHECK_EQ(id, inner_b->id);
        key = 1;
        CHECK_EQ(map_sys_lookup_elem(outer, &key, &id, 0), -ENOENT);
    }
    struct bpfhost_map *jumps = runtime_object_map(obj, "jumps");
    struct runtime_prog *target = runtime_object_prog(obj, "tail_target");
    CHECK(jumps && target);
    if (jumps && target) {
        key = 1;
        CHECK_EQ(map_sys_lookup_elem(jumps, &key, &id, 0), 0);
        CHECK_EQ(id, target->id);
    }
    /* Global data keeps its initial value. */
    struct bpfhost_map *data = runtime_object_map(obj, "elf_feat.data");
    if (!data) {
        for (size_t i = 0; i < obj->map_count; i++)
            if (strstr(obj->maps[i]->name, ".data") && !strstr(obj->maps[i]->name, "custom"))
                data = obj->maps[i];
    }
    CHECK(data != NULL);
    if (data) {
        uint64_t value[4] = {0};
        key = 0;
        CHECK_EQ(map_sys_lookup_elem(data, &key, value, 0), 0);
        CHECK_EQ(value[0], 7); /* data_counter */
    }
    runtime_object_free(obj);
    elf_object_free(elf);
    /* Maps are freed after a grace period, and freeing a map of maps or a prog array drops
     * references that are freed one grace period later still: let each level pass. */
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST(programs_with_callback_references_load)
{
    /* xdp_main passes a callback to bpf_loop (lddw src 4); tests/unit/test_jit_callbacks.c
     * runs such programs. */
    struct elf_object *elf = open_object("build/bpf/elf_features.bpf.o");
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    char msg[512];
    struct runtime_object_options opts = {.allow_unverified = true, .only_program = "xdp_main"};
    int err = runtime_object_load(elf, &opts, &obj, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    CHECK(obj && runtime_object_prog(obj, "xdp_main"));
    runtime_object_free(obj);
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST(co_re_programs_are_refused_until_relocations_are_applied)
{
    struct elf_object *elf = open_object("build/bpf/elf_core.bpf.o");
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    char msg[512];
    struct runtime_object_options opts = {.allow_unverified = true};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "CO-RE relocations");
    CHECK(obj == NULL);
    elf_object_free(elf);
}

TEST(unverified_programs_need_an_explicit_request)
{
    struct elf_object *elf = open_object("build/bpf/elf_features.bpf.o");
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    char msg[512];
    struct runtime_object_options opts = {0};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), -EACCES);
    CHECK_CONTAINS(msg, "has not been verified");
    opts.allow_unverified = true;
    opts.only_program = "no_such_program";
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), -ENOENT);
    CHECK_CONTAINS(msg, "no program named 'no_such_program'");
    elf_object_free(elf);
}

TEST_MAIN
