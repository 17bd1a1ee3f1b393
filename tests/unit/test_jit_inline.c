/* Array map lookups the JIT inlines (jit_options.array_maps): the same results as the helper,
 * only where r1 is known to be the map, and from the runtime's descriptors on a clang-built
 * object. */
#include "jit/jit.h"
#include "platform/epoch.h"
#include "runtime/object.h"
#include "test.h"
#include "test_jit_insns.h"

#include <errno.h>

enum { W = EBPF_SIZE_W, DW = EBPF_SIZE_DW };
enum { HANDLE = 0x1234 };

/* A four-element array behind map handle HANDLE, and a lookup helper that counts its calls. */
static uint64_t values[4] = {10, 11, 12, 13};
static int lookups;

static uint64_t lookup(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                       struct vm_run *run)
{
    lookups++;
    uint32_t key;
    memcpy(&key, (const void *)(uintptr_t)r2, sizeof key);
    return r1 == HANDLE && key < 4 ? (uintptr_t)&values[key] : 0;
}

static const struct vm_helpers helpers = {.fn = {[1] = lookup}};
static const struct jit_array_map array = {HANDLE, values, 8, 4};

static uint64_t run(const struct ebpf_insn *insns, size_t count, bool inline_maps, uint64_t r1,
                    uint64_t r2)
{
    struct jit_options opts = {.allow_unverified = true, .array_maps = inline_maps ? &array : NULL,
                               .array_map_count = inline_maps};
    struct jit_program *p = NULL;
    char msg[256];
    CHECK_EQ(jit_compile(insns, count, &helpers, &opts, &p, msg, sizeof msg), 0);
    if (!p)
        return 0;
    struct vm_run vr;
    vm_run_init(&vr);
    uint64_t r0 = 0;
    CHECK_EQ(jit_exec(p, &vr, r1, r2, &r0), 0);
    jit_free(p);
    return r0;
}

TEST(inlined_lookups_match_the_helper)
{
    /* r0 = *lookup(HANDLE, &key = r1) or 99 */
    const struct ebpf_insn prog[] = {
        STX(W, 10, 1, -4), MOV64_R(2, 10), ALU64_IMM(OP_ADD, 2, -4), LDDW(1, HANDLE), CALL(1),
        JMP_IMM(OP_JEQ, 0, 0, 2), LDX(DW, 0, 0, 0), EXIT, MOV64(0, 99), EXIT,
    };
    const uint64_t keys[] = {0, 1, 3, 4, 5, 0xffffffff, 0x100000002};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        lookups = 0;
        uint64_t by_helper = run(prog, 11, false, keys[i], 0);
        CHECK_EQ(lookups, 1);
        uint64_t inlined = run(prog, 11, true, keys[i], 0);
        CHECK_EQ(lookups, 1);
        CHECK_EQ(inlined, by_helper);
        uint32_t key = (uint32_t)keys[i];
        CHECK_EQ(inlined, key < 4 ? values[key] : 99);
    }
}

TEST(lookups_are_inlined_only_where_r1_is_known)
{
    /* r1 is the map on one path and 0 on the other, which joins it before the call. */
    const struct ebpf_insn joined[] = {
        STX(W, 10, 1, -4), MOV64(1, 0), JMP_IMM(OP_JEQ, 2, 0, 2), LDDW(1, HANDLE),
        MOV64_R(2, 10), ALU64_IMM(OP_ADD, 2, -4), CALL(1), EXIT,
    };
    lookups = 0;
    CHECK_EQ(run(joined, 9, true, 1, 1), (uintptr_t)&values[1]);
    CHECK_EQ(run(joined, 9, true, 1, 0), 0);
    CHECK_EQ(lookups, 2);
    /* r1 rewritten between the lddw and the call. */
    const struct ebpf_insn rewritten[] = {
        STX(W, 10, 1, -4), LDDW(1, HANDLE), ALU64_IMM(OP_ADD, 1, 8), MOV64_R(2, 10),
        ALU64_IMM(OP_ADD, 2, -4), CALL(1), EXIT,
    };
    lookups = 0;
    CHECK_EQ(run(rewritten, 8, true, 2, 0), 0);
    CHECK_EQ(lookups, 1);
    /* A call ends what is known of r1 (calls clobber it), even an inlined lookup, which in
     * fact leaves it: the second lookup goes to the helper, with the map. */
    const struct ebpf_insn twice[] = {
        STX(W, 10, 1, -4), LDDW(1, HANDLE), MOV64_R(2, 10), ALU64_IMM(OP_ADD, 2, -4), CALL(1),
        MOV64_R(2, 10), ALU64_IMM(OP_ADD, 2, -4), CALL(1), EXIT,
    };
    lookups = 0;
    CHECK_EQ(run(twice, 10, true, 2, 0), (uintptr_t)&values[2]);
    CHECK_EQ(lookups, 1);
    /* Another map's handle is left to the helper. */
    const struct ebpf_insn other[] = {
        STX(W, 10, 1, -4), LDDW(1, HANDLE + 8), MOV64_R(2, 10), ALU64_IMM(OP_ADD, 2, -4), CALL(1),
        EXIT,
    };
    lookups = 0;
    CHECK_EQ(run(other, 7, true, 0, 0), 0);
    CHECK_EQ(lookups, 1);
}

TEST(runtime_array_maps_inline_on_a_clang_built_object)
{
    struct elf_object *elf = NULL;
    char msg[512];
    if (elf_object_open_file("build/bpf/array_lookup.bpf.o", NULL, &elf, msg, sizeof msg))
        fprintf(stderr, "  %s\n", msg);
    CHECK(elf != NULL);
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    struct runtime_object_options opts = {.allow_unverified = true};
    CHECK_EQ(runtime_object_load(elf, &opts, &obj, msg, sizeof msg), 0);
    struct runtime_prog *prog = obj ? runtime_object_prog(obj, "sum_lookups") : NULL;
    struct bpfhost_map *small = obj ? runtime_object_map(obj, "small") : NULL;
    struct bpfhost_map *odd = obj ? runtime_object_map(obj, "odd") : NULL;
    CHECK(prog && small && odd);
    struct jit_array_map *maps = NULL;
    size_t map_count = 0;
    if (prog)
        CHECK_EQ(runtime_prog_jit_array_maps(prog, &maps, &map_count), 0);
    CHECK_EQ(map_count, 2);
    for (int engine = 0; prog && small && odd && engine < 3; engine++) {
        for (uint32_t key = 0; key < 8; key++) {
            uint64_t value = key * 10;
            uint32_t odd_value[3] = {0, key * 3, 0};
            CHECK_EQ(map_sys_update_elem(small, &key, &value, 0), 0);
            if (key < 5)
                CHECK_EQ(map_sys_update_elem(odd, &key, odd_value, 0), 0);
        }
        struct jit_program *jit = NULL;
        struct jit_options jopts = {.allow_unverified = true, .array_maps = engine == 2 ? maps : NULL,
                                    .array_map_count = engine == 2 ? map_count : 0};
        if (engine)
            CHECK_EQ(jit_compile(prog->insns, prog->insn_count, runtime_helpers(), &jopts, &jit,
                                 msg, sizeof msg), 0);
        struct vm_run vr;
        vm_run_init(&vr);
        uint64_t r0 = 0;
        platform_epoch_enter();
        int err = jit ? jit_exec(jit, &vr, 0, 0, &r0) : runtime_prog_run(prog, &vr, 0, 0, &r0);
        platform_epoch_exit();
        if (err)
            fprintf(stderr, "  engine %d: %s\n", engine, vr.msg);
        CHECK_EQ(err, 0);
        CHECK_EQ(r0, 280 + 4 * 1000 + 30 + 7 * 100000);
        uint32_t key = 7;
        uint64_t value = 0;
        CHECK_EQ(map_sys_lookup_elem(small, &key, &value, 0), 0);
        CHECK_EQ(value, 71);
        vm_run_release(&vr);
        jit_free(jit);
    }
    free(maps);
    runtime_object_free(obj);
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST(the_runtime_jits_verified_programs_with_inlined_lookups)
{
    struct elf_object *elf = NULL;
    char msg[512];
    if (elf_object_open_file("build/bpf/array_lookup.bpf.o", NULL, &elf, msg, sizeof msg))
        fprintf(stderr, "  %s\n", msg);
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    struct runtime_object_options opts = {.only_program = "three_lookups"};
    int err = runtime_object_load(elf, &opts, &obj, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    struct runtime_prog *prog = obj ? runtime_object_prog(obj, "three_lookups") : NULL;
    struct bpfhost_map *small = obj ? runtime_object_map(obj, "small") : NULL;
    CHECK(prog && small);
    if (prog && small) {
        CHECK_EQ(prog->engine, jit_supported() ? RUNTIME_ENGINE_JIT : RUNTIME_ENGINE_INTERP);
        for (uint32_t key = 0; key < 8; key++) {
            uint64_t value = key * 10;
            CHECK_EQ(map_sys_update_elem(small, &key, &value, 0), 0);
        }
        struct vm_run vr;
        vm_run_init(&vr);
        uint64_t r0 = 0;
        CHECK_EQ(runtime_prog_run(prog, &vr, 0, 0, &r0), 0);
        CHECK_EQ(r0, 10 + 70 + 1000);
        vm_run_release(&vr);
        /* The runtime passed its maps: with the lookups inlined the program is a leaf, much
         * smaller than with helper calls. */
        struct jit_options plain = {.verified = true};
        struct jit_program *with_calls = NULL;
        CHECK_EQ(jit_compile(prog->insns, prog->insn_count, runtime_helpers(), &plain,
                             &with_calls, msg, sizeof msg), 0);
        if (prog->jit && with_calls)
            CHECK(jit_code_size(prog->jit) * 3 < jit_code_size(with_calls) * 2);
        jit_free(with_calls);
    }
    runtime_object_free(obj);
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST_MAIN
