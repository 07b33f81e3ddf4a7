/* log.c - one-line, rank-prefixed messages on stderr (see log.h). */
#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"
#include "core/mpr_internal.h"

static void say(const char *fmt, va_list ap)
{
    char line[512];
    int n = mpr__g.rank_known
                ? snprintf(line, sizeof(line), "mpr: rank %d: ", mpr__g.rank)
                : snprintf(line, sizeof(line), "mpr: ");
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    /* one write, so lines of ranks sharing the terminal do not interleave */
    fprintf(stderr, "%s\n", line);
}

void mpr__log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
}

void mpr__log_rank0(const char *fmt, ...)
{
    if (mpr__g.rank != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
}

void mpr__log_once(bool *said, const char *fmt, ...)
{
    if (*said)
        return;
    *said = true;
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
}
