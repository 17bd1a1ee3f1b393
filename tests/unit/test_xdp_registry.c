/* The registry of attached XDP programs (hooks/xdp_registry) and the counters it shares
 * (hooks/xdp_counters): publishing, listing, live counters, the control socket, stale
 * state of dead processes, stopping, bad names. */
#include "hooks/xdp_registry.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/bpfhost-registry-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

static struct hook_xdp_state info_for(const char *ifname)
{
    struct hook_xdp_state info = {.ifindex = 7, .peer_ifindex = 8, .mode = 0};
    snprintf(info.ifname, sizeof info.ifname, "%s", ifname);
    snprintf(info.peer_ifname, sizeof info.peer_ifname, "peer0");
    snprintf(info.program, sizeof info.program, "xdp_prog");
    snprintf(info.engine, sizeof info.engine, "checked interpreter");
    return info;
}

struct listing {
    int count, stale;
    char names[8][16];
};

static void collect(const struct hook_xdp_entry *entry, void *ctx)
{
    struct listing *l = ctx;
    if (l->count < 8)
        snprintf(l->names[l->count], 16, "%s", entry->state.ifname);
    l->count++;
    l->stale += entry->stale;
}

TEST(publish_list_find_withdraw)
{
    make_dir();
    char msg[256];
    struct hook_xdp_publication *a, *b;
    struct hook_xdp_state info = info_for("veth1");
    CHECK_EQ(hook_xdp_publish(dir, &info, &a, msg, sizeof msg), 0);
    info = info_for("eth0");
    CHECK_EQ(hook_xdp_publish(dir, &info, &b, msg, sizeof msg), 0);
    struct listing l = {0};
    CHECK_EQ(hook_xdp_registry_list(dir, collect, &l, msg, sizeof msg), 0);
    CHECK_EQ(l.count, 0); /* not active yet: readers do not see a half-started attachment */
    hook_xdp_publication_activate(a);
    hook_xdp_publication_activate(b);
    CHECK_EQ(hook_xdp_registry_list(dir, collect, &l, msg, sizeof msg), 0);
    CHECK_EQ(l.count, 2);
    CHECK_STR(l.names[0], "eth0"); /* sorted */
    CHECK_STR(l.names[1], "veth1");
    CHECK_EQ(l.stale, 0);

    struct hook_xdp_counters *counters = hook_xdp_publication_counters(a);
    atomic_store(&counters->worker_count, 2);
    atomic_store(&counters->worker[0].stat[HOOK_XDP_STAT_PASS], 5);
    atomic_store(&counters->worker[1].stat[HOOK_XDP_STAT_PASS], 6);
    atomic_store(&counters->worker[1].stat[HOOK_XDP_STAT_DROP], 1);
    struct hook_xdp_entry entry;
    CHECK_EQ(hook_xdp_registry_find(dir, "veth1", &entry, msg, sizeof msg), 0);
    CHECK_EQ(entry.state.pid, getpid());
    CHECK_STR(entry.state.program, "xdp_prog");
    CHECK_STR(entry.state.peer_ifname, "peer0");
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    hook_xdp_counters_sum(&entry.state.counters, totals);
    CHECK_EQ(totals[HOOK_XDP_STAT_PASS], 11);
    CHECK_EQ(totals[HOOK_XDP_STAT_DROP], 1);
    CHECK_EQ(hook_xdp_counters_frames(totals), 12);

    hook_xdp_withdraw(a);
    CHECK_EQ(hook_xdp_registry_find(dir, "veth1", &entry, msg, sizeof msg), -ENOENT);
    CHECK_CONTAINS(msg, "no XDP program is attached to veth1");
    hook_xdp_withdraw(b);
    l.count = 0;
    CHECK_EQ(hook_xdp_registry_list(dir, collect, &l, msg, sizeof msg), 0);
    CHECK_EQ(l.count, 0);
    remove_dir();
}

TEST(second_publisher_is_refused)
{
    make_dir();
    char msg[256];
    struct hook_xdp_publication *a, *b = NULL;
    struct hook_xdp_state info = info_for("veth1");
    CHECK_EQ(hook_xdp_publish(dir, &info, &a, msg, sizeof msg), 0);
    hook_xdp_publication_activate(a);
    CHECK_EQ(hook_xdp_publish(dir, &info, &b, msg, sizeof msg), -EBUSY);
    CHECK(b == NULL);
    CHECK_CONTAINS(msg, "already runs XDP program 'xdp_prog'");
    hook_xdp_withdraw(a);
    CHECK_EQ(hook_xdp_publish(dir, &info, &b, msg, sizeof msg), 0);
    hook_xdp_withdraw(b);
    remove_dir();
}

TEST(dead_process_leaves_stale_state_that_readers_remove)
{
    make_dir();
    pid_t child = fork();
    if (child == 0) {
        struct hook_xdp_publication *pub;
        struct hook_xdp_state info = info_for("veth9");
        if (hook_xdp_publish(dir, &info, &pub, NULL, 0))
            _exit(1);
        hook_xdp_publication_activate(pub);
        _exit(0); /* dies without withdrawing */
    }
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char msg[256];
    struct hook_xdp_entry entry;
    CHECK_EQ(hook_xdp_registry_find(dir, "veth9", &entry, msg, sizeof msg), -ENOENT);
    CHECK_CONTAINS(msg, "is gone");
    CHECK_EQ(entry.state.pid, child);
    char path[128];
    snprintf(path, sizeof path, "%s/veth9.state", dir);
    CHECK(access(path, F_OK) != 0); /* removed */
    snprintf(path, sizeof path, "%s/veth9.sock", dir);
    CHECK(access(path, F_OK) != 0);
    remove_dir();
}

TEST(stale_state_is_listed_once)
{
    make_dir();
    pid_t child = fork();
    if (child == 0) {
        struct hook_xdp_publication *pub;
        struct hook_xdp_state info = info_for("veth8");
        _exit(hook_xdp_publish(dir, &info, &pub, NULL, 0) ? 1 : 0);
    }
    int status;
    waitpid(child, &status, 0);
    struct listing l = {0};
    char msg[256];
    CHECK_EQ(hook_xdp_registry_list(dir, collect, &l, msg, sizeof msg), 0);
    CHECK_EQ(l.count, 1);
    CHECK_EQ(l.stale, 1);
    CHECK_STR(l.names[0], "veth8");
    l = (struct listing){0};
    CHECK_EQ(hook_xdp_registry_list(dir, collect, &l, msg, sizeof msg), 0);
    CHECK_EQ(l.count, 0);
    remove_dir();
}

static void answer(const char *request, FILE *reply, void *ctx)
{
    (*(int *)ctx)++;
    fprintf(reply, "you asked '%s'\n", request);
}

struct client {
    char reply[256];
    int err;
};

static void *ask(void *arg)
{
    struct client *c = arg;
    FILE *out = fmemopen(c->reply, sizeof c->reply, "w");
    char msg[256];
    c->err = hook_xdp_registry_request(dir, "veth1", "maps", out, msg, sizeof msg);
    fclose(out);
    return NULL;
}

TEST(control_socket_answers_requests)
{
    make_dir();
    char msg[256];
    struct hook_xdp_publication *pub;
    struct hook_xdp_state info = info_for("veth1");
    CHECK_EQ(hook_xdp_publish(dir, &info, &pub, msg, sizeof msg), 0);
    hook_xdp_publication_activate(pub);
    char path[128];
    snprintf(path, sizeof path, "%s/veth1.sock", dir);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600); /* only its owner may ask */
    struct client c = {{0}, -1};
    pthread_t thread;
    pthread_create(&thread, NULL, ask, &c);
    int served = 0;
    while (!served)
        CHECK_EQ(hook_xdp_publication_serve(pub, answer, &served), 0);
    pthread_join(thread, NULL);
    CHECK_EQ(c.err, 0);
    CHECK_STR(c.reply, "you asked 'maps'\n");
    CHECK_EQ(hook_xdp_registry_request(dir, "nope0", "maps", stdout, msg, sizeof msg), -ENOENT);
    hook_xdp_withdraw(pub);
    remove_dir();
}

TEST(stop_signals_the_publisher_and_waits)
{
    make_dir();
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    int ready[2];
    CHECK_EQ(pipe(ready), 0);
    pid_t child = fork();
    if (child == 0) {
        struct hook_xdp_publication *pub;
        struct hook_xdp_state info = info_for("veth2");
        if (hook_xdp_publish(dir, &info, &pub, NULL, 0))
            _exit(1);
        hook_xdp_publication_activate(pub);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        int sig;
        sigwait(&term, &sig);
        hook_xdp_withdraw(pub);
        _exit(0);
    }
    sigprocmask(SIG_UNBLOCK, &term, NULL);
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    char msg[256];
    CHECK_EQ(hook_xdp_registry_stop(dir, "veth2", 5000, msg, sizeof msg), 0);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(hook_xdp_registry_stop(dir, "veth2", 100, msg, sizeof msg), -ENOENT);
    close(ready[0]);
    close(ready[1]);
    remove_dir();
}

TEST(bad_names_and_directories)
{
    make_dir();
    char msg[256];
    struct hook_xdp_publication *pub = NULL;
    struct hook_xdp_state info = info_for("../etc");
    CHECK_EQ(hook_xdp_publish(dir, &info, &pub, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "not an interface name");
    info = info_for("");
    CHECK_EQ(hook_xdp_publish(dir, &info, &pub, msg, sizeof msg), -EINVAL);
    struct hook_xdp_entry entry;
    CHECK_EQ(hook_xdp_registry_find(dir, "..", &entry, msg, sizeof msg), -EINVAL);
    info = info_for("veth1");
    CHECK(hook_xdp_publish("/proc/bpfhost-cannot-be-here", &info, &pub, msg, sizeof msg) < 0);
    CHECK_CONTAINS(msg, "cannot create run directory");
    CHECK(pub == NULL);
    struct listing l = {0};
    CHECK_EQ(hook_xdp_registry_list("/nonexistent/bpfhost", collect, &l, msg, sizeof msg), 0);
    CHECK_EQ(l.count, 0);
    /* A file that is not a state file is not trusted. */
    char path[128];
    snprintf(path, sizeof path, "%s/junk0.state", dir);
    FILE *junk = fopen(path, "w");
    fputs("junk", junk);
    fclose(junk);
    CHECK_EQ(hook_xdp_registry_find(dir, "junk0", &entry, msg, sizeof msg), -ENOENT);
    CHECK(hook_xdp_stat_name(HOOK_XDP_STAT_COUNT) == NULL);
    CHECK_STR(hook_xdp_stat_name(HOOK_XDP_STAT_PASS), "XDP_PASS");
    remove_dir();
}

TEST_MAIN
