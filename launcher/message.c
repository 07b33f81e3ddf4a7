/*
 * message.c - mprun's own one-line messages on stderr.
 */
#include "message.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void mprun_say(const char *fmt, ...)
{
    char line[1024];
    int len = snprintf(line, sizeof(line), "mprun: ");
    va_list ap;

    va_start(ap, fmt);
    len += vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof(line) - 2)
        len = (int)sizeof(line) - 2;
    line[len++] = '\n';
    mprun_write_stderr(line, (size_t)len);
}

void mprun_write_stderr(const char *text, size_t len)
{
    if (write(STDERR_FILENO, text, len) < 0) {
        /* Nowhere left to complain. */
    }
}
