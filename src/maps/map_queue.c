/* QUEUE (FIFO) and STACK (LIFO): a circular buffer of max_entries values under one lock,
 * as on Linux. Pushing onto a full map fails with -E2BIG unless the flag is BPF_EXIST,
 * which drops the oldest value to make room. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"

struct queue_map {
    struct bpfhost_map map;
    pthread_mutex_t lock;
    uint32_t head;  /* next slot to write */
    uint32_t tail;  /* oldest value */
    uint32_t count;
    unsigned char *values;
};

static struct queue_map *queue_of(struct bpfhost_map *map)
{
    return (struct queue_map *)map;
}

static unsigned char *slot_value(struct queue_map *q, uint32_t slot)
{
    return q->values + (size_t)slot * q->map.value_size;
}

static uint32_t next_slot(const struct queue_map *q, uint32_t slot)
{
    return slot + 1 == q->map.max_entries ? 0 : slot + 1;
}

static long queue_push(struct bpfhost_map *map, const void *value, uint64_t flags)
{
    if (flags != MAP_ANY && flags != MAP_EXIST)
        return -EINVAL;
    struct queue_map *q = queue_of(map);
    pthread_mutex_lock(&q->lock);
    if (q->count == map->max_entries) {
        if (flags != MAP_EXIST) {
            pthread_mutex_unlock(&q->lock);
            return -E2BIG;
        }
        q->tail = next_slot(q, q->tail);
        q->count--;
    }
    memcpy(slot_value(q, q->head), value, map->value_size);
    q->head = next_slot(q, q->head);
    q->count++;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

/* Copies the value pop/peek would return; removes it when take. */
static long queue_take(struct bpfhost_map *map, void *value, bool take)
{
    struct queue_map *q = queue_of(map);
    pthread_mutex_lock(&q->lock);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->lock);
        return -ENOENT;
    }
    if (map->map_type == MAP_TYPE_QUEUE) {
        memcpy(value, slot_value(q, q->tail), map->value_size);
        if (take)
            q->tail = next_slot(q, q->tail);
    } else {
        uint32_t newest = q->head == 0 ? map->max_entries - 1 : q->head - 1;
        memcpy(value, slot_value(q, newest), map->value_size);
        if (take)
            q->head = newest;
    }
    if (take)
        q->count--;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

static long queue_pop(struct bpfhost_map *map, void *value)
{
    return queue_take(map, value, true);
}

static long queue_peek(struct bpfhost_map *map, void *value)
{
    return queue_take(map, value, false);
}

static void queue_destroy(struct bpfhost_map *map)
{
    struct queue_map *q = queue_of(map);
    pthread_mutex_destroy(&q->lock);
    free(q->values);
    free(q);
}

static const struct map_ops queue_ops = {
    .push = queue_push,
    .pop = queue_pop,
    .peek = queue_peek,
    .destroy = queue_destroy,
};

static int queue_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    const char *name = map_type_name(attr->map_type);
    uint32_t allowed = MAP_F_NUMA_NODE | MAP_F_RDONLY | MAP_F_WRONLY | MAP_F_RDONLY_PROG |
                       MAP_F_WRONLY_PROG;
    if (attr->key_size != 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: key_size %u, must be 0", name,
                         attr->key_size);
    if (attr->value_size == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: value_size 0", name);
    if (attr->max_entries == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: max_entries 0", name);
    if (attr->map_flags & ~allowed)
        return msg_error(-EINVAL, msg, msg_size, "%s: unsupported map flags 0x%x", name,
                         attr->map_flags & ~allowed);
    if (attr->value_size > MAP_VALUE_SIZE_MAX)
        return msg_error(-E2BIG, msg, msg_size, "%s: value_size %u, at most %u", name,
                         attr->value_size, MAP_VALUE_SIZE_MAX);
    return 0;
}

static int queue_create(const struct map_create_attr *attr, struct bpfhost_map **out,
                        char *msg, size_t msg_size)
{
    int err = map_check_prealloc(attr, attr->max_entries, attr->value_size, msg, msg_size);
    if (err)
        return err;
    struct queue_map *q = calloc(1, sizeof *q);
    unsigned char *values = q ? calloc(attr->max_entries, attr->value_size) : NULL;
    if (!values) {
        free(q);
        return msg_error(-ENOMEM, msg, msg_size, "%s: cannot allocate %u values of %u bytes",
                         map_type_name(attr->map_type), attr->max_entries, attr->value_size);
    }
    pthread_mutex_init(&q->lock, NULL);
    q->values = values;
    map_init_common(&q->map, &queue_ops, attr);
    *out = &q->map;
    return 0;
}

const struct map_type_impl map_queue_impl = {.check = queue_check, .create = queue_create};
