/* The object table: programs, maps and links as process-local fds (what libbpf's int handles
 * are), global u32 ids, and a pin namespace of paths under /sys/fs/bpf (runtime layer).
 *
 * Fds. Each handle owns a real descriptor of the host (platform/handle_fd.h), so that its
 * number never collides with a file of the application, and applications close() it as
 * they close a Linux bpf fd. The table remembers each descriptor's identity; a lookup
 * checks that the fd is still open and still that descriptor, so a closed fd (even one
 * whose number the host has reused since) gives -EBADF. dup() of a handle fd makes a
 * descriptor the table does not know: it is not a handle (-EBADF).
 *
 * Releasing. The host does not tell us when an application closes an fd, so a closed fd's
 * reference is dropped lazily, by a sweep: every fd creation, id lookup and id enumeration
 * first sweeps (checks every handle's descriptor, forgets the closed ones), and
 * handles_sweep() does it on demand. handles_close() closes and forgets at once. An object
 * leaves the table (ids, enumeration) when it has no fd, no pin and no holder outside the
 * table (a program holding a map, a prog array holding a program, a link holding its
 * program), as Linux frees it; that too is noticed by the sweep.
 *
 * Ids. Programs keep the id runtime_prog_load gave them; maps and links get one from the
 * table when they first enter it. Ids are never reused. Each kind has its own id space, as
 * in Linux. A program entering the table brings its maps in (without fds), so that the
 * map ids a program reports can be looked up.
 *
 * Pins. Paths are "/sys/fs/bpf/NAME", NAME possibly with '/' (directories exist implicitly
 * while something is pinned below them). A pin holds the object like an fd does. Errors as
 * Linux gives them: -EPERM outside /sys/fs/bpf, -EINVAL for an empty NAME or a component
 * that is empty, "." or "..", -ENAMETOOLONG, -EEXIST (path taken, by an object or a
 * directory), -ENOTDIR (a component is a pinned object), -ENOENT (nothing there), -EISDIR
 * (unpinning a directory). Pins live as long as the process: they are its /sys/fs/bpf.
 *
 * Every function is thread-safe (one table lock; object code never runs under it except
 * reference drops). Objects returned to the caller carry a reference the caller drops. */
#ifndef BPFHOST_RUNTIME_HANDLES_H
#define BPFHOST_RUNTIME_HANDLES_H

#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "runtime/link.h"
#include "runtime/prog.h"

enum handle_kind {
    HANDLE_PROG = 1,
    HANDLE_MAP,
    HANDLE_LINK,
};

#define HANDLES_PIN_ROOT "/sys/fs/bpf/"
enum { HANDLES_PATH_MAX = 4096, HANDLES_NAME_MAX = 255 };

/* An object of any kind with a reference for its holder. */
struct handle_object {
    enum handle_kind kind;
    union {
        struct runtime_prog *prog;
        struct bpfhost_map *map;
        struct runtime_link *link;
        void *any;
    };
};

/* A new fd for the object; the table takes its own reference. Returns the fd or -errno
 * (-EMFILE when the host has no descriptor left). */
int handles_prog_fd(struct runtime_prog *prog);
int handles_map_fd(struct bpfhost_map *map);
int handles_link_fd(struct runtime_link *link);

/* The object behind fd, with a reference. -EBADF: not a handle (never was, or closed);
 * -EINVAL: a handle of another kind (as Linux's bpf_map_get on a program fd). */
int handles_prog_from_fd(int fd, struct runtime_prog **out);
int handles_map_from_fd(int fd, struct bpfhost_map **out);
int handles_link_from_fd(int fd, struct runtime_link **out);
int handles_object_from_fd(int fd, struct handle_object *out);
void handle_object_put(struct handle_object *object);

/* BPF_MAP_FREEZE: from now on the map refuses writes through any fd (programs still write).
 * -EBUSY when already frozen, -EBADF, -EINVAL for a non-map fd. */
int handles_map_freeze(int fd);
/* handles_map_from_fd for writing: -EPERM when the map is frozen. */
int handles_writable_map_from_fd(int fd, struct bpfhost_map **out);

/* Closes fd and drops its reference now. -EBADF when fd is not a handle. */
int handles_close(int fd);

/* The smallest id above start_id of a live object of that kind: 0 and *next_id, or -ENOENT. */
int handles_get_next_id(enum handle_kind kind, uint32_t start_id, uint32_t *next_id);
/* A new fd for the object with that id, or -ENOENT. */
int handles_fd_by_id(enum handle_kind kind, uint32_t id);
/* The object with that id, with a reference; -ENOENT. */
int handles_object_by_id(enum handle_kind kind, uint32_t id, struct handle_object *out);

/* Pins the object behind fd at path. */
int handles_pin(int fd, const char *path);
/* A new fd for the object pinned at path. */
int handles_get_pinned(const char *path);
/* The object pinned at path, with a reference. */
int handles_pinned_object(const char *path, struct handle_object *out);
/* Removes the pin; the object goes when nothing else holds it. */
int handles_unpin(const char *path);
/* Pinned paths in order: the first one after `after` (NULL or "": the first) is copied to
 * path. 0, -ENOENT after the last, -ENAMETOOLONG when path_size is too small. */
int handles_next_pin(const char *after, char *path, size_t path_size);

/* Forgets closed fds and releases objects nothing holds any more. */
void handles_sweep(void);

#endif
