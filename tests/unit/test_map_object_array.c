/* Maps that hold objects: PROG_ARRAY, PERF_EVENT_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, and the
 * device maps DEVMAP and DEVMAP_HASH. */
#include <stdatomic.h>

#include "platform/cpu_slot.h"
#include "test_map_support.h"

struct fake_prog {
    atomic_int refs;
    uint32_t id;
};

static void prog_get(void *p)
{
    ((struct fake_prog *)p)->refs++;
}

static void prog_put(void *p)
{
    ((struct fake_prog *)p)->refs--;
}

static uint32_t prog_id(const void *p)
{
    return ((const struct fake_prog *)p)->id;
}

static const struct map_object_ops fake_prog_ops = {prog_get, prog_put, prog_id};

static struct bpfhost_map *make_object_map(uint32_t type, uint32_t max_entries,
                                           const struct bpfhost_map *inner)
{
    struct map_create_attr attr = {.map_type = type, .key_size = 4, .value_size = 4,
                                   .max_entries = max_entries, .inner_map = inner,
                                   .object_ops = inner ? NULL : &fake_prog_ops};
    struct bpfhost_map *map = NULL;
    char msg[256];
    int err = map_create(&attr, &map, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    return map;
}

TEST(prog_array_holds_references_and_releases_them_after_readers)
{
    struct bpfhost_map *map = make_object_map(MAP_TYPE_PROG_ARRAY, 4, NULL);
    struct fake_prog a = {0, 11}, b = {0, 22};
    uint32_t key = 1, id = 0;
    CHECK_EQ(map_sys_update_object(map, &key, &a, MAP_NOEXIST), -EINVAL);
    CHECK_EQ(map_sys_update_object(map, &key, NULL, 0), -EBADF);
    uint32_t far = 4;
    CHECK_EQ(map_sys_update_object(map, &far, &a, 0), -E2BIG);
    CHECK_EQ(map_sys_update_elem(map, &key, &id, 0), -EINVAL); /* fds are resolved above us */
    CHECK_EQ(map_sys_update_object(map, &key, &a, 0), 0);
    CHECK_EQ(a.refs, 1);
    platform_epoch_enter();
    CHECK(map_object_at(map, 1) == &a);
    CHECK(map_object_at(map, 0) == NULL);
    CHECK(map_object_at(map, 4) == NULL);
    CHECK(map_object_at(map, MAP_F_CURRENT_CPU) == NULL);
    CHECK(map_lookup_elem(map, &key) == NULL); /* programs only tail-call through it */
    platform_epoch_exit();
    CHECK_EQ(map_sys_lookup_elem(map, &key, &id, 0), 0);
    CHECK_EQ(id, 11);
    CHECK_EQ(map_sys_update_object(map, &key, &b, 0), 0);
    platform_epoch_barrier();
    CHECK_EQ(a.refs, 0);
    CHECK_EQ(b.refs, 1);
    CHECK_EQ(map_sys_delete_elem(map, &key), 0);
    CHECK_EQ(map_sys_delete_elem(map, &key), -ENOENT);
    CHECK_EQ(map_sys_delete_elem(map, &far), -E2BIG);
    CHECK_EQ(map_sys_lookup_elem(map, &key, &id, 0), -ENOENT);
    platform_epoch_barrier();
    CHECK_EQ(b.refs, 0);
    key = 3;
    CHECK_EQ(map_sys_update_object(map, &key, &a, 0), 0);
    uint32_t next;
    CHECK_EQ(map_sys_get_next_key(map, NULL, &next), 0);
    CHECK_EQ(next, 0);
    CHECK_EQ(map_sys_get_next_key(map, &key, &next), -ENOENT);
    drop_map(map);
    CHECK_EQ(a.refs, 0); /* the map's own reference went with it */
}

TEST(perf_event_array_indexes_by_slot)
{
    struct bpfhost_map *map = make_object_map(MAP_TYPE_PERF_EVENT_ARRAY,
                                              platform_cpu_slot_count(), NULL);
    struct fake_prog out = {0, 5};
    uint32_t key = platform_cpu_slot();
    CHECK_EQ(map_sys_update_object(map, &key, &out, 0), 0);
    platform_epoch_enter();
    CHECK(map_object_at(map, MAP_F_CURRENT_CPU) == &out);
    CHECK(map_object_at(map, key) == &out);
    platform_epoch_exit();
    drop_map(map);
    CHECK_EQ(out.refs, 0);
}

static void check_map_of_maps(uint32_t type)
{
    struct bpfhost_map *template_map = make_map(MAP_TYPE_ARRAY, 4, 8, 4, 0);
    struct bpfhost_map *outer = make_object_map(type, 4, template_map);
    map_put(template_map); /* the outer map keeps its own reference */
    struct bpfhost_map *inner = make_map(MAP_TYPE_ARRAY, 4, 8, 4, 0);
    struct bpfhost_map *wrong_size = make_map(MAP_TYPE_ARRAY, 4, 16, 4, 0);
    struct bpfhost_map *wrong_entries = make_map(MAP_TYPE_ARRAY, 4, 8, 5, 0);
    struct bpfhost_map *wrong_type = make_map(MAP_TYPE_HASH, 4, 8, 4, 0);
    inner->id = 42;
    uint32_t key = 2, id = 0, value_in_inner = 0;
    uint64_t v = 77;
    CHECK_EQ(map_sys_update_object(outer, &key, wrong_size, 0), -EINVAL);
    CHECK_EQ(map_sys_update_object(outer, &key, wrong_entries, 0), -EINVAL);
    CHECK_EQ(map_sys_update_object(outer, &key, wrong_type, 0), -EINVAL);
    CHECK_EQ(map_sys_update_object(outer, &key, inner, 0), 0);
    CHECK_EQ(map_sys_update_elem(inner, &value_in_inner, &v, 0), 0);
    map_put(inner); /* alive through the outer map */
    platform_epoch_barrier();
    platform_epoch_enter();
    struct bpfhost_map *found = map_lookup_elem(outer, &key);
    CHECK(found == inner);
    if (found) {
        uint64_t *p = map_lookup_elem(found, &value_in_inner);
        CHECK(p && *p == 77);
    }
    uint32_t missing = 3;
    CHECK(map_lookup_elem(outer, &missing) == NULL);
    CHECK_EQ(map_update_elem(outer, &key, &id, 0), -EOPNOTSUPP);
    platform_epoch_exit();
    CHECK_EQ(map_sys_lookup_elem(outer, &key, &id, 0), 0);
    CHECK_EQ(id, 42);
    if (type == MAP_TYPE_HASH_OF_MAPS) {
        id = 0;
        CHECK_EQ(map_sys_lookup_and_delete_elem(outer, &key, &id, 0), 0);
        CHECK_EQ(id, 42);
    } else {
        CHECK_EQ(map_sys_delete_elem(outer, &key), 0);
    }
    CHECK_EQ(map_sys_lookup_elem(outer, &key, &id, 0), -ENOENT);
    drop_map(wrong_size);
    drop_map(wrong_entries);
    drop_map(wrong_type);
    drop_map(outer); /* inner and template are freed by now: ASan checks the leak */
}

TEST(array_of_maps_holds_compatible_maps)
{
    check_map_of_maps(MAP_TYPE_ARRAY_OF_MAPS);
}

TEST(hash_of_maps_holds_compatible_maps)
{
    check_map_of_maps(MAP_TYPE_HASH_OF_MAPS);
}

TEST(inner_map_flag_allows_any_size)
{
    struct map_create_attr tmpl = {.map_type = MAP_TYPE_HASH, .key_size = 4, .value_size = 4,
                                   .max_entries = 1, .map_flags = MAP_F_INNER_MAP};
    char msg[256];
    struct bpfhost_map *template_map = NULL, *inner = NULL;
    CHECK_EQ(map_create(&tmpl, &template_map, msg, sizeof msg), -EINVAL); /* arrays only */
    tmpl.map_type = MAP_TYPE_ARRAY;
    CHECK_EQ(map_create(&tmpl, &template_map, msg, sizeof msg), 0);
    tmpl.max_entries = 100;
    CHECK_EQ(map_create(&tmpl, &inner, msg, sizeof msg), 0);
    struct bpfhost_map *outer = make_object_map(MAP_TYPE_HASH_OF_MAPS, 4, template_map);
    uint32_t key = 9;
    CHECK_EQ(map_sys_update_object(outer, &key, inner, MAP_NOEXIST), 0);
    CHECK_EQ(map_sys_update_object(outer, &key, inner, MAP_NOEXIST), -EEXIST);
    CHECK_EQ(map_sys_update_object(outer, &key, inner, MAP_F_LOCK), -EINVAL);
    CHECK_EQ(map_sys_update_object(outer, &key, outer, 0), -EINVAL); /* no nesting */
    drop_map(inner);
    drop_map(template_map);
    drop_map(outer);
}

TEST(object_map_creation_errors)
{
    char msg[256];
    struct bpfhost_map *inner = make_map(MAP_TYPE_ARRAY, 4, 4, 1, 0);
    struct map_create_attr attr = {.map_type = MAP_TYPE_PROG_ARRAY, .key_size = 4,
                                   .value_size = 4, .max_entries = 4};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "prog_array: needs object_ops");
    attr.object_ops = &fake_prog_ops;
    attr.value_size = 8;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 8, must be 4");
    attr.value_size = 4;
    attr.key_size = 8;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "key_size 8");
    attr.key_size = 4;
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 0");
    attr.max_entries = 0xffffffffu;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "preallocate");
    attr.max_entries = 4;
    attr.map_flags = MAP_F_PRESERVE_ELEMS;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.map_type = MAP_TYPE_PERF_EVENT_ARRAY;
    struct bpfhost_map *perf = NULL;
    CHECK_EQ(map_create(&attr, &perf, msg, sizeof msg), 0);
    drop_map(perf);
    attr = (struct map_create_attr){.map_type = MAP_TYPE_ARRAY_OF_MAPS, .key_size = 4,
                                    .value_size = 4, .max_entries = 4};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "needs an inner map");
    struct bpfhost_map *outer = make_object_map(MAP_TYPE_ARRAY_OF_MAPS, 2, inner);
    attr.inner_map = outer;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "cannot hold maps");
    attr.map_type = MAP_TYPE_HASH_OF_MAPS;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "cannot hold maps");
    attr.inner_map = inner;
    attr.value_size = 8;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 8, must be 4");
    drop_map(outer);
    drop_map(inner);
}

static void check_devmap(uint32_t type)
{
    struct bpfhost_map *map = make_map(type, 4, 8, 4, 0);
    uint32_t key = 1, missing = 2, value[2] = {7, 0}, out[2];
    CHECK_EQ(map_sys_update_elem(map, &key, value, 0), 0);
    platform_epoch_enter();
    uint32_t *p = map_lookup_elem(map, &key);
    CHECK(p && p[0] == 7);
    CHECK(map_lookup_elem(map, &missing) == NULL);
    CHECK_EQ(map_update_elem(map, &key, value, 0), -EOPNOTSUPP);
    platform_epoch_exit();
    CHECK_EQ(map_sys_lookup_elem(map, &key, out, 0), 0);
    CHECK_EQ(out[0], 7);
    value[1] = 3; /* a program fd: not supported */
    CHECK_EQ(map_sys_update_elem(map, &key, value, 0), -EOPNOTSUPP);
    value[1] = 0;
    value[0] = 8;
    CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_EXIST), 0);
    CHECK_EQ(map_sys_lookup_elem(map, &key, out, 0), 0);
    CHECK_EQ(out[0], 8);
    CHECK_EQ(map_sys_delete_elem(map, &key), 0);
    CHECK_EQ(map_sys_lookup_elem(map, &key, out, 0), -ENOENT);
    uint32_t far = 9;
    if (type == MAP_TYPE_DEVMAP) {
        CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_NOEXIST), -EEXIST);
        CHECK_EQ(map_sys_update_elem(map, &far, value, 0), -E2BIG);
    } else {
        CHECK_EQ(map_sys_update_elem(map, &far, value, MAP_NOEXIST), 0);
        CHECK_EQ(map_sys_update_elem(map, &far, value, MAP_NOEXIST), -EEXIST);
    }
    drop_map(map);

    char msg[256];
    struct map_create_attr attr = {.map_type = type, .key_size = 4, .value_size = 6,
                                   .max_entries = 4};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 6, must be 4 or 8");
    attr.value_size = 4;
    attr.map_flags = MAP_F_RDONLY;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags");
}

TEST(devmap_holds_device_entries)
{
    check_devmap(MAP_TYPE_DEVMAP);
}

TEST(devmap_hash_holds_device_entries)
{
    check_devmap(MAP_TYPE_DEVMAP_HASH);
}

TEST_MAIN
