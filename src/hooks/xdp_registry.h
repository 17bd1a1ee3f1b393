/* The registry of XDP programs attached by running processes (hooks layer).
 *
 * A process that attaches (bpfhost xdp attach) publishes its attachment in a run directory
 * (default /run/bpfhost/xdp, or $BPFHOST_RUN_DIR):
 *  - IFACE.state: a small fixed-layout file that the attaching process maps shared and
 *    keeps locked (flock, exclusive) for as long as it runs. It holds who attached what
 *    (pid, program, object, mode, peer) and the live per-worker counters, which the workers
 *    update in place: any reader maps it and sums them without talking to the process.
 *    The lock is the liveness test: a process that dies, however it dies, loses it, so a
 *    state file whose lock can be taken is stale; readers remove such leftovers.
 *  - IFACE.sock: a Unix stream socket (mode 0600) on which the process answers one-line
 *    requests such as "maps" (the current contents of the program's maps) while it runs:
 *    maps live in the attaching process, so reading them asks that process.
 * One interface has at most one attachment: a second publish gets -EBUSY. */
#ifndef BPFHOST_HOOKS_XDP_REGISTRY_H
#define BPFHOST_HOOKS_XDP_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hooks/xdp_counters.h"

enum { HOOK_XDP_STATE_VERSION = 1 };

/* The state file's layout (one version per layout change). */
struct hook_xdp_state {
    uint32_t magic;           /* written last: a reader never sees a half-filled file */
    uint32_t version;
    uint32_t size;            /* sizeof(struct hook_xdp_state) */
    int32_t pid;
    uint64_t started_ns;      /* CLOCK_REALTIME */
    uint32_t ifindex, peer_ifindex;
    uint32_t mode;            /* enum hook_xdp_mode */
    char ifname[16], peer_ifname[16];
    char program[64];
    char object[256];
    char engine[48];          /* how the program runs, e.g. "checked interpreter" */
    struct hook_xdp_counters counters;
};

/* The run directory: $BPFHOST_RUN_DIR when set, else /run/bpfhost/xdp. */
const char *hook_xdp_registry_dir(void);

/* --- the attaching process --------------------------------------------------------------- */

struct hook_xdp_publication;

/* Claims ifname in dir and writes info (ifname, program, ... ; magic, version, size, pid and
 * counters are filled here), not yet visible to readers: call hook_xdp_publication_activate
 * once the datapath runs. Returns 0 and *out, -EBUSY when a live process has the interface,
 * or another negative errno, with msg. */
int hook_xdp_publish(const char *dir, const struct hook_xdp_state *info,
                     struct hook_xdp_publication **out, char *msg, size_t msg_size);

/* Makes the state visible to readers (show, detach). */
void hook_xdp_publication_activate(struct hook_xdp_publication *pub);

/* The counters inside the shared state: pass them to hook_xdp_attach. */
struct hook_xdp_counters *hook_xdp_publication_counters(struct hook_xdp_publication *pub);

/* The listening control socket: poll it for POLLIN, then call hook_xdp_publication_serve. */
int hook_xdp_publication_control_fd(const struct hook_xdp_publication *pub);

/* Answers one request: handler(request line without newline, reply stream, ctx). A client
 * that sends nothing within a second is dropped. Returns 0 or a negative errno. */
typedef void (*hook_xdp_control_fn)(const char *request, FILE *reply, void *ctx);
int hook_xdp_publication_serve(struct hook_xdp_publication *pub, hook_xdp_control_fn handler, void *ctx);

/* Removes the state and the socket and releases the lock. NULL is allowed. */
void hook_xdp_withdraw(struct hook_xdp_publication *pub);

/* --- readers ----------------------------------------------------------------------------- */

struct hook_xdp_entry {
    struct hook_xdp_state state;  /* a snapshot, counters included */
    bool stale;                   /* its process is gone (the entry has been removed) */
};

/* Calls fn for every published attachment, sorted by interface name; stale ones are
 * reported once with stale set, and removed. Returns 0 (also for a missing directory) or
 * a negative errno. */
int hook_xdp_registry_list(const char *dir, void (*fn)(const struct hook_xdp_entry *entry, void *ctx),
                           void *ctx, char *msg, size_t msg_size);

/* The live attachment on ifname: 0 with *entry, -ENOENT (none, or a stale one, which is
 * removed; msg tells which), or another negative errno. */
int hook_xdp_registry_find(const char *dir, const char *ifname, struct hook_xdp_entry *entry,
                           char *msg, size_t msg_size);

/* Sends request to the process attached on ifname and copies its answer to out. */
int hook_xdp_registry_request(const char *dir, const char *ifname, const char *request, FILE *out,
                              char *msg, size_t msg_size);

/* Asks the process attached on ifname to stop (SIGTERM) and waits up to timeout_ms for it
 * to withdraw. Returns 0, -ENOENT, -ETIMEDOUT or another negative errno. */
int hook_xdp_registry_stop(const char *dir, const char *ifname, unsigned timeout_ms, char *msg,
                           size_t msg_size);

#endif
