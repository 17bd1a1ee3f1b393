#include "test.h"
#include "verifier/state.h"
#include "verifier/value.h"

TEST(kinds_and_names)
{
    struct value ctx = value_pointer(VALUE_CTX), map = value_pointer(VALUE_MAP_VALUE), other = map;
    map.map = 1;
    other.map = 2;
    CHECK(value_is_pointer(&ctx));
    CHECK(!value_is_pointer(&(struct value){.type = VALUE_SCALAR}));
    CHECK(!value_same_kind(&map, &other));
    CHECK(value_same_kind(&map, &map));
    CHECK_STR(value_type_name(VALUE_PACKET_END), "packet_end");
    CHECK_STR(value_type_name((enum value_type)200), "invalid");
    CHECK_EQ(value_type_not_null(VALUE_MAP_VALUE_OR_NULL), VALUE_MAP_VALUE);
    CHECK_EQ(value_type_not_null(VALUE_MAP_PTR_OR_NULL), VALUE_MAP_PTR);
}

TEST(join_of_different_types_is_mixed)
{
    struct value ctx = value_pointer(VALUE_CTX), n = value_const(1), u = value_uninit();
    CHECK_EQ(value_join(&ctx, &n, NULL, 0, false).type, VALUE_MIXED);
    CHECK_EQ(value_join(&ctx, &u, NULL, 0, false).type, VALUE_UNINIT);
    struct value j = value_join(&n, &n, NULL, 0, false);
    CHECK(j.type == VALUE_SCALAR && j.var.umin == 1);
}

TEST(join_folds_fixed_offsets)
{
    struct value a = value_pointer(VALUE_PACKET), b = a;
    a.off = 4;
    a.range = 14;
    b.off = 8;
    b.range = 14;
    struct value j = value_join(&a, &b, NULL, 0, false);
    CHECK_EQ(j.off, 0);
    CHECK_EQ(j.var.umin, 4);
    CHECK_EQ(j.var.umax, 8);
    CHECK_EQ(j.range, 6); /* 14 - 8: what both paths proved beyond the new variable part */
    CHECK_EQ(value_min_offset(&j), 4);
    CHECK_EQ(value_max_offset(&j), 8);
}

TEST(order)
{
    struct value a = value_const(3), b = value_scalar(scalar_urange(0, 10));
    CHECK(value_leq(&a, &b));
    CHECK(!value_leq(&b, &a));
    struct value u = value_uninit(), ctx = value_pointer(VALUE_CTX);
    CHECK(value_leq(&ctx, &u));
    CHECK(!value_leq(&u, &ctx));
    struct value p = value_pointer(VALUE_PACKET), q = p;
    p.range = 20;
    q.range = 10;
    CHECK(value_leq(&p, &q));  /* more proven bytes is more precise */
    CHECK(!value_leq(&q, &p));
}

TEST(format)
{
    char buf[200];
    struct value p = value_pointer(VALUE_PACKET);
    p.off = 14;
    p.var = scalar_urange(0, 20);
    p.range = 34;
    CHECK_STR(value_format(&p, buf, sizeof buf), "packet off=14 var=[0, 20] range=34");
    struct value m = value_pointer(VALUE_MAP_VALUE_OR_NULL);
    m.map = 2;
    CHECK_STR(value_format(&m, buf, sizeof buf), "map_value_or_null(map 2) off=0");
    CHECK_STR(value_format(&(struct value){.type = VALUE_SCALAR, .var = scalar_const(5)}, buf, sizeof buf), "scalar 5");
}

/* --- states --- */

static struct state *new_state(void)
{
    struct state *s = calloc(1, state_size(1));
    s->depth = 1;
    s->next_id = 1;
    frame_init(&s->frames[0], 0, UINT32_MAX);
    return s;
}

TEST(state_partitions_by_register_types)
{
    struct state *a = new_state(), *b = new_state();
    a->frames[0].regs[1] = value_pointer(VALUE_CTX);
    b->frames[0].regs[1] = value_const(0);
    CHECK(!state_same_partition(a, b));
    b->frames[0].regs[1] = value_pointer(VALUE_CTX);
    CHECK(state_same_partition(a, b));
    a->frames[0].regs[2] = value_pointer(VALUE_PACKET);
    b->frames[0].regs[2] = value_pointer(VALUE_PACKET);
    b->frames[0].regs[2].range = 14;
    CHECK(!state_same_facts(a, b));
    free(a);
    free(b);
}

TEST(state_join_matches_ids)
{
    struct state *a = new_state(), *b = new_state();
    /* r0 and r6 are the same lookup result on both paths, under different ids */
    struct value x = value_pointer(VALUE_MAP_VALUE_OR_NULL), y = x;
    x.id = 3;
    y.id = 9;
    a->frames[0].regs[0] = a->frames[0].regs[6] = x;
    b->frames[0].regs[0] = b->frames[0].regs[6] = y;
    state_canonicalize_ids(a);
    state_canonicalize_ids(b);
    CHECK(state_leq(a, b));
    state_join(a, b, NULL, 0, false);
    CHECK(a->frames[0].regs[0].id != 0);
    CHECK_EQ(a->frames[0].regs[0].id, a->frames[0].regs[6].id);
    /* on another path they are different lookups: the join must not claim they are one */
    struct state *c = new_state();
    struct value z = y;
    z.id = 4;
    c->frames[0].regs[0] = y;
    c->frames[0].regs[6] = z;
    CHECK(!state_leq(c, b));
    CHECK(state_leq(b, c) == false || state_leq(b, c)); /* b knows more than c: b <= c */
    CHECK(state_leq(b, c));
    state_join(b, c, NULL, 0, false);
    CHECK(b->frames[0].regs[0].id != b->frames[0].regs[6].id);
    free(a);
    free(b);
    free(c);
}

TEST(state_order_sees_through_folded_packet_offsets)
{
    struct state *a = new_state(), *b = new_state(), *j = new_state();
    struct value p = value_pointer(VALUE_PACKET), q = p;
    p.off = 4;
    p.range = 14;
    q.off = 8;
    q.range = 14;
    a->frames[0].regs[2] = a->frames[0].regs[3] = p;
    b->frames[0].regs[2] = b->frames[0].regs[3] = q;
    memcpy(j, a, state_size(1));
    state_join(j, b, NULL, 0, false);
    CHECK(state_leq(a, j));
    CHECK(state_leq(b, j));
    CHECK_EQ(j->frames[0].regs[2].id, j->frames[0].regs[3].id);
    /* r2 and r3 differ here, while the join says they are the same pointer */
    struct state *c = new_state();
    c->frames[0].regs[2] = p;
    c->frames[0].regs[3] = q;
    CHECK(!state_leq(c, j));
    free(a);
    free(b);
    free(c);
    free(j);
}

TEST(packed_states_come_back_equal)
{
    struct state *a = new_state(), *b = calloc(1, state_size(1));
    struct value ctx = value_pointer(VALUE_CTX), seven = value_const(7);
    a->frames[0].regs[1] = ctx;
    a->frames[0].regs[6] = value_scalar(scalar_urange(3, 9));
    stack_write(&a->frames[0].stack, -8, 8, &ctx);
    stack_write(&a->frames[0].stack, -64, 8, &seven);
    stack_write(&a->frames[0].stack, -100, 2, NULL);
    a->frames[0].mark_count = 1;
    a->frames[0].marks[0].head = 5;
    a->reference_count = 1;
    a->references[0] = (struct reference){3, 17};
    size_t size = state_packed_size(a);
    CHECK(size < state_size(1) / 8); /* live registers, 2 bits per stack byte, 2 spills */
    void *packed = malloc(size);
    state_pack(a, packed);
    memset(b, 0xa5, state_size(1));
    state_unpack(packed, b);
    CHECK(state_leq(a, b));
    CHECK(state_leq(b, a));
    CHECK_EQ(b->frames[0].marks[0].head, 5);
    CHECK_EQ(b->references[0].pc, 17);
    CHECK_EQ(stack_read(&b->frames[0].stack, -8, 8, false).type, VALUE_CTX);
    CHECK_EQ(stack_read(&b->frames[0].stack, -64, 8, false).var.umin, 7);
    CHECK(!stack_slot_is_spill(&b->frames[0].stack, 10)); /* its stale value is never read */
    CHECK_EQ(b->frames[0].regs[4].type, VALUE_UNINIT);     /* not stored, reset on unpack */
    CHECK_EQ(stack_first_uninit(&b->frames[0].stack, -100, 2), INT64_MIN);
    CHECK_EQ(stack_first_uninit(&b->frames[0].stack, -102, 2), -102);
    free(packed);
    free(a);
    free(b);
}

/* Every combination of four stack bytes survives the 2-bit packing, at both ends of the stack. */
TEST(packed_stack_bytes_come_back_equal)
{
    struct state *a = new_state(), *b = new_state();
    void *packed = malloc(state_packed_size(a));
    for (unsigned combo = 0; combo < 81; combo++) {
        for (unsigned i = 0, c = combo; i < 4; i++, c /= 3) {
            a->frames[0].stack.bytes[i] = (uint8_t)(c % 3 == 2 ? STACK_DATA : c % 3);
            a->frames[0].stack.bytes[EBPF_STACK_SIZE - 4 + i] = (uint8_t)(c % 3);
        }
        a->frames[0].stack.bytes[EBPF_STACK_SIZE - 8] = STACK_DATA;
        state_pack(a, packed);
        state_unpack(packed, b);
        CHECK(memcmp(a->frames[0].stack.bytes, b->frames[0].stack.bytes, EBPF_STACK_SIZE) == 0);
    }
    free(packed);
    free(a);
    free(b);
}

/* state_leq_packed must agree with state_leq on the unpacked state, both ways. */
TEST(packed_order_agrees_with_unpacked_order)
{
    struct state *a = new_state(), *b = new_state(), *scratch = new_state();
    struct value one = value_const(1), ctx = value_pointer(VALUE_CTX);
    a->frames[0].regs[3] = value_const(4);
    b->frames[0].regs[3] = value_scalar(scalar_urange(0, 10));
    stack_write(&b->frames[0].stack, -16, 8, &ctx);
    stack_write(&a->frames[0].stack, -16, 8, &ctx);
    void *pa = malloc(state_packed_size(a)), *pb = malloc(state_packed_size(b));
    state_pack(a, pa);
    state_pack(b, pb);
    CHECK(state_leq_packed(a, pb, &scratch->frames[0]));
    CHECK(!state_leq_packed(b, pa, &scratch->frames[0]));
    stack_write(&b->frames[0].stack, -8, 8, &one); /* b's stack is written, a's is not */
    free(pb);
    pb = malloc(state_packed_size(b));
    state_pack(b, pb);
    CHECK(!state_leq_packed(a, pb, &scratch->frames[0]));
    CHECK_EQ(state_leq(a, b), state_leq_packed(a, pb, &scratch->frames[0]));
    a->frames[0].regs[5] = one; /* a register the stored state does not hold: contained */
    CHECK(state_leq_packed(a, pa, &scratch->frames[0]));
    free(pa);
    pa = malloc(state_packed_size(a));
    state_pack(a, pa);
    a->frames[0].regs[5] = value_uninit(); /* the stored state holds r5, a does not */
    CHECK(!state_leq_packed(a, pa, &scratch->frames[0]));
    free(pa);
    free(pb);
    free(a);
    free(b);
    free(scratch);
}

TEST(state_order_on_registers_and_stack)
{
    struct state *a = new_state(), *b = new_state();
    a->frames[0].regs[3] = value_const(4);
    b->frames[0].regs[3] = value_scalar(scalar_urange(0, 10));
    CHECK(state_leq(a, b));
    CHECK(!state_leq(b, a));
    struct value one = value_const(1);
    stack_write(&b->frames[0].stack, -8, 8, &one);
    CHECK(!state_leq(a, b)); /* b's stack was written, a's not */
    CHECK(state_leq(b, a) == false);
    free(a);
    free(b);
}

TEST_MAIN
