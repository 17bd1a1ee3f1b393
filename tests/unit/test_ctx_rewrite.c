/* Context access rewriting: the verifier records the field each instruction reaches, the
 * loader turns 32-bit loads of packet pointers into 64-bit loads of the runtime's copies,
 * and verified programs then run on packets anywhere in memory, above 4 GiB included, on
 * every engine; unverified programs still read Linux's layout on the checked interpreter. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers/helpers.h"
#include "jit/jit.h"
#include "maps/map.h"
#include "platform/epoch.h"
#include "runtime/ctx_rewrite.h"
#include "runtime/ctx_skb.h"
#include "runtime/prog.h"
#include "runtime/xdp_context.h"
#include "test.h"
#include "verifier/verifier.h"
#include "verifier_asm.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define FOUR_GIB ((uintptr_t)1 << 32)

/* First packet byte | first metadata byte << 8 | low byte of ingress_ifindex << 16, each
 * part only when present; reads data, data_end and data_meta, and a scalar field narrowly. */
static const struct ebpf_insn pointers_prog[] = {
    LDX(W, 2, 1, 0),              /* 0: r2 = data */
    LDX(W, 3, 1, 4),              /* 1: r3 = data_end */
    LDX(W, 4, 1, 8),              /* 2: r4 = data_meta */
    LDX(B, 5, 1, 12),             /* 3: r5 = (u8)ingress_ifindex */
    MOV64_IMM(0, 0),              /* 4 */
    MOV64_REG(6, 2),              /* 5 */
    ALU64_IMM(ADD, 6, 1),         /* 6 */
    JMP_REG(JGT, 6, 3, 9),        /* 7: no packet byte: r0 = 0 */
    LDX(B, 0, 2, 0),              /* 8 */
    MOV64_REG(6, 4),              /* 9 */
    ALU64_IMM(ADD, 6, 1),         /* 10 */
    JMP_REG(JGT, 6, 2, 3),        /* 11: no metadata byte */
    LDX(B, 7, 4, 0),              /* 12 */
    ALU64_IMM(LSH, 7, 8),         /* 13 */
    ALU64_REG(OR, 0, 7),          /* 14 */
    ALU64_IMM(LSH, 5, 16),        /* 15 */
    ALU64_REG(OR, 0, 5),          /* 16 */
    EXIT(),                       /* 17 */
};

/* bpf_xdp_adjust_head(ctx, 1), then the new first byte (0x100 when there is none). */
static const struct ebpf_insn adjust_head_prog[] = {
    MOV64_REG(6, 1),
    MOV64_IMM(2, 1),
    CALL(HELPER_XDP_ADJUST_HEAD),
    MOV64_IMM(7, 0x100),
    JMP_IMM(JNE, 0, 0, 7),        /* the helper refused */
    LDX(W, 2, 6, 0),
    LDX(W, 3, 6, 4),
    MOV64_REG(4, 2),
    ALU64_IMM(ADD, 4, 1),
    JMP_REG(JGT, 4, 3, 2),
    LDX(B, 0, 2, 0),
    EXIT(),
    MOV64_REG(0, 7),
    EXIT(),
};

/* One instruction reads ingress_ifindex through the context or 4 bytes of the stack,
 * depending on a branch: Linux's "same insn cannot be used with different pointers". */
static const struct ebpf_insn ctx_or_stack_prog[] = {
    ST(DW, 10, -8, 0),
    LDX(W, 2, 1, 12),
    MOV64_REG(3, 1),
    JMP_IMM(JNE, 2, 0, 2),
    MOV64_REG(3, 10),
    ALU64_IMM(ADD, 3, -16),
    LDX(W, 0, 3, 12),             /* 6: ctx+12 or fp-4 */
    EXIT(),
};

/* The same but the context's two fields: ingress_ifindex or rx_queue_index. */
static const struct ebpf_insn two_fields_prog[] = {
    LDX(W, 2, 1, 12),
    MOV64_REG(3, 1),
    JMP_IMM(JNE, 2, 0, 1),
    ALU64_IMM(ADD, 3, 4),
    LDX(W, 0, 3, 12),
    EXIT(),
};

/* A __sk_buff program (tc): the first packet byte, through data and data_end; data_meta
 * is read too, and the priority with a 2-byte load. */
static const struct ebpf_insn skb_prog[] = {
    LDX(W, 2, 1, 76),             /* data */
    LDX(W, 3, 1, 80),             /* data_end */
    LDX(W, 4, 1, 140),            /* data_meta */
    LDX(H, 5, 1, 32),             /* (u16)priority */
    MOV64_IMM(0, 0),
    JMP_REG(JGT, 4, 2, 5),        /* meta after data: impossible, r0 = 0 */
    MOV64_REG(6, 2),
    ALU64_IMM(ADD, 6, 1),
    JMP_REG(JGT, 6, 3, 2),
    LDX(B, 0, 2, 0),
    ALU64_REG(ADD, 0, 5),
    EXIT(),
};

static int verify(const struct ebpf_insn *insns, size_t count, uint32_t prog_type,
                  struct verifier_ctx_access *accesses, struct verifier_result *result)
{
    struct verifier_options opts = {.prog_type = prog_type_by_linux_type(prog_type), .ctx_accesses = accesses};
    return verifier_verify(insns, count, &opts, result);
}

TEST(the_verifier_records_each_instruction_s_context_field)
{
    struct verifier_ctx_access accesses[COUNT(pointers_prog)];
    memset(accesses, 0xee, sizeof accesses);
    struct verifier_result result;
    CHECK_EQ(verify(pointers_prog, COUNT(pointers_prog), PROG_TYPE_XDP, accesses, &result), 0);
    CHECK_EQ(accesses[0].offset, 0);
    CHECK_EQ(accesses[0].size, 4);
    CHECK_EQ(accesses[0].kind, CTX_PACKET);
    CHECK_EQ(accesses[1].offset, 4);
    CHECK_EQ(accesses[1].kind, CTX_PACKET_END);
    CHECK_EQ(accesses[2].offset, 8);
    CHECK_EQ(accesses[2].kind, CTX_PACKET_META);
    CHECK_EQ(accesses[3].offset, 12);
    CHECK_EQ(accesses[3].size, 1);
    CHECK_EQ(accesses[3].kind, CTX_SCALAR);
    for (size_t pc = 4; pc < COUNT(pointers_prog); pc++)
        CHECK_EQ(accesses[pc].size, 0); /* packet loads and the rest: not the context */
}

TEST(pointer_loads_become_64_bit_loads_of_the_copies)
{
    struct verifier_ctx_access accesses[COUNT(pointers_prog)];
    struct verifier_result result;
    CHECK_EQ(verify(pointers_prog, COUNT(pointers_prog), PROG_TYPE_XDP, accesses, &result), 0);
    struct ebpf_insn insns[COUNT(pointers_prog)];
    memcpy(insns, pointers_prog, sizeof insns);
    char msg[256] = "";
    CHECK_EQ(runtime_ctx_rewrite(insns, COUNT(insns), prog_type_by_linux_type(PROG_TYPE_XDP), accesses, msg,
                                 sizeof msg), 0);
    const uint8_t ldxdw = EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW;
    CHECK_EQ(insns[0].code, ldxdw);
    CHECK_EQ(insns[0].off, offsetof(struct runtime_xdp_md, data));
    CHECK_EQ(insns[1].code, ldxdw);
    CHECK_EQ(insns[1].off, offsetof(struct runtime_xdp_md, data_end));
    CHECK_EQ(insns[2].code, ldxdw);
    CHECK_EQ(insns[2].off, offsetof(struct runtime_xdp_md, data_meta));
    CHECK_EQ(insns[0].dst, 2);
    CHECK_EQ(insns[0].src, 1);
    /* Scalars keep Linux's offsets: the narrow load is untouched, as is everything else. */
    CHECK(!memcmp(&insns[3], &pointers_prog[3], sizeof insns - 3 * sizeof insns[0]));
}

TEST(a_moved_context_pointer_keeps_its_part_of_the_offset)
{
    static const struct ebpf_insn prog[] = {
        MOV64_REG(2, 1),
        ALU64_IMM(ADD, 2, 4),
        LDX(W, 0, 2, 0),          /* data_end through ctx + 4 */
        MOV64_IMM(0, 0),
        EXIT(),
    };
    struct verifier_ctx_access accesses[COUNT(prog)];
    struct verifier_result result;
    int err = verify(prog, COUNT(prog), PROG_TYPE_XDP, accesses, &result);
    if (err) { /* a verifier that refuses a moved context pointer needs no rewriting of it */
        CHECK_EQ(err, -EACCES);
        return;
    }
    CHECK_EQ(accesses[2].offset, 4);
    struct ebpf_insn insns[COUNT(prog)];
    memcpy(insns, prog, sizeof insns);
    char msg[256] = "";
    CHECK_EQ(runtime_ctx_rewrite(insns, COUNT(insns), prog_type_by_linux_type(PROG_TYPE_XDP), accesses, msg,
                                 sizeof msg), 0);
    CHECK_EQ(insns[2].off, offsetof(struct runtime_xdp_md, data_end) - 4);
}

TEST(one_instruction_on_the_context_and_the_stack_is_rejected)
{
    struct verifier_ctx_access accesses[COUNT(ctx_or_stack_prog)];
    struct verifier_result result;
    CHECK_EQ(verify(ctx_or_stack_prog, COUNT(ctx_or_stack_prog), PROG_TYPE_XDP, accesses, &result), -EACCES);
    CHECK_EQ(result.error_pc, 6);
    CHECK_CONTAINS(result.message, "same instruction");
    /* Without a caller's array the rule holds all the same. */
    CHECK_EQ(verify(ctx_or_stack_prog, COUNT(ctx_or_stack_prog), PROG_TYPE_XDP, NULL, &result), -EACCES);
    CHECK_CONTAINS(result.message, "same instruction");
    struct runtime_prog_attr attr = {.name = "mixed", .prog_type = PROG_TYPE_XDP, .insns = ctx_or_stack_prog,
                                     .insn_count = COUNT(ctx_or_stack_prog)};
    struct runtime_prog *prog = NULL;
    char msg[512] = "";
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EACCES);
    CHECK_CONTAINS(msg, "context");
    CHECK(!prog);
}

TEST(one_instruction_on_two_context_fields_is_rejected)
{
    struct verifier_result result;
    CHECK_EQ(verify(two_fields_prog, COUNT(two_fields_prog), PROG_TYPE_XDP, NULL, &result), -EACCES);
    CHECK_EQ(result.error_pc, 4);
}

TEST(every_narrow_pointer_field_has_a_full_width_copy)
{
    for (size_t i = 0; i < prog_type_count(); i++) {
        const struct prog_type_desc *type = prog_type_at(i);
        for (size_t f = 0; f < type->field_count; f++) {
            const struct ctx_field *field = &type->fields[f];
            if (!runtime_ctx_field_is_narrow_pointer(field))
                continue;
            int copy = runtime_ctx_pointer_copy(type, field->offset);
            if (copy < 0)
                fprintf(stderr, "  %s field %s has no copy\n", type->name, field->name);
            CHECK(copy >= (int)type->ctx_size); /* after Linux's layout, overlapping nothing */
            CHECK_EQ(copy % 8, 0);
        }
    }
    CHECK_EQ(runtime_ctx_pointer_copy(prog_type_by_linux_type(PROG_TYPE_XDP), 12), -1);
}

TEST(rewriting_refuses_what_it_cannot_translate)
{
    static const struct ctx_field fields[] = {{"ptr", 0, 4, CTX_READ, CTX_PACKET}};
    const struct prog_type_desc unknown = {.name = "unknown", .linux_type = 0x7777, .ctx_name = "struct unknown",
                                           .ctx_size = 8, .fields = fields, .field_count = 1};
    struct ebpf_insn insns[] = {LDX(W, 0, 1, 0), EXIT()};
    struct verifier_ctx_access accesses[] = {{0, 4, CTX_PACKET}, {0, 0, 0}};
    char msg[256] = "";
    CHECK_EQ(runtime_ctx_rewrite(insns, COUNT(insns), &unknown, accesses, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "no full-width copy");
    CHECK_CONTAINS(msg, "ptr");
    /* A store recorded on a pointer field: nothing the verifier accepts, refused. */
    struct ebpf_insn store[] = {STX(W, 1, 2, 0), EXIT()};
    CHECK_EQ(runtime_ctx_rewrite(store, COUNT(store), prog_type_by_linux_type(PROG_TYPE_XDP), accesses, msg,
                                 sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "insn 0");
}

static struct runtime_prog *load(const struct ebpf_insn *insns, size_t count, uint32_t prog_type,
                                 enum runtime_engine engine, bool unverified)
{
    struct runtime_prog_attr attr = {.name = "rewrite", .prog_type = prog_type, .insns = insns,
                                     .insn_count = count, .engine = engine, .allow_unverified = unverified};
    struct runtime_prog *prog = NULL;
    char msg[512] = "";
    int err = runtime_prog_load(&attr, &prog, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  load: %s\n", msg);
    CHECK_EQ(err, 0);
    return prog;
}

/* r0 of prog on the frame, or ~0 when it faulted. */
static uint64_t run_frame(const struct runtime_prog *prog, struct runtime_xdp_frame *frame)
{
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 100000;
    uint64_t r0 = ~0ull;
    int err = runtime_xdp_prepare_run(prog, frame, &run);
    if (!err)
        err = runtime_prog_run(prog, &run, (uintptr_t)&frame->md, 0, &r0);
    if (err)
        fprintf(stderr, "  run (%s): %s\n", runtime_engine_name(prog->engine), run.msg);
    vm_run_release(&run);
    return err ? ~0ull : r0;
}

static void load_frame(struct runtime_xdp_frame *frame)
{
    uint8_t data[60] = {0xab, 0x5a};
    static const uint8_t meta[4] = {0xcd};
    CHECK_EQ(runtime_xdp_frame_load(frame, data, sizeof data, 0x1234, 0), 0);
    CHECK_EQ(runtime_xdp_frame_set_meta(frame, meta, sizeof meta), 0);
}

/* A page whose address needs more than 32 bits. */
static uint8_t *high_page(void)
{
    void *p = mmap((void *)((uintptr_t)1 << 40), XDP_FRAME_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return NULL;
    CHECK((uintptr_t)p >= FOUR_GIB);
    return p;
}

TEST(verified_xdp_programs_run_on_frames_above_4_gib_on_every_engine)
{
    uint8_t *page = high_page();
    if (!page)
        return;
    enum runtime_engine engines[] = {RUNTIME_ENGINE_INTERP, RUNTIME_ENGINE_JIT};
    for (size_t e = 0; e < COUNT(engines); e++) {
        if (engines[e] == RUNTIME_ENGINE_JIT && !jit_supported())
            continue;
        struct runtime_prog *pointers = load(pointers_prog, COUNT(pointers_prog), PROG_TYPE_XDP, engines[e], false);
        struct runtime_prog *adjust = load(adjust_head_prog, COUNT(adjust_head_prog), PROG_TYPE_XDP, engines[e], false);
        if (!pointers || !adjust)
            return;
        CHECK_EQ(pointers->engine, engines[e]);
        struct runtime_xdp_frame frame;
        CHECK_EQ(runtime_xdp_frame_init(&frame), 0);
        struct runtime_ctx_buffer own = frame.buffer;
        frame.buffer = (struct runtime_ctx_buffer){.bytes = page, .size = XDP_FRAME_SIZE};
        load_frame(&frame);
        CHECK(frame.md.data >= FOUR_GIB);
        CHECK_EQ(run_frame(pointers, &frame), 0xab | 0xcd << 8 | 0x34 << 16);
        CHECK(frame.buffer.bytes == page); /* a verified program leaves the frame where it is */
        CHECK_EQ(run_frame(adjust, &frame), 0x5a);
        CHECK_EQ(frame.md.data, (uintptr_t)page + XDP_FRAME_HEADROOM + 1);
        CHECK_EQ(frame.md.data_meta, frame.md.data - 4); /* the metadata moved with the data */
        frame.buffer = own;
        runtime_xdp_frame_release(&frame);
        runtime_prog_put(pointers);
        runtime_prog_put(adjust);
    }
    munmap(page, XDP_FRAME_SIZE);
    platform_epoch_barrier();
}

TEST(unverified_programs_read_linux_s_layout_on_a_frame_moved_below_4_gib)
{
    struct runtime_prog *prog = load(pointers_prog, COUNT(pointers_prog), PROG_TYPE_XDP, RUNTIME_ENGINE_DEFAULT, true);
    if (!prog)
        return;
    CHECK_EQ(prog->engine, RUNTIME_ENGINE_CHECKED);
    CHECK(!memcmp(prog->insns, pointers_prog, sizeof pointers_prog)); /* nothing to rewrite by */
    struct runtime_xdp_frame frame;
    CHECK_EQ(runtime_xdp_frame_init(&frame), 0);
    load_frame(&frame);
    CHECK_EQ(run_frame(prog, &frame), 0xab | 0xcd << 8 | 0x34 << 16);
    CHECK(runtime_ctx_buffer_is_low(&frame.buffer));
    CHECK_EQ(frame.md.data32, (uint32_t)frame.md.data);
    CHECK_EQ(frame.md.data, (uintptr_t)frame.buffer.bytes + XDP_FRAME_HEADROOM);
    CHECK_EQ(frame.md.data_meta32, (uint32_t)frame.md.data_meta);
    /* The frame stays low: the next load and run see it there. */
    load_frame(&frame);
    CHECK_EQ(run_frame(prog, &frame), 0xab | 0xcd << 8 | 0x34 << 16);
    runtime_xdp_frame_release(&frame);
    runtime_prog_put(prog);
    platform_epoch_barrier();
}

TEST(verified_tc_programs_read_packets_above_4_gib)
{
    uint8_t *page = high_page();
    if (!page)
        return;
    uint8_t packet[60] = {0x42};
    static const struct sk_buff_abi in = {.priority = 0x10007};
    enum runtime_engine engines[] = {RUNTIME_ENGINE_INTERP, RUNTIME_ENGINE_JIT};
    for (size_t e = 0; e < COUNT(engines); e++) {
        if (engines[e] == RUNTIME_ENGINE_JIT && !jit_supported())
            continue;
        struct runtime_prog *prog = load(skb_prog, COUNT(skb_prog), PROG_TYPE_SCHED_CLS, engines[e], false);
        if (!prog)
            return;
        CHECK_EQ(prog->insns[0].off, RUNTIME_SKB_COPY_OFFSET(data));
        CHECK_EQ(prog->insns[2].off, RUNTIME_SKB_COPY_OFFSET(data_meta));
        CHECK_EQ(prog->insns[3].off, 32); /* the narrow scalar load stays */
        struct runtime_skb skb;
        CHECK_EQ(runtime_skb_init(&skb), 0);
        struct runtime_ctx_buffer own = skb.buffer;
        skb.buffer = (struct runtime_ctx_buffer){.bytes = page, .size = SKB_BUFFER_SIZE};
        char msg[256] = "";
        CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, packet, sizeof packet, &in, msg, sizeof msg), 0);
        CHECK(skb.pointers.data >= FOUR_GIB);
        struct vm_run run;
        vm_run_init(&run);
        CHECK_EQ(runtime_skb_prepare_run(&skb, &run, false), 0);
        uint64_t r0 = 0;
        CHECK_EQ(runtime_prog_run(prog, &run, (uintptr_t)&skb.md, 0, &r0), 0);
        CHECK_EQ(r0, 0x42 + 7);
        vm_run_release(&run);
        skb.buffer = own;
        runtime_skb_release(&skb);
        runtime_prog_put(prog);
    }
    munmap(page, SKB_BUFFER_SIZE);
    platform_epoch_barrier();
}

/* r0 = 1 unless the tail call to slot 0 of map 0 goes through. */
static const struct ebpf_insn tail_caller[] = {
    LD_MAP(2, 0), MOV64_IMM(3, 0), CALL(HELPER_TAIL_CALL), MOV64_IMM(0, 1), EXIT(),
};

/* The first packet byte, through the context's data and data_end at the offsets of xdp or
 * __sk_buff; 0x200 when there is none. */
#define FIRST_BYTE_PROG(data, data_end)                                                            \
    {LDX(W, 2, 1, data), LDX(W, 3, 1, data_end), MOV64_IMM(0, 0x200), MOV64_REG(4, 2),             \
     ALU64_IMM(ADD, 4, 1), JMP_REG(JGT, 4, 3, 1), LDX(B, 0, 2, 0), EXIT()}

/* What the caller returns on an XDP frame whose first byte is 0x77, with target in slot 0. */
static uint64_t tail_call_result(const struct runtime_prog *target)
{
    struct map_create_attr attr = {.map_type = MAP_TYPE_PROG_ARRAY, .key_size = 4, .value_size = 4,
                                   .max_entries = 1, .object_ops = &runtime_prog_object_ops, .name = "progs"};
    struct bpfhost_map *array = NULL;
    char msg[256] = "";
    CHECK_EQ(map_create(&attr, &array, msg, sizeof msg), 0);
    if (!array)
        return ~0ull;
    struct runtime_prog_attr pattr = {.name = "caller", .prog_type = PROG_TYPE_XDP, .insns = tail_caller,
                                      .insn_count = COUNT(tail_caller), .maps = &array, .map_count = 1};
    struct runtime_prog *caller = NULL;
    CHECK_EQ(runtime_prog_load(&pattr, &caller, msg, sizeof msg), 0);
    uint32_t key = 0;
    CHECK_EQ(map_sys_update_object(array, &key, (void *)target, MAP_ANY), 0);
    uint64_t r0 = ~0ull;
    if (caller) {
        struct runtime_xdp_frame frame;
        CHECK_EQ(runtime_xdp_frame_init(&frame), 0);
        uint8_t data[60] = {0x77};
        CHECK_EQ(runtime_xdp_frame_load(&frame, data, sizeof data, 1, 0), 0);
        r0 = run_frame(caller, &frame);
        runtime_xdp_frame_release(&frame);
    }
    map_sys_delete_elem(array, &key);
    runtime_prog_put(caller);
    map_put(array);
    for (int level = 0; level < 3; level++)
        platform_epoch_barrier();
    return r0;
}

TEST(tail_calls_continue_only_in_programs_of_the_caller_s_type)
{
    static const struct ebpf_insn xdp_target[] = FIRST_BYTE_PROG(0, 4);
    static const struct ebpf_insn tc_target[] = FIRST_BYTE_PROG(76, 80);
    struct runtime_prog *xdp = load(xdp_target, COUNT(xdp_target), PROG_TYPE_XDP, RUNTIME_ENGINE_DEFAULT, false);
    struct runtime_prog *tc = load(tc_target, COUNT(tc_target), PROG_TYPE_SCHED_CLS, RUNTIME_ENGINE_DEFAULT, false);
    if (xdp && tc) {
        CHECK_EQ(tail_call_result(xdp), 0x77);
        /* The tc program's rewritten loads would read past the XDP context: refused. */
        CHECK_EQ(tail_call_result(tc), 1);
    }
    runtime_prog_put(xdp);
    runtime_prog_put(tc);
}

TEST_MAIN
