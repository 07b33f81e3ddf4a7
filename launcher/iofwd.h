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
#define MPRUN_INPUT_CHUNK (64 * 1024) /* stdin is read and forwarded in such pieces */

struct mprun_output;

/* Where a daemon's output goes instead of its own stdout/stderr: whole
 * lines (or pieces of an overlong or last line) of the stream. Returns
 * false if nobody takes them any more. */
typedef bool (*mprun_output_sink)(void *arg, const struct mprun_output *o, const char *data,
                                  size_t n);

struct mprun_output {
    int fd;             /* read end of the rank's pipe, -1 once closed */
    int dest;           /* STDOUT_FILENO or STDERR_FILENO */
    int rank;
    bool tag;           /* prefix lines with "[rank] " */
    bool at_line_start; /* the next byte written begins a line */
    bool ended;         /* fed streams (fd -1): the destination went away */
    mprun_output_sink sink; /* NULL: write to dest */
    void *sink_arg;
    char *buf;
    size_t len, cap;
};

void mprun_output_init(struct mprun_output *o, int fd, int dest, int rank, bool tag);

/* mprun_output_set_sink - send the stream's lines to sink instead of dest. */
void mprun_output_set_sink(struct mprun_output *o, mprun_output_sink sink, void *arg);

/* mprun_output_feed - for a stream read elsewhere (a remote rank's): take
 * n more bytes and forward the complete lines. Returns false once the
 * destination refuses output (the stream should then be closed at its
 * source). */
bool mprun_output_feed(struct mprun_output *o, const char *data, size_t n);

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
    int src;            /* mprun's stdin; -1 once at EOF (never closed here),
                           or when the bytes are pushed (mprun_input_push) */
    int dst;            /* write end of rank 0's stdin pipe; -1 once closed */
    bool at_eof;        /* nothing more will come from the source */
    char *buf;
    size_t off, len;    /* bytes buf[off..len) wait for rank 0 */
};

void mprun_input_init(struct mprun_input *in, int src, int dst);

/* mprun_input_push - with src -1: bytes that came from elsewhere (a
 * daemon's STDIN message); n == 0 means EOF. Only while the buffer is empty
 * (mprun_input_pending() == 0). Returns 0, or -1 if out of memory. */
int mprun_input_push(struct mprun_input *in, const char *data, size_t n);

/* Bytes waiting for rank 0. */
size_t mprun_input_pending(const struct mprun_input *in);

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
