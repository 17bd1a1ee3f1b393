/* Publishing attached XDP programs: a locked shared state file and a control socket per
 * interface. */
#include "hooks/xdp_registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/message.h"
#include "platform/run_dir.h"

#define STATE_MAGIC 0x50445842u /* "BXDP" */
enum { REQUEST_MAX = 1024, WAIT_STEP_MS = 20 };

struct hook_xdp_publication {
    int state_fd, control_fd;
    struct hook_xdp_state *state;
    char state_path[PATH_MAX], control_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

const char *hook_xdp_registry_dir(void)
{
    const char *dir = getenv("BPFHOST_RUN_DIR");
    return dir && *dir ? dir : "/run/bpfhost/xdp";
}

static bool valid_ifname(const char *name)
{
    size_t len = strlen(name);
    return len && len < 16 && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

static int paths(const char *dir, const char *ifname, char *state, size_t state_size, char *control,
                 size_t control_size, char *msg, size_t msg_size)
{
    if (!valid_ifname(ifname))
        return msg_error(-EINVAL, msg, msg_size, "'%s' is not an interface name", ifname);
    if ((size_t)snprintf(state, state_size, "%s/%s.state", dir, ifname) >= state_size ||
        (control && (size_t)snprintf(control, control_size, "%s/%s.sock", dir, ifname) >= control_size))
        return msg_error(-ENAMETOOLONG, msg, msg_size, "run directory '%s' is too long a path", dir);
    return 0;
}

/* Opens path and takes its lock without waiting; retries when the file was replaced while
 * we waited (a reader removing a stale state). Returns the fd, -EWOULDBLOCK when a live
 * process holds the lock, or another negative errno. */
static int open_locked(const char *path, int flags)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(path, flags | O_CLOEXEC, 0644);
        if (fd < 0)
            return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB)) {
            int err = -errno;
            close(fd);
            return err;
        }
        struct stat by_fd, by_path;
        if (!fstat(fd, &by_fd) && !stat(path, &by_path) && by_fd.st_ino == by_path.st_ino &&
            by_fd.st_dev == by_path.st_dev)
            return fd;
        close(fd); /* removed or replaced meanwhile: the lock is on a dead inode */
    }
    return -EAGAIN;
}

static int read_state(int fd, struct hook_xdp_state *state)
{
    struct stat st;
    if (fstat(fd, &st) || (size_t)st.st_size < sizeof *state)
        return -EINVAL;
    void *map = mmap(NULL, sizeof *state, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return -errno;
    const struct hook_xdp_state *shared = map;
    int err = 0;
    if (__atomic_load_n(&shared->magic, __ATOMIC_ACQUIRE) != STATE_MAGIC ||
        shared->version != HOOK_XDP_STATE_VERSION || shared->size != sizeof *state)
        err = -EPROTO;
    else
        memcpy(state, shared, sizeof *state);
    munmap(map, sizeof *state);
    state->ifname[sizeof state->ifname - 1] = state->peer_ifname[sizeof state->peer_ifname - 1] = 0;
    state->program[sizeof state->program - 1] = state->object[sizeof state->object - 1] = 0;
    state->engine[sizeof state->engine - 1] = 0;
    return err;
}

int hook_xdp_publish(const char *dir, const struct hook_xdp_state *info,
                     struct hook_xdp_publication **out, char *msg, size_t msg_size)
{
    *out = NULL;
    struct hook_xdp_publication *pub = calloc(1, sizeof *pub);
    if (!pub)
        return msg_error(-ENOMEM, msg, msg_size, "out of memory publishing the XDP attachment");
    pub->state_fd = pub->control_fd = -1;
    int err = paths(dir, info->ifname, pub->state_path, sizeof pub->state_path, pub->control_path,
                    sizeof pub->control_path, msg, msg_size);
    if (err) {
        free(pub);
        return err;
    }
    err = platform_make_dir(dir);
    if (err) {
        free(pub);
        return msg_error(err, msg, msg_size, "cannot create run directory %s: %s", dir, strerror(-err));
    }
    pub->state_fd = open_locked(pub->state_path, O_RDWR | O_CREAT);
    if (pub->state_fd < 0) {
        err = pub->state_fd;
        struct hook_xdp_state other;
        int fd = open(pub->state_path, O_RDONLY | O_CLOEXEC);
        bool known = fd >= 0 && !read_state(fd, &other);
        if (fd >= 0)
            close(fd);
        free(pub);
        if (err == -EWOULDBLOCK)
            return known ? msg_error(-EBUSY, msg, msg_size, "%s already runs XDP program '%s' (pid %d); "
                                     "detach it first", info->ifname, other.program, other.pid)
                         : msg_error(-EBUSY, msg, msg_size, "%s is being attached by another process",
                                     info->ifname);
        return msg_error(err, msg, msg_size, "%s: %s", pub->state_path, strerror(-err));
    }
    const char *step = "ftruncate";
    if (!ftruncate(pub->state_fd, 0) && !ftruncate(pub->state_fd, sizeof *pub->state)) {
        step = "mmap";
        void *map = mmap(NULL, sizeof *pub->state, PROT_READ | PROT_WRITE, MAP_SHARED, pub->state_fd, 0);
        if (map != MAP_FAILED) {
            pub->state = map;
            step = NULL;
        }
    }
    if (step) {
        err = -errno;
        msg_set(msg, msg_size, "%s: %s: %s", pub->state_path, step, strerror(errno));
        hook_xdp_withdraw(pub);
        return err;
    }
    memcpy(pub->state, info, sizeof *info);
    memset(&pub->state->counters, 0, sizeof pub->state->counters);
    pub->state->version = HOOK_XDP_STATE_VERSION;
    pub->state->size = sizeof *pub->state;
    pub->state->pid = getpid();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    pub->state->started_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, pub->control_path, sizeof addr.sun_path);
    unlink(pub->control_path); /* a leftover of a process that died: we hold the lock now */
    pub->control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    /* Nobody can connect before listen(), so making it 0600 in between leaves no window. */
    step = pub->control_fd < 0 ? "socket"
         : bind(pub->control_fd, (struct sockaddr *)&addr, sizeof addr) ? "bind"
         : chmod(pub->control_path, 0600) ? "chmod"
         : listen(pub->control_fd, 8) ? "listen" : NULL;
    if (step) {
        err = -errno;
        msg_set(msg, msg_size, "control socket %s: %s: %s", pub->control_path, step, strerror(errno));
        hook_xdp_withdraw(pub);
        return err;
    }
    *out = pub;
    return 0;
}

void hook_xdp_publication_activate(struct hook_xdp_publication *pub)
{
    __atomic_store_n(&pub->state->magic, STATE_MAGIC, __ATOMIC_RELEASE);
}

struct hook_xdp_counters *hook_xdp_publication_counters(struct hook_xdp_publication *pub)
{
    return &pub->state->counters;
}

int hook_xdp_publication_control_fd(const struct hook_xdp_publication *pub) { return pub->control_fd; }

int hook_xdp_publication_serve(struct hook_xdp_publication *pub, hook_xdp_control_fn handler, void *ctx)
{
    int conn = accept4(pub->control_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    struct timeval timeout = {.tv_sec = 1};
    setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    char request[REQUEST_MAX];
    size_t len = 0;
    while (len < sizeof request - 1) {
        ssize_t n = read(conn, request + len, sizeof request - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(request, '\n', len))
            break;
    }
    request[len] = 0;
    request[strcspn(request, "\n")] = 0;
    FILE *reply = fdopen(conn, "w");
    if (!reply) {
        close(conn);
        return -ENOMEM;
    }
    handler(request, reply, ctx);
    fclose(reply);
    return 0;
}

void hook_xdp_withdraw(struct hook_xdp_publication *pub)
{
    if (!pub)
        return;
    if (pub->control_fd >= 0) {
        close(pub->control_fd);
        unlink(pub->control_path);
    }
    if (pub->state_fd >= 0) {
        unlink(pub->state_path); /* before unlocking: nobody can take over a removed file */
        close(pub->state_fd);
    }
    if (pub->state)
        munmap(pub->state, sizeof *pub->state);
    free(pub);
}

/* Reads the state at path into entry. A state whose lock is free is stale: it is removed
 * (under its lock, so that a new attachment is never removed). */
static int inspect(const char *dir, const char *ifname, struct hook_xdp_entry *entry)
{
    char state_path[PATH_MAX], control_path[PATH_MAX];
    int err = paths(dir, ifname, state_path, sizeof state_path, control_path, sizeof control_path, NULL, 0);
    if (err)
        return err;
    memset(entry, 0, sizeof *entry);
    int fd = open(state_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    err = read_state(fd, &entry->state);
    bool live = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
    close(fd);
    if (live)
        return err;
    if (err) /* no readable state: still name the interface */
        snprintf(entry->state.ifname, sizeof entry->state.ifname, "%s", ifname);
    fd = open_locked(state_path, O_RDWR);
    if (fd < 0)
        return fd == -EWOULDBLOCK ? -EAGAIN : fd; /* just attached meanwhile */
    unlink(control_path);
    unlink(state_path);
    close(fd);
    entry->stale = true;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int hook_xdp_registry_list(const char *dir, void (*fn)(const struct hook_xdp_entry *entry, void *ctx),
                           void *ctx, char *msg, size_t msg_size)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : msg_error(-errno, msg, msg_size, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t count = 0, capacity = 0;
    int err = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= 6 || strcmp(e->d_name + len - 6, ".state"))
            continue;
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            char **grown = realloc(names, capacity * sizeof *names);
            if (!grown) {
                err = -ENOMEM;
                break;
            }
            names = grown;
        }
        names[count] = strndup(e->d_name, len - 6);
        if (!names[count]) {
            err = -ENOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (!err) {
        if (count)
            qsort(names, count, sizeof *names, compare_names);
        for (size_t i = 0; i < count; i++) {
            struct hook_xdp_entry entry;
            if (!inspect(dir, names[i], &entry))
                fn(&entry, ctx);
        }
    } else {
        msg_set(msg, msg_size, "out of memory listing %s", dir);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return err;
}

int hook_xdp_registry_find(const char *dir, const char *ifname, struct hook_xdp_entry *entry,
                           char *msg, size_t msg_size)
{
    int err = inspect(dir, ifname, entry);
    if (err == -ENOENT)
        return msg_error(-ENOENT, msg, msg_size, "no XDP program is attached to %s", ifname);
    if (err)
        return msg_error(err, msg, msg_size, "%s: cannot read its XDP state: %s", ifname, strerror(-err));
    if (entry->stale)
        return msg_error(-ENOENT, msg, msg_size, "no XDP program is attached to %s (the process %d "
                         "that attached '%s' is gone; its state was removed)", ifname,
                         entry->state.pid, entry->state.program);
    return 0;
}

int hook_xdp_registry_request(const char *dir, const char *ifname, const char *request, FILE *out,
                              char *msg, size_t msg_size)
{
    struct hook_xdp_entry entry;
    int err = hook_xdp_registry_find(dir, ifname, &entry, msg, msg_size);
    if (err)
        return err;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char state_path[PATH_MAX];
    err = paths(dir, ifname, state_path, sizeof state_path, addr.sun_path, sizeof addr.sun_path, msg, msg_size);
    if (err)
        return err;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return msg_error(-errno, msg, msg_size, "socket: %s", strerror(errno));
    struct timeval timeout = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr)) {
        err = -errno;
        close(fd);
        return msg_error(err, msg, msg_size, "%s: %s", addr.sun_path, strerror(-err));
    }
    size_t len = strlen(request);
    if (write(fd, request, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
        err = -errno;
        close(fd);
        return msg_error(err, msg, msg_size, "%s: sending the request: %s", addr.sun_path, strerror(-err));
    }
    shutdown(fd, SHUT_WR);
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0)
        fwrite(buffer, 1, (size_t)n, out);
    err = n < 0 ? -errno : 0;
    close(fd);
    if (err)
        return msg_error(err, msg, msg_size, "%s: reading the answer: %s", addr.sun_path, strerror(-err));
    return 0;
}

int hook_xdp_registry_stop(const char *dir, const char *ifname, unsigned timeout_ms, char *msg,
                           size_t msg_size)
{
    struct hook_xdp_entry entry;
    int err = hook_xdp_registry_find(dir, ifname, &entry, msg, msg_size);
    if (err)
        return err;
    if (kill(entry.state.pid, SIGTERM))
        return msg_error(-errno, msg, msg_size, "stopping pid %d (attached to %s): %s", entry.state.pid,
                         ifname, strerror(errno));
    char state_path[PATH_MAX];
    paths(dir, ifname, state_path, sizeof state_path, NULL, 0, NULL, 0);
    for (unsigned waited = 0; waited <= timeout_ms; waited += WAIT_STEP_MS) {
        if (access(state_path, F_OK)) /* withdrawn: the process removes it before exiting */
            return 0;
        err = inspect(dir, ifname, &entry);
        if (err == -ENOENT || (!err && entry.stale))
            return 0;
        poll(NULL, 0, WAIT_STEP_MS);
    }
    return msg_error(-ETIMEDOUT, msg, msg_size, "pid %d did not detach from %s within %u ms",
                     entry.state.pid, ifname, timeout_ms);
}
