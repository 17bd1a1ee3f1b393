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
    struct runtime_object_options opts = {.only_program = "tail_target"};
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
    struct runtime_object_options opts = {0};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "CO-RE relocations");
    CHECK(obj == NULL);
    elf_object_free(elf);
}

TEST(programs_are_verified_and_run_on_the_engine_asked_for)
{
    struct elf_object *elf = open_object("build/bpf/elf_features.bpf.o");
    if (!elf)
        return;
    struct {
        struct runtime_object_options opts;
        bool verified;
        enum runtime_engine engine;
    } cases[] = {
        {{.only_program = "socket_prog"}, true, jit_supported() ? RUNTIME_ENGINE_JIT : RUNTIME_ENGINE_INTERP},
        {{.only_program = "socket_prog", .engine = RUNTIME_ENGINE_INTERP}, true, RUNTIME_ENGINE_INTERP},
        {{.only_program = "socket_prog", .allow_unverified = true}, false, RUNTIME_ENGINE_CHECKED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct runtime_object *obj = NULL;
        char msg[512];
        int err = runtime_object_load(elf, &cases[i].opts, &obj, msg, sizeof msg);
        if (err)
            fprintf(stderr, "  %s\n", msg);
        CHECK_EQ(err, 0);
        struct runtime_prog *prog = obj ? runtime_object_prog(obj, "socket_prog") : NULL;
        CHECK(prog != NULL);
        if (prog) {
            CHECK_EQ(prog->verified, cases[i].verified);
            CHECK_EQ(prog->engine, cases[i].engine);
            CHECK_EQ(prog->verifier_stats.steps > 0, cases[i].verified);
        }
        runtime_object_free(obj);
    }
    struct runtime_object *obj = NULL;
    char msg[512];
    struct runtime_object_options opts = {.only_program = "no_such_program"};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), -ENOENT);
    CHECK_CONTAINS(msg, "no program named 'no_such_program'");
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

/* A program the verifier rejects fails the whole object, and the message names it. */
TEST(objects_with_an_unsafe_program_fail_to_load)
{
    struct elf_object *elf = open_object("build/bpf/runtime_unsafe.bpf.o");
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    char msg[512], log[4096] = "";
    struct runtime_object_options opts = {.log = log, .log_size = sizeof log};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), -EACCES);
    CHECK(obj == NULL);
    CHECK_CONTAINS(msg, "program 'unchecked_read' (section xdp): rejected by the verifier: insn");
    CHECK_CONTAINS(msg, "packet");
    CHECK(strlen(log) > 0);
    /* Loading only the safe one works; unverified, the unsafe one loads too. */
    opts.only_program = "checked_read";
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), 0);
    runtime_object_free(obj);
    opts = (struct runtime_object_options){.allow_unverified = true};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), 0);
    runtime_object_free(obj);
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST_MAIN
