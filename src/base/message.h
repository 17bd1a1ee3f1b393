/* Error messages into caller-provided buffers: every layer reports failures as a negative
 * errno plus text in (msg, msg_size), and this is the one place that writes that text. The
 * base layer sits below every other and knows nothing of them. */
#ifndef BPFHOST_BASE_MESSAGE_H
#define BPFHOST_BASE_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>

/* Formats into msg (always terminated, truncated to msg_size); nothing when msg is NULL or
 * msg_size is 0. */
void msg_set(char *msg, size_t msg_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void msg_vset(char *msg, size_t msg_size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* msg_set, then returns err: `return msg_error(-EINVAL, msg, msg_size, "...", ...);` */
int msg_error(int err, char *msg, size_t msg_size, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
