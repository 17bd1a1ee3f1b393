#include "base/message.h"

#include <stdio.h>

void msg_vset(char *msg, size_t msg_size, const char *fmt, va_list ap)
{
    if (msg && msg_size)
        vsnprintf(msg, msg_size, fmt, ap);
}

void msg_set(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_vset(msg, msg_size, fmt, ap);
    va_end(ap);
}

int msg_error(int err, char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_vset(msg, msg_size, fmt, ap);
    va_end(ap);
    return err;
}
