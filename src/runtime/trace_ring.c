/* The trace ring's writers and readers; the protocol is described in trace_ring.h. */
#include "runtime/trace_ring.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define TRACE_RING_MAGIC 0x43525442u /* "BTRC" */
enum { EVENT_WORDS = sizeof(struct trace_ring_event) / 8 };

_Static_assert(sizeof(struct trace_ring_event) % 8 == 0, "events are stored in whole words");
_Static_assert(sizeof(struct trace_ring_header) == 192, "the header keeps head and read_mark apart");

size_t trace_ring_size(uint32_t slot_count)
{
    return sizeof(struct trace_ring_header) + (size_t)slot_count * sizeof(struct trace_ring_slot);
}

int trace_ring_prepare(void *memory, size_t size, void *arg)
{
    (void)arg;
    struct trace_ring_header *header = memory;
    if (size < sizeof *header)
        return -ESTALE;
    uint32_t magic = __atomic_load_n(&header->magic, __ATOMIC_ACQUIRE);
    if (magic == TRACE_RING_MAGIC)
        return header->version == TRACE_RING_VERSION && header->slot_size == sizeof(struct trace_ring_slot) &&
                       header->slot_count && trace_ring_size(header->slot_count) == size
                   ? 0
                   : -ESTALE;
    if (magic != 0)
        return -ESTALE;
    /* New, or its preparer died before the magic: nobody uses it yet (openers hold the
     * lock until they see the magic), so it is ours to lay out. */
    if ((size - sizeof *header) % sizeof(struct trace_ring_slot))
        return -EINVAL;
    memset(memory, 0, size);
    header->version = TRACE_RING_VERSION;
    header->slot_size = sizeof(struct trace_ring_slot);
    header->slot_count = (uint32_t)((size - sizeof *header) / sizeof(struct trace_ring_slot));
    __atomic_store_n(&header->magic, TRACE_RING_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

void trace_ring_attach(struct trace_ring *ring, void *memory)
{
    ring->header = memory;
    ring->slots = (struct trace_ring_slot *)((char *)memory + sizeof *ring->header);
    ring->slot_count = ring->header->slot_count;
}

static uint64_t complete_state(uint64_t ticket) { return (ticket + 1) << 1; }
static uint64_t writing_state(uint64_t ticket) { return (ticket + 1) << 1 | 1; }

/* FNV-1a over the ticket and the stored words: tells a reader whether a record is whole. */
static uint32_t checksum(uint64_t ticket, const uint64_t *words, size_t count)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(ticket >> (8 * i))) * 16777619u;
    const uint8_t *bytes = (const uint8_t *)words;
    for (size_t i = 0; i < count * 8; i++)
        h = (h ^ bytes[i]) * 16777619u;
    return h;
}

void trace_ring_write(const struct trace_ring *ring, const struct trace_ring_event *event)
{
    uint64_t words[EVENT_WORDS];
    struct trace_ring_event *copy = (struct trace_ring_event *)words;
    size_t text_len = event->text_len < TRACE_RING_TEXT_MAX ? event->text_len : TRACE_RING_TEXT_MAX - 1;
    size_t used = offsetof(struct trace_ring_event, text) + text_len + 1;
    size_t count = (used + 7) / 8;
    memset(&words[count - 1], 0, 8); /* the padding after the NUL is checksummed too */
    memcpy(copy, event, offsetof(struct trace_ring_event, text));
    memcpy(copy->text, event->text, text_len);
    copy->text[text_len] = '\0';
    copy->text_len = (uint32_t)text_len;
    copy->comm[TRACE_RING_COMM_LEN - 1] = copy->program[TRACE_RING_NAME_LEN - 1] = '\0';

    uint64_t ticket = atomic_fetch_add_explicit(&ring->header->head, 1, memory_order_relaxed);
    struct trace_ring_slot *slot = &ring->slots[ticket % ring->slot_count];
    uint64_t state = atomic_load_explicit(&slot->state, memory_order_relaxed);
    do {
        if (state >> 1 > ticket + 1)
            return; /* a later lap owns the slot: this record is already overwritten */
    } while (!atomic_compare_exchange_weak_explicit(&slot->state, &state, writing_state(ticket),
                                                    memory_order_relaxed, memory_order_relaxed));
    /* The claim is visible before any word changes: a reader that saw the previous record
     * complete and sees the same state after copying had a stable copy (a seqlock). */
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i < count; i++)
        atomic_store_explicit(&slot->words[i], words[i], memory_order_relaxed);
    atomic_store_explicit(&slot->check, (uint64_t)checksum(ticket, words, count) << 32 | count,
                          memory_order_relaxed);
    uint64_t claimed = writing_state(ticket);
    atomic_compare_exchange_strong_explicit(&slot->state, &claimed, complete_state(ticket),
                                            memory_order_release, memory_order_relaxed);
}

void trace_ring_cursor_start(const struct trace_ring *ring, struct trace_ring_cursor *cursor,
                             enum trace_ring_start start)
{
    uint64_t head = atomic_load_explicit(&ring->header->head, memory_order_acquire);
    uint64_t oldest = head > ring->slot_count ? head - ring->slot_count : 0;
    uint64_t next = oldest;
    if (start == TRACE_RING_FROM_NOW)
        next = head;
    else if (start == TRACE_RING_FROM_UNREAD) {
        uint64_t mark = atomic_load_explicit(&ring->header->read_mark, memory_order_relaxed);
        next = mark > oldest ? (mark < head ? mark : head) : oldest;
    }
    cursor->next = next;
    cursor->stalled_since = 0;
}

/* Moves the shared read mark up to ticket, never down. */
static void raise_read_mark(const struct trace_ring *ring, uint64_t ticket)
{
    uint64_t mark = atomic_load_explicit(&ring->header->read_mark, memory_order_relaxed);
    while (mark < ticket && !atomic_compare_exchange_weak_explicit(&ring->header->read_mark, &mark, ticket,
                                                                   memory_order_relaxed, memory_order_relaxed))
        ;
}

/* Copies record ticket out of slot; false when it changed meanwhile or fails its checksum. */
static bool copy_record(struct trace_ring_slot *slot, uint64_t ticket, struct trace_ring_event *event)
{
    uint64_t words[EVENT_WORDS];
    uint64_t check = atomic_load_explicit(&slot->check, memory_order_relaxed);
    size_t count = (size_t)(check & 0xffffffffu);
    if (count < (offsetof(struct trace_ring_event, text) + 8) / 8 || count > EVENT_WORDS)
        return false;
    for (size_t i = 0; i < count; i++)
        words[i] = atomic_load_explicit(&slot->words[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&slot->state, memory_order_relaxed) != complete_state(ticket) ||
        checksum(ticket, words, count) != (uint32_t)(check >> 32))
        return false;
    size_t stored = count * 8;
    memcpy(event, words, offsetof(struct trace_ring_event, text));
    size_t room = stored - offsetof(struct trace_ring_event, text);
    const char *text = (const char *)words + offsetof(struct trace_ring_event, text);
    if (event->text_len >= room || text[event->text_len] != '\0')
        return false;
    memcpy(event->text, text, event->text_len + 1);
    event->comm[TRACE_RING_COMM_LEN - 1] = event->program[TRACE_RING_NAME_LEN - 1] = '\0';
    return true;
}

int trace_ring_read(const struct trace_ring *ring, struct trace_ring_cursor *cursor, uint64_t now_ns,
                    struct trace_ring_event *event, uint64_t *lost)
{
    for (;;) {
        uint64_t head = atomic_load_explicit(&ring->header->head, memory_order_acquire);
        if (head > ring->slot_count && cursor->next < head - ring->slot_count) {
            *lost += head - ring->slot_count - cursor->next;
            cursor->next = head - ring->slot_count;
            cursor->stalled_since = 0;
        }
        if (cursor->next >= head)
            return 0;
        uint64_t ticket = cursor->next;
        struct trace_ring_slot *slot = &ring->slots[ticket % ring->slot_count];
        uint64_t state = atomic_load_explicit(&slot->state, memory_order_acquire);
        bool delivered = false;
        if (state == complete_state(ticket)) {
            delivered = copy_record(slot, ticket, event);
        } else if (state >> 1 <= ticket + 1) {
            /* Claimed and unfinished, or not claimed yet: wait, unless for too long. */
            if (!cursor->stalled_since) {
                cursor->stalled_since = now_ns ? now_ns : 1;
                return -EAGAIN;
            }
            if (now_ns - cursor->stalled_since < TRACE_RING_STALL_NS)
                return -EAGAIN;
        }
        cursor->next = ticket + 1;
        cursor->stalled_since = 0;
        raise_read_mark(ring, cursor->next);
        if (delivered)
            return 1;
        (*lost)++;
    }
}
