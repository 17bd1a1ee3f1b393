/* LPM_TRIE: longest-prefix match over struct bpf_lpm_trie_key { u32 prefixlen; u8 data[]; },
 * the same binary trie as Linux's lpm_trie.c: each node holds a prefix; intermediate nodes
 * (no value of their own) exist only where two prefixes fork and always have two children.
 * Lookups walk the trie without locking; writers take one lock, build new nodes completely
 * before publishing them and free unlinked ones after a grace period. get_next_key walks in
 * postorder, as Linux does. A full trie gives -ENOSPC, as on Linux. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"

#define NODE_INTERMEDIATE 1u

struct lpm_node {
    struct lpm_node *_Atomic child[2];
    atomic_uint flags;
    uint32_t prefixlen;
    struct platform_epoch_entry reclaim;
    _Alignas(8) unsigned char data[]; /* data_size bytes of prefix, then the value (8-aligned) */
};

struct lpm_trie {
    struct bpfhost_map map;
    struct lpm_node *_Atomic root;
    pthread_mutex_t lock;
    uint32_t data_size;
    uint32_t max_prefixlen;
    uint32_t value_offset;
    uint32_t count; /* under lock */
};

struct lpm_key {
    uint32_t prefixlen;
    const unsigned char *data;
};

static struct lpm_trie *trie_of(struct bpfhost_map *map)
{
    return (struct lpm_trie *)map;
}

static struct lpm_key read_key(const void *key)
{
    struct lpm_key k;
    memcpy(&k.prefixlen, key, sizeof k.prefixlen);
    k.data = (const unsigned char *)key + 4;
    return k;
}

static struct lpm_node *load(struct lpm_node *_Atomic *slot)
{
    return atomic_load_explicit(slot, memory_order_acquire);
}

static void publish(struct lpm_node *_Atomic *slot, struct lpm_node *node)
{
    atomic_store_explicit(slot, node, memory_order_release);
}

static bool is_intermediate(struct lpm_node *node)
{
    return atomic_load_explicit(&node->flags, memory_order_relaxed) & NODE_INTERMEDIATE;
}

static unsigned extract_bit(const unsigned char *data, uint32_t index)
{
    return (data[index / 8] >> (7 - index % 8)) & 1;
}

static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Number of leading bits node and key share, up to the shorter of the two prefixes. A word
 * at a time (as Linux does): an IPv4 key is one comparison instead of four. */
static uint32_t longest_prefix_match(const struct lpm_trie *trie, const struct lpm_node *node,
                                     const struct lpm_key *key)
{
    uint32_t limit = node->prefixlen < key->prefixlen ? node->prefixlen : key->prefixlen;
    uint32_t matched = 0, i = 0;
    for (; i + 4 <= trie->data_size && matched < limit; i += 4) {
        uint32_t diff = load_be32(node->data + i) ^ load_be32(key->data + i);
        if (diff) {
            matched += (uint32_t)__builtin_clz(diff);
            return matched < limit ? matched : limit;
        }
        matched += 32;
    }
    for (; i < trie->data_size && matched < limit; i++) {
        unsigned diff = node->data[i] ^ key->data[i];
        if (diff) {
            matched += (uint32_t)__builtin_clz(diff) - 24;
            break;
        }
        matched += 8;
    }
    return matched < limit ? matched : limit;
}

static void *lpm_lookup(struct bpfhost_map *map, const void *key_bytes)
{
    struct lpm_trie *trie = trie_of(map);
    struct lpm_key key = read_key(key_bytes);
    struct lpm_node *found = NULL;
    for (struct lpm_node *node = load(&trie->root); node;) {
        uint32_t matchlen = longest_prefix_match(trie, node, &key);
        if (matchlen == trie->max_prefixlen) {
            found = node;
            break;
        }
        if (matchlen < node->prefixlen)
            break;
        if (!is_intermediate(node))
            found = node;
        node = load(&node->child[extract_bit(key.data, node->prefixlen)]);
    }
    return found ? found->data + trie->value_offset : NULL;
}

static struct lpm_node *new_node(struct lpm_trie *trie, const unsigned char *data,
                                 uint32_t prefixlen, const void *value)
{
    size_t size = sizeof(struct lpm_node) + trie->value_offset + (value ? trie->map.value_size : 0);
    struct lpm_node *node = calloc(1, size);
    if (!node)
        return NULL;
    node->prefixlen = prefixlen;
    memcpy(node->data, data, trie->data_size);
    if (value)
        memcpy(node->data + trie->value_offset, value, trie->map.value_size);
    else
        node->flags = NODE_INTERMEDIATE;
    return node;
}

static void reclaim_node(struct platform_epoch_entry *entry)
{
    free((char *)entry - offsetof(struct lpm_node, reclaim));
}

static void retire(struct lpm_node *node)
{
    platform_epoch_defer(&node->reclaim, reclaim_node);
}

static long update_locked(struct lpm_trie *trie, const struct lpm_key *key, const void *value,
                          uint64_t flags)
{
    struct lpm_node *_Atomic *slot = &trie->root;
    struct lpm_node *node;
    uint32_t matchlen = 0;
    while ((node = *slot)) {
        matchlen = longest_prefix_match(trie, node, key);
        if (node->prefixlen != matchlen || node->prefixlen == key->prefixlen ||
            node->prefixlen == trie->max_prefixlen)
            break;
        slot = &node->child[extract_bit(key->data, node->prefixlen)];
    }
    bool replaces_entry = node && node->prefixlen == matchlen && !is_intermediate(node);
    if (flags == MAP_NOEXIST && replaces_entry)
        return -EEXIST;
    if (flags == MAP_EXIST && !replaces_entry)
        return -ENOENT;
    if (!replaces_entry && trie->count == trie->map.max_entries)
        return -ENOSPC;
    struct lpm_node *fresh = new_node(trie, key->data, key->prefixlen, value);
    if (!fresh)
        return -ENOMEM;
    if (!node) {
        publish(slot, fresh);
    } else if (node->prefixlen == matchlen) {
        /* Same prefix: the new node takes the old one's place and children. */
        fresh->child[0] = node->child[0];
        fresh->child[1] = node->child[1];
        publish(slot, fresh);
        retire(node);
    } else if (matchlen == key->prefixlen) {
        /* The new prefix covers node: it becomes node's parent. */
        fresh->child[extract_bit(node->data, matchlen)] = node;
        publish(slot, fresh);
    } else {
        /* The prefixes fork at matchlen: join them under an intermediate node. */
        struct lpm_node *fork = new_node(trie, node->data, matchlen, NULL);
        if (!fork) {
            free(fresh);
            return -ENOMEM;
        }
        unsigned bit = extract_bit(key->data, matchlen);
        fork->child[bit] = fresh;
        fork->child[!bit] = node;
        publish(slot, fork);
    }
    if (!replaces_entry)
        trie->count++;
    return 0;
}

static long lpm_update(struct bpfhost_map *map, const void *key_bytes, const void *value,
                       uint64_t flags)
{
    struct lpm_trie *trie = trie_of(map);
    struct lpm_key key = read_key(key_bytes);
    if (flags > MAP_EXIST || key.prefixlen > trie->max_prefixlen)
        return -EINVAL;
    pthread_mutex_lock(&trie->lock);
    long err = update_locked(trie, &key, value, flags);
    pthread_mutex_unlock(&trie->lock);
    return err;
}

static long delete_locked(struct lpm_trie *trie, const struct lpm_key *key)
{
    struct lpm_node *_Atomic *trim = &trie->root, *_Atomic *trim2 = trim;
    struct lpm_node *node, *parent = NULL;
    uint32_t matchlen = 0;
    while ((node = *trim)) {
        matchlen = longest_prefix_match(trie, node, key);
        if (node->prefixlen != matchlen || node->prefixlen == key->prefixlen)
            break;
        parent = node;
        trim2 = trim;
        trim = &node->child[extract_bit(key->data, node->prefixlen)];
    }
    if (!node || node->prefixlen != key->prefixlen || node->prefixlen != matchlen ||
        is_intermediate(node))
        return -ENOENT;
    trie->count--;
    struct lpm_node *left = node->child[0], *right = node->child[1];
    if (left && right) {
        /* Still needed as a fork: it stays, without its entry. */
        atomic_fetch_or(&node->flags, NODE_INTERMEDIATE);
        return 0;
    }
    if (parent && is_intermediate(parent) && !left && !right) {
        /* The fork above loses its reason to exist: its other child takes its place. */
        publish(trim2, node == parent->child[0] ? parent->child[1] : parent->child[0]);
        retire(parent);
        retire(node);
        return 0;
    }
    publish(trim, left ? left : right);
    retire(node);
    return 0;
}

static long lpm_delete(struct bpfhost_map *map, const void *key_bytes)
{
    struct lpm_trie *trie = trie_of(map);
    struct lpm_key key = read_key(key_bytes);
    if (key.prefixlen > trie->max_prefixlen)
        return -EINVAL;
    pthread_mutex_lock(&trie->lock);
    long err = delete_locked(trie, &key);
    pthread_mutex_unlock(&trie->lock);
    return err;
}

/* The first node in postorder under root: the leftmost deepest one, which has a value. */
static struct lpm_node *postorder_first(struct lpm_node *root)
{
    struct lpm_node *found = NULL;
    for (struct lpm_node *node = root; node;) {
        if (is_intermediate(node)) {
            node = load(&node->child[0]);
        } else {
            found = node;
            node = load(&node->child[0]);
            if (!node)
                node = load(&found->child[1]);
        }
    }
    return found;
}

static struct lpm_node *next_in_postorder(struct lpm_trie *trie, const struct lpm_key *key,
                                          struct lpm_node **stack)
{
    struct lpm_node *root = load(&trie->root);
    int depth = -1;
    struct lpm_node *node = root;
    uint32_t matchlen = 0;
    while (node) {
        stack[++depth] = node;
        matchlen = longest_prefix_match(trie, node, key);
        if (node->prefixlen != matchlen || node->prefixlen == key->prefixlen)
            break;
        node = load(&node->child[extract_bit(key->data, node->prefixlen)]);
    }
    if (!node || node->prefixlen != key->prefixlen || node->prefixlen != matchlen ||
        is_intermediate(node))
        return postorder_first(root); /* not in the trie: start over */
    for (; depth > 0; depth--) {
        struct lpm_node *parent = stack[depth - 1];
        if (load(&parent->child[0]) == node) {
            struct lpm_node *right = load(&parent->child[1]);
            if (right)
                return postorder_first(right);
        }
        if (!is_intermediate(parent))
            return parent;
        node = parent;
    }
    return NULL;
}

static int lpm_get_next_key(struct bpfhost_map *map, const void *key_bytes, void *next_key)
{
    struct lpm_trie *trie = trie_of(map);
    struct lpm_node *next;
    if (!key_bytes || read_key(key_bytes).prefixlen > trie->max_prefixlen) {
        next = postorder_first(load(&trie->root));
    } else {
        struct lpm_key key = read_key(key_bytes);
        struct lpm_node **stack = malloc((trie->max_prefixlen + 1) * sizeof *stack);
        if (!stack)
            return -ENOMEM;
        next = next_in_postorder(trie, &key, stack);
        free(stack);
    }
    if (!next)
        return -ENOENT;
    memcpy(next_key, &next->prefixlen, sizeof next->prefixlen);
    memcpy((unsigned char *)next_key + 4, next->data, trie->data_size);
    return 0;
}

static void free_subtree(struct lpm_node *node)
{
    while (node) {
        free_subtree(node->child[0]);
        struct lpm_node *right = node->child[1];
        free(node);
        node = right;
    }
}

static void lpm_destroy(struct bpfhost_map *map)
{
    struct lpm_trie *trie = trie_of(map);
    free_subtree(trie->root);
    pthread_mutex_destroy(&trie->lock);
    free(trie);
}

static const struct map_ops lpm_ops = {
    .lookup = lpm_lookup,
    .update = lpm_update,
    .delete_elem = lpm_delete,
    .get_next_key = lpm_get_next_key,
    .destroy = lpm_destroy,
};

static int lpm_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    uint32_t allowed = MAP_F_NO_PREALLOC | MAP_F_NUMA_NODE | MAP_F_RDONLY | MAP_F_WRONLY |
                       MAP_F_RDONLY_PROG | MAP_F_WRONLY_PROG;
    if (attr->max_entries == 0)
        return msg_error(-EINVAL, msg, msg_size, "lpm_trie: max_entries 0");
    if (!(attr->map_flags & MAP_F_NO_PREALLOC))
        return msg_error(-EINVAL, msg, msg_size, "lpm_trie: map flags must include NO_PREALLOC");
    if (attr->map_flags & ~allowed)
        return msg_error(-EINVAL, msg, msg_size, "lpm_trie: unsupported map flags 0x%x",
                         attr->map_flags & ~allowed);
    if (attr->key_size < 5 || attr->key_size > 4 + MAP_LPM_DATA_MAX)
        return msg_error(-EINVAL, msg, msg_size,
                         "lpm_trie: key_size %u, must be 4 (prefixlen) + 1..%d bytes of data",
                         attr->key_size, MAP_LPM_DATA_MAX);
    if (attr->value_size == 0 || attr->value_size > MAP_VALUE_SIZE_MAX)
        return msg_error(-EINVAL, msg, msg_size, "lpm_trie: value_size %u, must be 1..%u",
                         attr->value_size, MAP_VALUE_SIZE_MAX);
    return 0;
}

static int lpm_create(const struct map_create_attr *attr, struct bpfhost_map **out, char *msg,
                      size_t msg_size)
{
    struct lpm_trie *trie = calloc(1, sizeof *trie);
    if (!trie)
        return msg_error(-ENOMEM, msg, msg_size, "lpm_trie: out of memory");
    trie->data_size = attr->key_size - 4;
    trie->max_prefixlen = trie->data_size * 8;
    trie->value_offset = map_round_up8(trie->data_size);
    pthread_mutex_init(&trie->lock, NULL);
    map_init_common(&trie->map, &lpm_ops, attr);
    *out = &trie->map;
    return 0;
}

const struct map_type_impl map_lpm_trie_impl = {.check = lpm_check, .create = lpm_create};
