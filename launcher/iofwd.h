/*
 * iofwd.h - forward the ranks' output line by line, and mprun's stdin to rank 0.
 *
 * Each rank's stdout and stderr has its own buffer; only whole lines are
 * written (several at once when available, always in one write call), so a
 * line is never interleaved with another rank's. A line longer than
 * MPRUN_LINE_MAX is written in pieces; a last line without a newline is
 * written when the stream ends (with a newline added under --tag-output).
 */
#ifndef MPRUN_IOFWD_H
#define MPRUN_IOFWD_H

#include <stdbool.h>
#include <stddef.h>

#define MPRUN_LINE_MAX (64 * 1024)

struct mprun_output {
    int fd;             /* read end of the rank's pipe, -1 once closed */
    int dest;           /* STDOUT_FILENO or STDERR_FILENO */
    int rank;
    bool tag;           /* prefix lines with "[rank] " */
    bool at_line_start; /* the next byte written begins a line */
    char *buf;
    size_t len, cap;
};

void mprun_output_init(struct mprun_output *o, int fd, int dest, int rank, bool tag);

/* mprun_output_pump - one read from the pipe, forwarding the complete
 * lines. Returns false once the stream has ended (EOF, a read error, or a
 * destination nobody reads any more): the caller then closes it with
 * mprun_output_close. */
bool mprun_output_pump(struct mprun_output *o);

/* mprun_output_drain - read everything the pipe holds now, without waiting.
 * Returns false once the stream has ended, as mprun_output_pump. */
bool mprun_output_drain(struct mprun_output *o);

/* mprun_output_close - flush a partial line, close the pipe, free the buffer. */
void mprun_output_close(struct mprun_output *o);

/* mprun's stdin copied to rank 0 through a pipe, at the pace rank 0 reads.
 * The caller polls the descriptors the wants_ functions name, and closes
 * the pipe (mprun_input_close) once mprun_input_done says so. */
struct mprun_input {
    int src;            /* mprun's stdin; -1 once at EOF (never closed here) */
    int dst;            /* write end of rank 0's stdin pipe; -1 once closed */
    char *buf;
    size_t off, len;    /* bytes buf[off..len) wait for rank 0 */
};

void mprun_input_init(struct mprun_input *in, int src, int dst);

/* The descriptor to wait on, or -1: src for reading while the buffer is
 * empty, dst for writing while it is not. */
int mprun_input_wants_read(const struct mprun_input *in);
int mprun_input_wants_write(const struct mprun_input *in);

void mprun_input_on_readable(struct mprun_input *in);
void mprun_input_on_writable(struct mprun_input *in);

/* mprun_input_done - nothing more will go to rank 0: time to close the pipe
 * (which rank 0 reads as EOF). */
bool mprun_input_done(const struct mprun_input *in);

/* mprun_input_close - close the pipe to rank 0 and stop forwarding. */
void mprun_input_close(struct mprun_input *in);

#endif
