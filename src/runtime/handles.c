/* The object table. Entries (one per object, holding one reference) are found by object,
 * id or pin with linear scans: a process holds tens to hundreds of objects, and every
 * operation here is control-side. Fd slots are indexed by fd number. References are dropped
 * after the table lock is released, since dropping the last one runs object code (program
 * teardown, a hook's detach). */
#include "runtime/handles.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/handle_fd.h"

struct entry {
    enum handle_kind kind;
    void *object; /* one reference */
    uint32_t id;
    uint32_t fds, pins;
    bool released; /* out of the table, waiting for its reference to be dropped */
    bool frozen;   /* maps: BPF_MAP_FREEZE */
};

struct fd_slot {
    struct entry *entry; /* NULL: not a handle */
    struct platform_fd_identity identity;
};

struct pin {
    char *path;
    struct entry *entry;
};

/* Entries taken out of the table, whose references are dropped once the lock is released. */
struct release_list {
    struct entry **items;
    size_t count, capacity;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry **entries;
static size_t entry_count, entry_capacity;
static struct fd_slot *slots;
static size_t slot_capacity, live_fds;
static size_t full_sweep_at = 64; /* live fds at which creation sweeps everything again */
static struct pin *pins;          /* sorted by path */
static size_t pin_count, pin_capacity;
static uint32_t next_map_id = 1, next_link_id = 1;

static bool grow(void **array, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity)
        return true;
    size_t capacity_new = *capacity ? *capacity : 16;
    while (capacity_new < needed)
        capacity_new *= 2;
    void *bigger = realloc(*array, capacity_new * item_size);
    if (!bigger)
        return false;
    memset((char *)bigger + *capacity * item_size, 0, (capacity_new - *capacity) * item_size);
    *array = bigger;
    *capacity = capacity_new;
    return true;
}

/* --- objects -------------------------------------------------------------------------------- */

static uint64_t object_refcount(const struct entry *e)
{
    switch (e->kind) {
    case HANDLE_PROG: return atomic_load(&((struct runtime_prog *)e->object)->refcount);
    case HANDLE_MAP: return atomic_load(&((struct bpfhost_map *)e->object)->refcount);
    case HANDLE_LINK: return atomic_load(&((struct runtime_link *)e->object)->refcount);
    }
    return 0;
}

static void object_get(enum handle_kind kind, void *object)
{
    switch (kind) {
    case HANDLE_PROG: runtime_prog_get(object); break;
    case HANDLE_MAP: map_get(object); break;
    case HANDLE_LINK: runtime_link_get(object); break;
    }
}

static void object_put(enum handle_kind kind, void *object)
{
    switch (kind) {
    case HANDLE_PROG: runtime_prog_put(object); break;
    case HANDLE_MAP: map_put(object); break;
    case HANDLE_LINK: runtime_link_put(object); break;
    }
}

void handle_object_put(struct handle_object *object)
{
    if (object->any)
        object_put(object->kind, object->any);
    object->any = NULL;
}

static void hand_out(const struct entry *e, struct handle_object *out)
{
    object_get(e->kind, e->object);
    out->kind = e->kind;
    out->any = e->object;
}

static const char *kind_label(enum handle_kind kind)
{
    switch (kind) {
    case HANDLE_PROG: return "prog";
    case HANDLE_MAP: return "map";
    case HANDLE_LINK: return "link";
    }
    return "object";
}

static const char *object_name(const struct entry *e)
{
    switch (e->kind) {
    case HANDLE_PROG: return ((struct runtime_prog *)e->object)->name;
    case HANDLE_MAP: return ((struct bpfhost_map *)e->object)->name;
    case HANDLE_LINK: return "";
    }
    return "";
}

/* --- entries -------------------------------------------------------------------------------- */

static struct entry *entry_of_object(enum handle_kind kind, const void *object)
{
    for (size_t i = 0; i < entry_count; i++)
        if (entries[i]->kind == kind && entries[i]->object == object)
            return entries[i];
    return NULL;
}

static struct entry *entry_of_id(enum handle_kind kind, uint32_t id)
{
    for (size_t i = 0; i < entry_count; i++)
        if (entries[i]->kind == kind && entries[i]->id == id)
            return entries[i];
    return NULL;
}

/* The object's entry, made (with a reference and an id) if it has none. A program brings its
 * maps in too, so that the map ids it reports resolve. NULL when out of memory. */
static struct entry *entry_enter(enum handle_kind kind, void *object)
{
    struct entry *e = entry_of_object(kind, object);
    if (e)
        return e;
    if (!grow((void **)&entries, &entry_capacity, entry_count + 1, sizeof *entries))
        return NULL;
    e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->kind = kind;
    e->object = object;
    switch (kind) {
    case HANDLE_PROG:
        e->id = ((struct runtime_prog *)object)->id;
        break;
    case HANDLE_MAP: {
        struct bpfhost_map *map = object;
        if (!map->id)
            map->id = next_map_id++;
        e->id = map->id;
        break;
    }
    case HANDLE_LINK: {
        struct runtime_link *link = object;
        if (!link->id)
            link->id = next_link_id++;
        e->id = link->id;
        break;
    }
    }
    object_get(kind, object);
    entries[entry_count++] = e;
    if (kind == HANDLE_PROG) {
        struct runtime_prog *prog = object;
        for (size_t i = 0; i < prog->map_count; i++)
            entry_enter(HANDLE_MAP, prog->maps[i]); /* out of memory: that map has no id yet */
    }
    return e;
}

static bool entry_unused(const struct entry *e)
{
    return !e->fds && !e->pins && object_refcount(e) == 1;
}

static bool release_add(struct release_list *list, struct entry *e)
{
    if (!grow((void **)&list->items, &list->capacity, list->count + 1, sizeof *list->items))
        return false;
    list->items[list->count++] = e;
    return true;
}

/* Takes e out of the table when nothing but the table holds it. */
static void entry_release_if_unused(struct entry *e, struct release_list *list)
{
    if (e->released || !entry_unused(e) || !release_add(list, e))
        return;
    e->released = true;
    for (size_t i = 0; i < entry_count; i++) {
        if (entries[i] == e) {
            entries[i] = entries[--entry_count];
            break;
        }
    }
}

static void release_all_unused(struct release_list *list)
{
    for (size_t i = entry_count; i-- > 0;)
        if (i < entry_count)
            entry_release_if_unused(entries[i], list);
}

/* Unlocks, then drops the references of released entries. Releasing a program drops its
 * references to maps (and a link's to its program), which may leave those unused in turn:
 * they are released in the same call. */
static void unlock_and_release(struct release_list *list)
{
    while (list->count) {
        pthread_mutex_unlock(&table_lock);
        for (size_t i = 0; i < list->count; i++) {
            object_put(list->items[i]->kind, list->items[i]->object);
            free(list->items[i]);
        }
        list->count = 0;
        pthread_mutex_lock(&table_lock);
        release_all_unused(list);
    }
    pthread_mutex_unlock(&table_lock);
    free(list->items);
}

/* --- fds ------------------------------------------------------------------------------------ */

static void slot_forget(int fd, struct release_list *list)
{
    struct entry *e = slots[fd].entry;
    slots[fd].entry = NULL;
    live_fds--;
    e->fds--;
    entry_release_if_unused(e, list);
}

/* The entry behind fd when fd is still the descriptor the table made; a closed one is
 * forgotten. */
static struct entry *slot_entry(int fd, struct release_list *list)
{
    if (fd < 0 || (size_t)fd >= slot_capacity || !slots[fd].entry)
        return NULL;
    if (!platform_handle_fd_is(fd, &slots[fd].identity)) {
        slot_forget(fd, list);
        return NULL;
    }
    return slots[fd].entry;
}

static void sweep_fds(struct release_list *list)
{
    for (size_t fd = 0; fd < slot_capacity; fd++)
        if (slots[fd].entry && !platform_handle_fd_is((int)fd, &slots[fd].identity))
            slot_forget((int)fd, list);
}

/* Makes sure the fds of e are still open, so that an object whose fds were all closed is
 * not found by id or enumeration. */
static void verify_entry_fds(struct entry *e, struct release_list *list)
{
    for (size_t fd = 0; e->fds && fd < slot_capacity; fd++)
        if (slots[fd].entry == e && !platform_handle_fd_is((int)fd, &slots[fd].identity))
            slot_forget((int)fd, list);
}

/* Whether e stays in the table once its closed fds are forgotten. */
static bool entry_alive(struct entry *e, struct release_list *list)
{
    verify_entry_fds(e, list);
    entry_release_if_unused(e, list);
    return !e->released;
}

static int new_fd(struct entry *e, struct release_list *list)
{
    if (live_fds >= full_sweep_at) {
        sweep_fds(list);
        full_sweep_at = live_fds * 2 > 64 ? live_fds * 2 : 64;
    }
    char label[96];
    snprintf(label, sizeof label, "bpf-%s:%s", kind_label(e->kind), object_name(e));
    struct platform_fd_identity identity;
    int fd = platform_handle_fd_open(label, &identity);
    if (fd < 0)
        return fd;
    if (!grow((void **)&slots, &slot_capacity, (size_t)fd + 1, sizeof *slots)) {
        platform_handle_fd_close(fd);
        return -ENOMEM;
    }
    if (slots[fd].entry) /* the host reuses a number only once its descriptor was closed */
        slot_forget(fd, list);
    slots[fd].entry = e;
    slots[fd].identity = identity;
    e->fds++;
    live_fds++;
    return fd;
}

static int object_fd(enum handle_kind kind, void *object)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = entry_enter(kind, object);
    int fd = e ? new_fd(e, &list) : -ENOMEM;
    if (e && fd < 0)
        entry_release_if_unused(e, &list);
    unlock_and_release(&list);
    return fd;
}

int handles_prog_fd(struct runtime_prog *prog) { return object_fd(HANDLE_PROG, prog); }
int handles_map_fd(struct bpfhost_map *map) { return object_fd(HANDLE_MAP, map); }
int handles_link_fd(struct runtime_link *link) { return object_fd(HANDLE_LINK, link); }

int handles_object_from_fd(int fd, struct handle_object *out)
{
    out->any = NULL;
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = slot_entry(fd, &list);
    if (e)
        hand_out(e, out);
    unlock_and_release(&list);
    return e ? 0 : -EBADF;
}

static int typed_from_fd(int fd, enum handle_kind kind, void **out)
{
    *out = NULL;
    struct handle_object object;
    int err = handles_object_from_fd(fd, &object);
    if (err)
        return err;
    if (object.kind != kind) {
        handle_object_put(&object);
        return -EINVAL;
    }
    *out = object.any;
    return 0;
}

int handles_prog_from_fd(int fd, struct runtime_prog **out)
{
    return typed_from_fd(fd, HANDLE_PROG, (void **)out);
}

int handles_map_from_fd(int fd, struct bpfhost_map **out)
{
    return typed_from_fd(fd, HANDLE_MAP, (void **)out);
}

int handles_link_from_fd(int fd, struct runtime_link **out)
{
    return typed_from_fd(fd, HANDLE_LINK, (void **)out);
}

static int map_entry_op(int fd, bool freeze, struct bpfhost_map **out)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = slot_entry(fd, &list);
    int err = 0;
    if (!e)
        err = -EBADF;
    else if (e->kind != HANDLE_MAP)
        err = -EINVAL;
    else if (e->frozen)
        err = freeze ? -EBUSY : -EPERM;
    else if (freeze)
        e->frozen = true;
    if (!err && out) {
        map_get(e->object);
        *out = e->object;
    }
    unlock_and_release(&list);
    return err;
}

int handles_map_freeze(int fd) { return map_entry_op(fd, true, NULL); }

int handles_writable_map_from_fd(int fd, struct bpfhost_map **out)
{
    *out = NULL;
    return map_entry_op(fd, false, out);
}

int handles_close(int fd)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = slot_entry(fd, &list);
    if (e) {
        slot_forget(fd, &list);
        platform_handle_fd_close(fd);
    }
    unlock_and_release(&list);
    return e ? 0 : -EBADF;
}

void handles_sweep(void)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    sweep_fds(&list);
    release_all_unused(&list);
    unlock_and_release(&list);
}

/* --- ids ------------------------------------------------------------------------------------ */

int handles_get_next_id(enum handle_kind kind, uint32_t start_id, uint32_t *next_id)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *found;
    do {
        found = NULL;
        for (size_t i = 0; i < entry_count; i++) {
            struct entry *e = entries[i];
            if (e->kind == kind && e->id > start_id && (!found || e->id < found->id))
                found = e;
        }
        if (!found)
            break;
        if (entry_alive(found, &list))
            break;
        start_id = found->id; /* it was gone: look past it */
    } while (1);
    if (found)
        *next_id = found->id;
    unlock_and_release(&list);
    return found ? 0 : -ENOENT;
}

/* The live entry with that id, or NULL (under the lock). */
static struct entry *live_entry_of_id(enum handle_kind kind, uint32_t id, struct release_list *list)
{
    struct entry *e = entry_of_id(kind, id);
    return e && entry_alive(e, list) ? e : NULL;
}

int handles_object_by_id(enum handle_kind kind, uint32_t id, struct handle_object *out)
{
    out->any = NULL;
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = live_entry_of_id(kind, id, &list);
    if (e)
        hand_out(e, out);
    unlock_and_release(&list);
    return e ? 0 : -ENOENT;
}

int handles_fd_by_id(enum handle_kind kind, uint32_t id)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = live_entry_of_id(kind, id, &list);
    int fd = e ? new_fd(e, &list) : -ENOENT;
    unlock_and_release(&list);
    return fd;
}

/* --- pins ----------------------------------------------------------------------------------- */

/* 0, or the errno Linux gives for this path on bpffs (see handles.h). */
static int check_path(const char *path)
{
    if (!path)
        return -EINVAL;
    size_t root = strlen(HANDLES_PIN_ROOT);
    if (strnlen(path, HANDLES_PATH_MAX) >= HANDLES_PATH_MAX)
        return -ENAMETOOLONG;
    if (strncmp(path, HANDLES_PIN_ROOT, root) != 0)
        return -EPERM;
    const char *component = path + root;
    for (;;) {
        size_t length = strcspn(component, "/");
        if (length == 0 || (length == 1 && component[0] == '.') ||
            (length == 2 && component[0] == '.' && component[1] == '.'))
            return -EINVAL;
        if (length > HANDLES_NAME_MAX)
            return -ENAMETOOLONG;
        if (!component[length])
            return 0;
        component += length + 1;
    }
}

/* Whether inner lies below the directory outer ("a" holds "a/b", not "ab"). */
static bool path_below(const char *inner, const char *outer)
{
    size_t length = strlen(outer);
    return strncmp(inner, outer, length) == 0 && inner[length] == '/';
}

/* Where path sorts among the pins; *exact tells whether it is there. */
static size_t pin_position(const char *path, bool *exact)
{
    size_t low = 0, high = pin_count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        int order = strcmp(pins[middle].path, path);
        if (order == 0) {
            *exact = true;
            return middle;
        }
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    *exact = false;
    return low;
}

/* What is at path: 0 and the pin index, or -ENOENT, -ENOTDIR (the way goes through an
 * object), or -EISDIR (a directory: something is pinned below path). */
static int pin_lookup(const char *path, size_t *index)
{
    bool exact;
    size_t at = pin_position(path, &exact);
    if (exact) {
        *index = at;
        return 0;
    }
    for (size_t i = 0; i < pin_count; i++) {
        if (path_below(path, pins[i].path))
            return -ENOTDIR;
        if (path_below(pins[i].path, path))
            return -EISDIR;
    }
    return -ENOENT;
}

int handles_pin(int fd, const char *path)
{
    int err = check_path(path);
    if (err)
        return err;
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e = slot_entry(fd, &list);
    size_t index = 0;
    err = pin_lookup(path, &index);
    if (!e)
        err = -EBADF;
    else if (err == 0 || err == -EISDIR)
        err = -EEXIST;
    else if (err == -ENOENT) {
        bool exact;
        size_t at = pin_position(path, &exact);
        char *copy = strdup(path);
        if (!copy || !grow((void **)&pins, &pin_capacity, pin_count + 1, sizeof *pins)) {
            free(copy);
            err = -ENOMEM;
        } else {
            memmove(&pins[at + 1], &pins[at], (pin_count - at) * sizeof *pins);
            pins[at] = (struct pin){copy, e};
            pin_count++;
            e->pins++;
            err = 0;
        }
    }
    unlock_and_release(&list);
    return err;
}

/* Linux's answer for opening a directory of bpffs as an object. */
static int pinned_entry(const char *path, struct entry **out)
{
    int err = check_path(path);
    size_t index = 0;
    if (!err)
        err = pin_lookup(path, &index);
    if (err == -EISDIR)
        err = -EACCES;
    *out = err ? NULL : pins[index].entry;
    return err;
}

int handles_pinned_object(const char *path, struct handle_object *out)
{
    out->any = NULL;
    pthread_mutex_lock(&table_lock);
    struct entry *e;
    int err = pinned_entry(path, &e);
    if (!err)
        hand_out(e, out);
    pthread_mutex_unlock(&table_lock);
    return err;
}

int handles_get_pinned(const char *path)
{
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    struct entry *e;
    int err = pinned_entry(path, &e);
    int fd = err ? err : new_fd(e, &list);
    unlock_and_release(&list);
    return fd;
}

int handles_unpin(const char *path)
{
    int err = check_path(path);
    if (err)
        return err;
    struct release_list list = {0};
    pthread_mutex_lock(&table_lock);
    size_t index = 0;
    err = pin_lookup(path, &index);
    if (!err) {
        struct entry *e = pins[index].entry;
        free(pins[index].path);
        memmove(&pins[index], &pins[index + 1], (pin_count - index - 1) * sizeof *pins);
        pin_count--;
        e->pins--;
        entry_release_if_unused(e, &list);
    }
    unlock_and_release(&list);
    return err;
}

int handles_next_pin(const char *after, char *path, size_t path_size)
{
    pthread_mutex_lock(&table_lock);
    size_t at = 0;
    if (after && *after) {
        bool exact;
        at = pin_position(after, &exact);
        if (exact)
            at++;
    }
    int err = -ENOENT;
    if (at < pin_count) {
        size_t length = strlen(pins[at].path);
        err = length < path_size ? 0 : -ENAMETOOLONG;
        if (!err)
            memcpy(path, pins[at].path, length + 1);
    }
    pthread_mutex_unlock(&table_lock);
    return err;
}
