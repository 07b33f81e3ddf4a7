/*
 * message.h - mprun's own messages: one line on stderr, "mprun: " first,
 * written with a single write so that it never mixes with the ranks' lines.
 */
#ifndef MPRUN_MESSAGE_H
#define MPRUN_MESSAGE_H

#include <stddef.h>

/* mprun_say - "mprun: <formatted text>\n" on stderr (cut at 1 KiB). */
void mprun_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mprun_write_stderr - text as it is, in one write. */
void mprun_write_stderr(const char *text, size_t len);

#endif
