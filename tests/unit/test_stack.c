#include "test.h"
#include "verifier/stack.h"

TEST(fresh_stack_is_unwritten)
{
    struct stack s;
    stack_init(&s);
    CHECK_EQ(stack_first_uninit(&s, -8, 8), -8);
    CHECK(!stack_slot_is_spill(&s, 63));
}

TEST(spill_and_fill_keep_values)
{
    struct stack s;
    stack_init(&s);
    struct value ctx = value_pointer(VALUE_CTX), seven = value_const(7);
    stack_write(&s, -8, 8, &ctx);
    stack_write(&s, -16, 8, &seven);
    CHECK_EQ(stack_first_uninit(&s, -16, 16), INT64_MIN);
    CHECK_EQ(stack_read(&s, -8, 8, false).type, VALUE_CTX);
    struct value back = stack_read(&s, -16, 8, false);
    CHECK(back.type == VALUE_SCALAR && scalar_is_const(&back.var) && back.var.umin == 7);
    /* narrow reads: the low bytes of a spilled number; of a pointer, a number */
    struct value low = stack_read(&s, -16, 4, false);
    CHECK(scalar_is_const(&low.var) && low.var.umin == 7);
    struct value part = stack_read(&s, -8, 4, false);
    CHECK(part.type == VALUE_SCALAR && part.var.umax == UINT32_MAX);
}

TEST(partial_overwrite_breaks_a_spill)
{
    struct stack s;
    stack_init(&s);
    struct value ctx = value_pointer(VALUE_CTX);
    stack_write(&s, -8, 8, &ctx);
    stack_write(&s, -4, 1, NULL);
    CHECK(!stack_slot_is_spill(&s, 63));
    CHECK_EQ(stack_first_uninit(&s, -8, 8), -8); /* the rest of a pointer cannot be read */
    CHECK_EQ(stack_first_uninit(&s, -4, 1), INT64_MIN);
    struct value seven = value_const(7);
    stack_write(&s, -16, 8, &seven);
    stack_write(&s, -12, 1, NULL);
    CHECK_EQ(stack_read(&s, -16, 8, false).type, VALUE_SCALAR);
    CHECK_EQ(stack_first_uninit(&s, -16, 8), INT64_MIN);
}

TEST(variable_writes_initialise_nothing)
{
    struct stack s;
    stack_init(&s);
    struct value ctx = value_pointer(VALUE_CTX);
    stack_write(&s, -16, 8, &ctx);
    stack_write_variable(&s, -24, -16, 4);
    CHECK(!stack_slot_is_spill(&s, 62)); /* may have been hit */
    CHECK_EQ(stack_first_uninit(&s, -24, 8), -24);
}

TEST(join_and_order)
{
    struct stack a, b;
    stack_init(&a);
    stack_init(&b);
    struct value one = value_const(1), two = value_const(2), ctx = value_pointer(VALUE_CTX);
    stack_write(&a, -8, 8, &one);
    stack_write(&b, -8, 8, &two);
    stack_write(&a, -16, 4, NULL);
    stack_write(&a, -24, 8, &ctx);
    stack_write(&b, -24, 4, NULL);
    CHECK(!stack_leq(&a, &b));
    struct stack j = a;
    stack_join(&j, &b, NULL, 0, false);
    CHECK(stack_leq(&a, &j));
    CHECK(stack_leq(&b, &j));
    struct value v = stack_read(&j, -8, 8, false);
    CHECK_EQ(v.var.umin, 1);
    CHECK_EQ(v.var.umax, 2);
    CHECK_EQ(stack_first_uninit(&j, -16, 4), -16);  /* written on one path only */
    CHECK(!stack_slot_is_spill(&j, 61));             /* pointer on one path, data on the other: */
    CHECK_EQ(stack_first_uninit(&j, -24, 4), -24);  /* unreadable */
}

TEST_MAIN
