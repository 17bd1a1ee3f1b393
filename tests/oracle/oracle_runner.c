/* The differential oracle's runner. One source, built twice by tests/suites/kernel_oracle.sh:
 * against Debian's libbpf (-lbpf: the Linux kernel loads, verifies and test-runs) and,
 * unchanged, against bpfhost's include/ and libbpfhost.a. Both builds print the same lines
 * for the same object and inputs, so a difference between the two outputs is a difference
 * between the kernel and bpfhost.
 *
 *   oracle_runner gen SEED COUNT PCAP   print inputs (one "input IDX HEX" line each): the
 *                                       capture's frames, then COUNT generated ones
 *   oracle_runner probe                 exit 0 when this process may load programs
 *   oracle_runner run OBJ INPUTS        for every program of OBJ: load it alone, say whether
 *                                       the verifier accepted it, test-run every input (with
 *                                       and without a context) and print the answers
 *
 * Lines of `run` (the suite compares them):
 *   load PROG TYPE ok | load PROG TYPE fail -ERRNO
 *   skip PROG REASON                         (not test-runnable, or not deterministic)
 *   run PROG IDX CTXVARIANT ret=R err=E data=HEX ctx=HEX maps=DIGEST
 *   map PROG MAP KEYHEX VALHEX               (the maps after the last input, sorted)
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

enum { MAX_FRAME = 4096, MAX_INPUTS = 4096, DATA_OUT_SIZE = 8192 };

struct input {
    unsigned char *bytes;
    size_t len;
};

/* --- small utilities --------------------------------------------------------------------- */

static void print_hex(const void *p, size_t n)
{
    const unsigned char *b = p;
    if (n == 0)
        fputc('-', stdout);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* --- the input generator ----------------------------------------------------------------- */

static void emit(unsigned idx, const unsigned char *b, size_t n)
{
    printf("input %u ", idx);
    print_hex(b, n);
    fputc('\n', stdout);
}

static size_t read_pcap(const char *path, struct input *out, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char hdr[24], rec[16];
    size_t count = 0;
    if (fread(hdr, 1, sizeof hdr, f) == sizeof hdr && hdr[0] == 0xd4 && hdr[1] == 0xc3) {
        while (count < max && fread(rec, 1, sizeof rec, f) == sizeof rec) {
            uint32_t incl = (uint32_t)rec[8] | (uint32_t)rec[9] << 8 | (uint32_t)rec[10] << 16 |
                            (uint32_t)rec[11] << 24;
            if (incl > MAX_FRAME)
                break;
            out[count].bytes = malloc(incl ? incl : 1);
            if (!out[count].bytes || fread(out[count].bytes, 1, incl, f) != incl)
                break;
            out[count++].len = incl;
        }
    }
    fclose(f);
    return count;
}

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }

static uint16_t ip_checksum(const unsigned char *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* An Ethernet + IPv4 (random options) + UDP/TCP/ICMP frame with a valid header checksum. */
static size_t make_ipv4(unsigned char *f)
{
    static const unsigned protos[] = {17, 6, 1};
    unsigned opt_words = rnd() % 4 == 0 ? rnd() % 3 + 1 : 0;
    unsigned proto = protos[rnd() % 3], l4 = proto == 6 ? 20 : 8, payload = rnd() % 64;
    size_t ihl = 20 + 4 * opt_words, len = 14 + ihl + l4 + payload;
    for (size_t i = 0; i < len; i++)
        f[i] = (unsigned char)rnd();
    put16(f + 12, 0x0800);
    unsigned char *ip = f + 14;
    ip[0] = (unsigned char)(0x40 | (ihl / 4));
    put16(ip + 2, (unsigned)(ihl + l4 + payload));
    ip[6] = ip[7] = 0;
    ip[9] = (unsigned char)proto;
    for (unsigned i = 0; i < opt_words * 4; i++)
        ip[20 + i] = 1; /* NOP options */
    ip[10] = ip[11] = 0;
    put16(ip + 10, ip_checksum(ip, ihl));
    unsigned char *l4h = ip + ihl;
    if (rnd() % 2) /* the well-known ports the example programs test */
        put16(l4h + 2, (unsigned[]){7, 9000, 53, 80, 443, 22}[rnd() % 6]);
    if (proto == 6)
        l4h[12] = 0x50;
    return len;
}

/* Ethernet + IPv6 with a chain of extension headers, then UDP or TCP. */
static size_t make_ipv6(unsigned char *f)
{
    size_t len = 14 + 40;
    for (size_t i = 0; i < 200; i++)
        f[i] = (unsigned char)rnd();
    put16(f + 12, 0x86dd);
    unsigned char *ip = f + 14, *next = ip + 6;
    ip[0] = 0x60;
    static const unsigned ext[] = {0, 43, 60, 44};
    unsigned n = rnd() % 4;
    for (unsigned i = 0; i < n; i++) {
        unsigned type = ext[rnd() % 4];
        *next = (unsigned char)type;
        unsigned char *h = f + len;
        next = h;
        if (type == 44) {
            h[1] = 0;
            len += 8;
        } else {
            h[1] = (unsigned char)(rnd() % 2);
            len += 8 + 8 * h[1];
        }
    }
    unsigned proto = rnd() % 2 ? 17 : 6;
    *next = (unsigned char)proto;
    len += proto == 6 ? 20 : 8;
    len += rnd() % 32;
    put16(ip + 4, (unsigned)(len - 54));
    ip[7] = 64;
    return len;
}

/* Inserts an 802.1Q (sometimes QinQ) tag after the addresses. */
static size_t add_vlan(unsigned char *f, size_t len)
{
    if (len < 14 || len + 8 > MAX_FRAME)
        return len;
    unsigned tags = rnd() % 3 == 0 ? 2 : 1;
    memmove(f + 12 + 4 * tags, f + 12, len - 12);
    for (unsigned t = 0; t < tags; t++) {
        put16(f + 12 + 4 * t, tags == 2 && t == 0 ? 0x88a8 : 0x8100);
        put16(f + 14 + 4 * t, rnd() % 4096);
    }
    return len + 4 * tags;
}

static int generate(uint64_t seed, unsigned count, const char *pcap)
{
    static struct input frames[MAX_INPUTS];
    size_t nframes = read_pcap(pcap, frames, MAX_INPUTS);
    if (nframes == 0) {
        fprintf(stderr, "oracle_runner: no frames in %s\n", pcap);
        return 2;
    }
    unsigned idx = 0;
    for (size_t i = 0; i < nframes; i++)
        emit(idx++, frames[i].bytes, frames[i].len);
    /* The bounds every type shares: shorter than an Ethernet header, just one, and the
     * longest XDP frame Linux keeps linear (longer ones go to fragments, which bpfhost does
     * not have: docs/oracle.md). */
    static const size_t bounds[] = {13, 14, 3520};
    static unsigned char f[MAX_FRAME];
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        const struct input *base = &frames[i % nframes];
        memset(f, 0x5a, bounds[i]);
        memcpy(f, base->bytes, base->len < bounds[i] ? base->len : bounds[i]);
        emit(idx++, f, bounds[i]);
    }
    rng_state = seed ? seed : 1;
    for (unsigned i = 0; i < count; i++) {
        size_t len;
        switch (rnd() % 8) {
        case 0: /* random bytes, any length (also below an Ethernet header) */
            len = rnd() % 160;
            for (size_t j = 0; j < len; j++)
                f[j] = (unsigned char)rnd();
            break;
        case 1: /* a capture frame cut short */
        case 2: { /* a capture frame with a few bytes flipped */
            const struct input *base = &frames[rnd() % nframes];
            memcpy(f, base->bytes, base->len);
            len = base->len;
            if (i % 8 == 1)
                len = len ? rnd() % len : 0;
            else
                for (unsigned k = rnd() % 4 + 1; k > 0 && len; k--)
                    f[rnd() % len] ^= (unsigned char)(1u << (rnd() % 8));
            break;
        }
        case 3:
        case 4:
            len = make_ipv4(f);
            break;
        case 5:
            len = make_ipv6(f);
            break;
        case 6:
            len = add_vlan(f, rnd() % 2 ? make_ipv4(f) : make_ipv6(f));
            break;
        default: { /* odd lengths: a valid frame with 1-3 bytes appended */
            len = make_ipv4(f);
            for (unsigned k = rnd() % 3 + 1; k > 0; k--)
                f[len++] = (unsigned char)rnd();
        }
        }
        emit(idx++, f, len);
    }
    return 0;
}

/* --- maps -------------------------------------------------------------------------------- */

static int map_is_percpu(unsigned type)
{
    return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
           type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int map_is_keyed(unsigned type)
{
    return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_LRU_HASH ||
           type == BPF_MAP_TYPE_LPM_TRIE || type == BPF_MAP_TYPE_DEVMAP || map_is_percpu(type);
}

struct entry {
    unsigned char *bytes; /* key then value */
    size_t key_size, value_size;
};

static int compare_entries(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    return memcmp(x->bytes, y->bytes, x->key_size + x->value_size);
}

/* Reads every entry of a map without changing it (queues and stacks are drained and
 * refilled in their order), sorted by key, so that hash orders do not matter. */
static size_t map_entries(struct bpf_map *map, struct entry **out)
{
    unsigned type = bpf_map__type(map);
    int fd = bpf_map__fd(map);
    size_t ksz = bpf_map__key_size(map), vsz = bpf_map__value_size(map);
    if (map_is_percpu(type))
        vsz = ((vsz + 7) / 8 * 8) * (size_t)libbpf_num_possible_cpus();
    size_t max = bpf_map__max_entries(map), n = 0;
    struct entry *e = calloc(max ? max : 1, sizeof *e);
    if (!e)
        return 0;
    if (map_is_keyed(type)) {
        unsigned char *key = calloc(1, ksz + 1), *next = calloc(1, ksz + 1);
        int have = 0;
        while (key && next && n < max && bpf_map_get_next_key(fd, have ? key : NULL, next) == 0) {
            e[n].bytes = calloc(1, ksz + vsz);
            e[n].key_size = ksz;
            e[n].value_size = vsz;
            memcpy(e[n].bytes, next, ksz);
            if (bpf_map_lookup_elem(fd, next, e[n].bytes + ksz) == 0)
                n++;
            else
                free(e[n].bytes);
            memcpy(key, next, ksz);
            have = 1;
        }
        free(key);
        free(next);
        qsort(e, n, sizeof *e, compare_entries);
    } else if (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK) {
        while (n < max) {
            e[n].bytes = calloc(1, vsz);
            e[n].value_size = vsz;
            if (bpf_map_lookup_and_delete_elem(fd, NULL, e[n].bytes) != 0) {
                free(e[n].bytes);
                break;
            }
            n++;
        }
        /* A stack popped last-in first: push back from the bottom. */
        for (size_t i = 0; i < n; i++) {
            size_t j = type == BPF_MAP_TYPE_STACK ? n - 1 - i : i;
            bpf_map_update_elem(fd, NULL, e[j].bytes, BPF_ANY);
        }
    }
    *out = e;
    return n;
}

static void free_entries(struct entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].bytes);
    free(e);
}

/* Not compared: maps whose values name kernel objects (prog arrays, maps of maps, perf
 * event arrays), maps user space cannot read whole (bloom filters; ring buffers are compared
 * through their records), and .kconfig, which holds the host's own LINUX_KERNEL_VERSION. */
static int map_is_compared(const struct bpf_map *map)
{
    unsigned type = bpf_map__type(map);
    const char *name = bpf_map__name(map);
    size_t len = strlen(name);
    if (len >= 8 && strcmp(name + len - 8, ".kconfig") == 0)
        return 0;
    return map_is_keyed(type) || type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

/* Records from ring buffers, folded into the digest as they are consumed. */
static uint64_t ring_digest;
static int ring_sample(void *ctx, void *data, size_t size)
{
    ring_digest = fnv1a(ring_digest, &size, sizeof size);
    ring_digest = fnv1a(ring_digest, data, size);
    return 0;
}

static uint64_t maps_digest(struct bpf_object *obj, struct ring_buffer *rb)
{
    uint64_t h = 0xcbf29ce484222325ull;
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj)
    {
        if (!map_is_compared(map))
            continue;
        struct entry *e;
        size_t n = map_entries(map, &e);
        h = fnv1a(h, &n, sizeof n);
        for (size_t i = 0; i < n; i++)
            h = fnv1a(h, e[i].bytes, e[i].key_size + e[i].value_size);
        free_entries(e, n);
    }
    if (rb)
        ring_buffer__consume(rb);
    return fnv1a(h, &ring_digest, sizeof ring_digest);
}

static void print_maps(const char *prog, struct bpf_object *obj)
{
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj)
    {
        unsigned type = bpf_map__type(map);
        if (!map_is_compared(map)) {
            printf("map %s %s not-compared type=%u\n", prog, bpf_map__name(map), type);
            continue;
        }
        struct entry *e;
        size_t n = map_entries(map, &e);
        for (size_t i = 0; i < n; i++) {
            printf("map %s %s ", prog, bpf_map__name(map));
            print_hex(e[i].bytes, e[i].key_size);
            fputc(' ', stdout);
            print_hex(e[i].bytes + e[i].key_size, e[i].value_size);
            fputc('\n', stdout);
        }
        free_entries(e, n);
    }
}

/* --- programs ---------------------------------------------------------------------------- */

/* Helpers whose answers legitimately differ between two hosts (or two runs). */
static const char *nondeterministic_helper(const struct bpf_program *prog)
{
    static const struct {
        int id;
        const char *why;
    } helpers[] = {
        {5, "bpf_ktime_get_ns (time)"},          {7, "bpf_get_prandom_u32 (random)"},
        {8, "bpf_get_smp_processor_id (cpu)"},   {14, "bpf_get_current_pid_tgid (pid)"},
        {15, "bpf_get_current_uid_gid (uid)"},   {16, "bpf_get_current_comm (task)"},
        {46, "bpf_get_socket_cookie (cookie)"},  {118, "bpf_jiffies64 (time)"},
        {125, "bpf_ktime_get_boot_ns (time)"},   {160, "bpf_ktime_get_coarse_ns (time)"},
        {208, "bpf_ktime_get_tai_ns (time)"},
    };
    const struct bpf_insn *insn = bpf_program__insns(prog);
    size_t n = bpf_program__insn_cnt(prog);
    for (size_t i = 0; insn && i < n; i++) {
        if (insn[i].code != (BPF_JMP | BPF_CALL) || insn[i].src_reg != 0)
            continue;
        for (size_t h = 0; h < sizeof helpers / sizeof helpers[0]; h++)
            if (insn[i].imm == helpers[h].id)
                return helpers[h].why;
    }
    return NULL;
}

static const char *type_name(unsigned type)
{
    switch (type) {
    case BPF_PROG_TYPE_XDP: return "xdp";
    case BPF_PROG_TYPE_SOCKET_FILTER: return "socket";
    case BPF_PROG_TYPE_SCHED_CLS: return "sched_cls";
    case BPF_PROG_TYPE_SCHED_ACT: return "sched_act";
    default: return NULL;
    }
}

/* Context variant 1 of each type: fields the caller may set, with values a program can see. */
static size_t make_ctx(unsigned type, size_t data_len, void *ctx)
{
    if (type == BPF_PROG_TYPE_XDP) {
        struct xdp_md *md = ctx;
        memset(md, 0, sizeof *md);
        md->data = 4; /* the first 4 input bytes are metadata */
        md->data_end = (__u32)data_len;
        md->ingress_ifindex = 1;
        return sizeof *md;
    }
    struct __sk_buff *skb = ctx;
    memset(skb, 0, sizeof *skb);
    skb->mark = 0x1234;
    skb->priority = 7;
    for (unsigned i = 0; i < 5; i++)
        skb->cb[i] = 0x100 + i;
    return sizeof *skb;
}

static const char *verbose;
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
    return verbose ? vfprintf(stderr, fmt, args) : 0;
}

struct program_set {
    char names[64][64];
    int loads_alone[64]; /* 0 or the -errno of loading that program alone */
    size_t count;
};

/* Loads NAME (with the programs that load alone too when COMPANIONS) and, unless LOAD_ONLY,
 * test-runs it on every input. Returns the load's result. */
static int run_program(const char *path, const char *name, const struct program_set *companions,
                       const char *pin_root, int load_only, const struct input *in, size_t count)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root,
                .kconfig = "CONFIG_BOOL=y\nCONFIG_TRISTATE=m\nCONFIG_CHAR=y\nCONFIG_USHORT=300\n"
                           "CONFIG_INT=-5\nCONFIG_ULONG=1234567\nCONFIG_STR=\"oracle\"\n");
    struct bpf_object *obj = bpf_object__open_file(path, &opts);
    if (!obj) {
        printf("skip %s the object does not open (%d)\n", name, -errno);
        return -errno;
    }
    struct bpf_program *prog, *target = NULL;
    bpf_object__for_each_program(prog, obj)
    {
        int keep = 0;
        for (size_t i = 0; companions && i < companions->count; i++)
            keep |= companions->loads_alone[i] == 0 && strcmp(companions->names[i], bpf_program__name(prog)) == 0;
        if (strcmp(bpf_program__name(prog), name) == 0)
            target = prog;
        else if (!keep)
            bpf_program__set_autoload(prog, false);
    }
    unsigned type = bpf_program__type(target);
    const char *tname = type_name(type);
    const char *why = nondeterministic_helper(target);
    int err = bpf_object__load(obj);
    if (load_only)
        goto out;
    printf("load %s %s %s %d%s\n", name, tname ? tname : "other", err ? "fail" : "ok", err,
           companions ? " (with the programs that load alone: prog array slots)" : "");
    if (err)
        goto out;
    if (!tname) {
        printf("skip %s program type %u cannot be test-run by both\n", name, type);
        goto out;
    }
    if (why) {
        printf("skip %s calls %s\n", name, why);
        goto out;
    }
    struct ring_buffer *rb = NULL;
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj)
    {
        if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF)
            continue;
        if (!rb)
            rb = ring_buffer__new(bpf_map__fd(map), ring_sample, NULL, NULL);
        else
            ring_buffer__add(rb, bpf_map__fd(map), ring_sample, NULL);
    }
    ring_digest = 0;
    int fd = bpf_program__fd(target);
    static unsigned char out[DATA_OUT_SIZE];
    for (size_t i = 0; i < count; i++) {
        for (int variant = 0; variant < 2; variant++) {
            /* The context variant on every third input: enough to cover it, cheaper. */
            if (variant == 1 && i % 3 != 0)
                continue;
            union {
                struct xdp_md xdp;
                struct __sk_buff skb;
            } ctx, ctx_out;
            memset(&ctx_out, 0, sizeof ctx_out);
            LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = in[i].bytes, .data_size_in = (__u32)in[i].len,
                        .data_out = out, .data_size_out = sizeof out, .repeat = 1);
            if (variant == 1) {
                topts.ctx_in = &ctx;
                topts.ctx_size_in = (__u32)make_ctx(type, in[i].len, &ctx);
                topts.ctx_out = &ctx_out;
                topts.ctx_size_out = topts.ctx_size_in;
            }
            int rc = bpf_prog_test_run_opts(fd, &topts);
            printf("run %s %zu %d ret=%u err=%d data=", name, i, variant, rc ? 0 : topts.retval, rc);
            print_hex(out, rc ? 0 : topts.data_size_out);
            printf(" ctx=");
            print_hex(&ctx_out, rc || variant == 0 ? 0 : topts.ctx_size_out);
            printf(" maps=%016llx\n", (unsigned long long)maps_digest(obj, rb));
        }
    }
    print_maps(name, obj);
    ring_buffer__free(rb);
out:
    bpf_object__for_each_map(map, obj) bpf_map__unpin(map, NULL);
    bpf_object__close(obj);
    return err;
}

/* Reads "input IDX HEX" lines (HEX "-" for an empty frame); other lines are ignored. */
static size_t read_inputs(const char *path, struct input *in, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static char line[2 * MAX_FRAME + 64];
    size_t n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        if (strncmp(line, "input ", 6) != 0)
            continue;
        const char *hex = strchr(line + 6, ' ');
        if (!hex)
            continue;
        hex++;
        size_t digits = strspn(hex, "0123456789abcdef"), len = digits / 2;
        in[n].bytes = malloc(len ? len : 1);
        if (!in[n].bytes)
            break;
        for (size_t i = 0; i < len; i++)
            in[n].bytes[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
        in[n++].len = len;
    }
    fclose(f);
    return n;
}

static int run_object(const char *path, const char *inputs)
{
    static struct input in[MAX_INPUTS];
    size_t count = read_inputs(inputs, in, MAX_INPUTS);
    char pin_root[64];
    snprintf(pin_root, sizeof pin_root, "/sys/fs/bpf/bpfhost-oracle-%d", (int)getpid());
    /* Names first: each program is then loaded from a fresh open of the object. */
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    if (!obj) {
        printf("skip * the object does not open (%d)\n", -errno);
        return 0;
    }
    static struct program_set set;
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) if (set.count < 64)
        snprintf(set.names[set.count++], sizeof set.names[0], "%s", bpf_program__name(prog));
    bpf_object__close(obj);
    /* libbpf fills prog array slots at load and fails (-EBADF) when a slot's program is not
     * loaded: such a program is loaded again with every program that loads alone. */
    for (size_t p = 0; p < set.count; p++)
        set.loads_alone[p] = run_program(path, set.names[p], NULL, pin_root, 1, in, count);
    for (size_t p = 0; p < set.count; p++) {
        run_program(path, set.names[p], set.loads_alone[p] == -EBADF ? &set : NULL, pin_root, 0, in,
                    count);
        fflush(stdout);
    }
    rmdir(pin_root);
    return 0;
}

/* Whether this process may load a program at all (root, a kernel with the bpf syscall). */
static int probe(void)
{
    struct bpf_insn insns[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "oracle_probe", "GPL", insns, 2, NULL);
    if (fd < 0) {
        printf("cannot load a program: %s\n", strerror(-fd));
        return 1;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    verbose = getenv("ORACLE_VERBOSE");
    libbpf_set_print(print_fn);
    /* Per-CPU values land in the slot of the CPU that runs the program: make it CPU 0 on
     * both sides (bpfhost's first thread gets slot 0). */
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    sched_setaffinity(0, sizeof cpus, &cpus);
    if (argc == 5 && strcmp(argv[1], "gen") == 0)
        return generate(strtoull(argv[2], NULL, 0), (unsigned)strtoul(argv[3], NULL, 0), argv[4]);
    if (argc == 2 && strcmp(argv[1], "probe") == 0)
        return probe();
    if (argc == 4 && strcmp(argv[1], "run") == 0)
        return run_object(argv[2], argv[3]);
    fprintf(stderr, "usage: oracle_runner gen SEED COUNT PCAP | probe | run OBJ INPUTS\n");
    return 2;
}
