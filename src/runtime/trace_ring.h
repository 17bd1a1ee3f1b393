/* The trace ring: the layout and the lock-free protocol of the system trace buffer that
 * bpf_trace_printk writes to (runtime layer). The memory is a file every bpfhost process of
 * the machine maps (runtime/trace_pipe.h opens it); this module only needs the memory.
 *
 * Records live in fixed-size slots; record number t goes to slot t % slot_count. Writers
 * (threads of any process) never wait for each other:
 *  - a writer takes a ticket t with an atomic add on head;
 *  - it claims slot t % slot_count by a compare-and-swap of the slot's state to
 *    "t being written", unless the state already names a later record (the ring lapped it:
 *    the record is dropped, readers count it lost);
 *  - it stores the record in relaxed atomic words, then swaps the state to "t complete".
 * A writer killed or stopped between claim and completion leaves its slot "t being
 * written": no other writer waits for it (the next lap claims the slot over it), and readers
 * skip it after TRACE_RING_STALL_NS, counting it lost. A stopped writer that resumes after
 * its slot was claimed again could scribble over the newer record: each record carries a
 * checksum, and readers count a record that fails it as lost instead of printing garbage.
 *
 * Readers never consume: each follows with a private cursor, so any number of them see
 * every line. The shared read mark remembers how far readers got, so that a new reader
 * starts with the lines nobody has read yet (what Linux's trace_pipe would still hold). */
#ifndef BPFHOST_RUNTIME_TRACE_RING_H
#define BPFHOST_RUNTIME_TRACE_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The text of one bpf_trace_printk: Linux formats into a 1024-byte buffer (MAX_BPRINTF_BUF,
 * NUL included) and keeps what fits. */
enum {
    TRACE_RING_TEXT_MAX = 1024,
    TRACE_RING_COMM_LEN = 16,  /* TASK_COMM_LEN */
    TRACE_RING_NAME_LEN = 16,  /* BPF_OBJ_NAME_LEN */
    TRACE_RING_VERSION = 1,
    TRACE_RING_DEFAULT_SLOTS = 2048,
};
#define TRACE_RING_STALL_NS 1000000000ull

/* One line as written and read. Strings are NUL-terminated; text_len excludes the NUL. */
struct trace_ring_event {
    uint64_t timestamp_ns; /* CLOCK_MONOTONIC, as bpf_ktime_get_ns */
    int32_t pid, tid;
    uint32_t cpu;          /* the writer's CPU slot */
    uint32_t text_len;
    char comm[TRACE_RING_COMM_LEN];
    char program[TRACE_RING_NAME_LEN]; /* empty when not known */
    char text[TRACE_RING_TEXT_MAX];
};

/* --- the shared layout (one version per change) ----------------------------------------- */

struct trace_ring_header {
    uint32_t magic;       /* stored last when preparing */
    uint32_t version;
    uint32_t slot_size;   /* sizeof(struct trace_ring_slot) */
    uint32_t slot_count;
    uint8_t pad0[48];
    _Atomic uint64_t head;      /* the next ticket */
    uint8_t pad1[56];
    _Atomic uint64_t read_mark; /* the highest ticket a reader got past */
    uint8_t pad2[56];
};

/* state: 0 never written; (ticket + 1) << 1 when complete, | 1 while being written. */
struct trace_ring_slot {
    _Atomic uint64_t state;
    _Atomic uint64_t check; /* checksum of the ticket and the words << 32 | words stored */
    _Atomic uint64_t words[sizeof(struct trace_ring_event) / 8];
};

/* The bytes a ring of slot_count slots takes. */
size_t trace_ring_size(uint32_t slot_count);

/* platform_shared_file_prepare for a ring: prepares zeroed memory, accepts a ring of this
 * layout filling exactly size bytes, and answers -ESTALE to anything else. */
int trace_ring_prepare(void *memory, size_t size, void *arg);

/* --- using a prepared ring ----------------------------------------------------------------- */

/* A process's view of the shared memory; slot_count is copied out of the header once, so
 * that a corrupted header cannot send an access out of the mapping. */
struct trace_ring {
    struct trace_ring_header *header;
    struct trace_ring_slot *slots;
    uint32_t slot_count;
};

/* Attaches to memory that trace_ring_prepare accepted. */
void trace_ring_attach(struct trace_ring *ring, void *memory);

/* Appends event (text_len clamped below TRACE_RING_TEXT_MAX). Lock-free, any thread of any
 * process. */
void trace_ring_write(const struct trace_ring *ring, const struct trace_ring_event *event);

enum trace_ring_start {
    TRACE_RING_FROM_UNREAD, /* what no reader has got past yet */
    TRACE_RING_FROM_OLDEST, /* everything the ring still holds */
    TRACE_RING_FROM_NOW,    /* only what is written from now on */
};

struct trace_ring_cursor {
    uint64_t next;          /* the ticket to read next */
    uint64_t stalled_since; /* when the reader began waiting on an unfinished slot, or 0 */
};

void trace_ring_cursor_start(const struct trace_ring *ring, struct trace_ring_cursor *cursor,
                             enum trace_ring_start start);

/* Reads the next record into *event. now_ns is the caller's CLOCK_MONOTONIC (tests pass
 * their own). Returns 1 with a record; 0 when the cursor has caught up with the writers;
 * -EAGAIN while the next record is still being written (call again a little later; after
 * TRACE_RING_STALL_NS it is skipped). Adds to *lost the records overwritten before they
 * were read or skipped as unfinished or damaged. */
int trace_ring_read(const struct trace_ring *ring, struct trace_ring_cursor *cursor, uint64_t now_ns,
                    struct trace_ring_event *event, uint64_t *lost);

#endif
