/* Reading and writing packet capture files, for the XDP hook's file mode and for tests.
 *
 * The reader takes classic pcap (microsecond or nanosecond) and pcapng files, as libpcap does,
 * and for now only Ethernet (DLT_EN10MB) captures: that is what an XDP program expects at
 * ctx->data. The writer writes classic pcap with nanosecond timestamps, of any link type.
 *
 * Errors are a negative errno and a message naming the file and the problem. */
#ifndef BPFHOST_PCAP_IO_H
#define BPFHOST_PCAP_IO_H

#include <stddef.h>
#include <stdint.h>

struct pcap_reader;
struct pcap_writer;

/* Largest frame the writer accepts (libpcap's maximum snapshot length). */
#define PCAP_IO_MAX_FRAME 262144u

/* Opens a pcap or pcapng file. Returns 0 and *out, or -ENOENT (-EACCES, ... from opening the
 * file), -EINVAL (not a capture file, or a truncated header) or -ENOTSUP (link type other
 * than Ethernet), with *out NULL. */
int pcap_reader_open(const char *path, struct pcap_reader **out, char *msg, size_t msg_size);

/* The next frame: returns 1 with *data (valid until the next call or close), *len (captured
 * bytes) and *ts_ns (nanoseconds since the epoch), 0 at the end of the file, or -EINVAL on a
 * corrupt or truncated record (the message names the file and the frame number). */
int pcap_reader_next(struct pcap_reader *reader, const uint8_t **data, size_t *len,
                     uint64_t *ts_ns, char *msg, size_t msg_size);

/* Frames returned so far by pcap_reader_next. */
uint64_t pcap_reader_frame_count(const struct pcap_reader *reader);

/* Closes the file; NULL is allowed. */
void pcap_reader_close(struct pcap_reader *reader);

/* Creates (or truncates) a pcap file for frames of the given link type (a DLT_ value such
 * as DLT_EN10MB). Returns 0 and *out, or a negative errno with *out NULL. */
int pcap_writer_open(const char *path, int linktype, struct pcap_writer **out, char *msg,
                     size_t msg_size);

/* Appends one frame of len bytes (at most PCAP_IO_MAX_FRAME, else -E2BIG) stamped ts_ns.
 * Returns 0 or a negative errno (a write error such as -ENOSPC). */
int pcap_writer_write(struct pcap_writer *writer, const uint8_t *data, size_t len,
                      uint64_t ts_ns, char *msg, size_t msg_size);

/* Flushes and closes the file, returning 0 or the negative errno of a failed write; the
 * writer is freed either way. NULL is allowed (returns 0). */
int pcap_writer_close(struct pcap_writer *writer, char *msg, size_t msg_size);

#endif
