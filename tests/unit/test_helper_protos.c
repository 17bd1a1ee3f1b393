#include "isa/isa.h"
#include "test.h"
#include "verifier/helper_protos.h"

TEST(names_agree_with_the_isa_table_and_ids_are_sorted)
{
    int32_t previous = 0;
    for (size_t i = 0; i < helper_proto_count(); i++) {
        const struct helper_proto *p = helper_proto_at(i);
        CHECK(p->id > previous);
        previous = p->id;
        CHECK_STR(p->name, isa_helper_name(p->id));
        CHECK(helper_proto(p->id) == p);
    }
    CHECK(helper_proto_at(helper_proto_count()) == NULL);
}

TEST(requested_helpers_are_described)
{
    static const int32_t ids[] = {1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 23, 25, 28, 44, 51, 54, 65,
                                  87, 88, 89, 93, 94, 118, 125, 130, 131, 132, 133, 134, 160,
                                  164, 165, 181, 182};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        CHECK(helper_proto(ids[i]) != NULL);
    CHECK(helper_proto(0) == NULL);
    CHECK(helper_proto(100000) == NULL);
}

TEST(shapes)
{
    const struct helper_proto *lookup = helper_proto(1);
    CHECK_EQ(lookup->ret, RET_MAP_VALUE_OR_NULL);
    CHECK_EQ(lookup->args[0], ARG_MAP_PTR);
    CHECK_EQ(lookup->args[1], ARG_MAP_KEY);
    CHECK_EQ(lookup->args[2], ARG_NONE);
    /* every memory argument is followed by its size */
    for (size_t i = 0; i < helper_proto_count(); i++) {
        const struct helper_proto *p = helper_proto_at(i);
        for (int a = 0; a < 5; a++)
            if (p->args[a] == ARG_MEM || p->args[a] == ARG_MEM_OR_NULL || p->args[a] == ARG_MEM_UNINIT ||
                p->args[a] == ARG_MEM_RW) {
                CHECK(a < 4);
                CHECK(p->args[a + 1] == ARG_CONST_SIZE || p->args[a + 1] == ARG_CONST_SIZE_OR_ZERO);
            }
    }
    CHECK(helper_proto(44)->flags & HELPER_CHANGES_PACKET);
    CHECK_EQ(helper_proto(131)->map_type, MAP_TYPE_RINGBUF);
}

TEST_MAIN
