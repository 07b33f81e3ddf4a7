/*
 * iofwd.c - line-preserving output forwarding and stdin forwarding.
 */
#include "iofwd.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUTPUT_INITIAL_CAP (16 * 1024)

/* Once a destination refuses output (EPIPE, EBADF...), drop what goes there. */
static bool dest_broken[3];

/* Scratch space to build tagged output, shared by all streams (one thread). */
static char *scratch;
static size_t scratch_cap;

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0 && !dest_broken[fd]) {
        ssize_t n = write(fd, data, len);

        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            /* A non-blocking stdout inherited from our parent: wait for room. */
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};

            poll(&pfd, 1, -1);
        } else if (n < 0 && errno != EINTR) {
            dest_broken[fd] = true;
        }
    }
}

static bool reserve_scratch(size_t need)
{
    char *grown;
    size_t cap = scratch_cap > 0 ? scratch_cap : 4096;

    if (need <= scratch_cap)
        return true;
    while (cap < need)
        cap *= 2;
    grown = realloc(scratch, cap);
    if (grown == NULL)
        return false;
    scratch = grown;
    scratch_cap = cap;
    return true;
}

/* Write data (whole lines, or a piece of an overlong or unterminated line)
 * to the stream's destination, prefixing each line start with the tag. */
static void emit(struct mprun_output *o, const char *data, size_t n)
{
    char prefix[24];
    int prefix_len;
    size_t lines = 1, used = 0;

    if (n == 0)
        return;
    if (o->sink != NULL) {
        if (!o->ended && !o->sink(o->sink_arg, o, data, n))
            o->ended = true;
        o->at_line_start = data[n - 1] == '\n';
        return;
    }
    if (!o->tag) {
        write_all(o->dest, data, n);
        o->at_line_start = data[n - 1] == '\n';
        return;
    }
    prefix_len = snprintf(prefix, sizeof(prefix), "[%d] ", o->rank);
    for (size_t i = 0; i < n; i++)
        lines += data[i] == '\n';
    if (!reserve_scratch(n + lines * (size_t)prefix_len)) {
        write_all(o->dest, data, n); /* untagged beats lost */
        o->at_line_start = data[n - 1] == '\n';
        return;
    }
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t piece = nl != NULL ? (size_t)(nl - (data + i)) + 1 : n - i;

        if (o->at_line_start) {
            memcpy(scratch + used, prefix, (size_t)prefix_len);
            used += (size_t)prefix_len;
        }
        memcpy(scratch + used, data + i, piece);
        used += piece;
        i += piece;
        o->at_line_start = nl != NULL;
    }
    write_all(o->dest, scratch, used);
}

void mprun_output_init(struct mprun_output *o, int fd, int dest, int rank, bool tag)
{
    memset(o, 0, sizeof(*o));
    o->fd = fd;
    o->dest = dest;
    o->rank = rank;
    o->tag = tag;
    o->at_line_start = true;
}

void mprun_output_set_sink(struct mprun_output *o, mprun_output_sink sink, void *arg)
{
    o->sink = sink;
    o->sink_arg = arg;
}

static bool output_refused(const struct mprun_output *o)
{
    return o->sink != NULL ? o->ended : dest_broken[o->dest];
}

static void forward_complete_lines(struct mprun_output *o)
{
    const char *last_nl = o->len > 0 ? memrchr(o->buf, '\n', o->len) : NULL;
    size_t done;

    if (last_nl != NULL)
        done = (size_t)(last_nl - o->buf) + 1;
    else if (o->len >= MPRUN_LINE_MAX)
        done = o->len; /* an overlong line goes out in pieces */
    else
        return;
    emit(o, o->buf, done);
    memmove(o->buf, o->buf + done, o->len - done);
    o->len -= done;
}

/* Room for the next read: grow while reads fill the buffer, up to the line limit. */
static bool make_room(struct mprun_output *o)
{
    size_t cap = o->cap;
    char *grown;

    if (o->buf != NULL && o->cap - o->len >= o->cap / 4)
        return true;
    if (cap == 0)
        cap = OUTPUT_INITIAL_CAP;
    else if (cap < MPRUN_LINE_MAX)
        cap *= 2;
    if (cap == o->cap)
        return o->len < o->cap;
    grown = realloc(o->buf, cap);
    if (grown == NULL)
        return o->len < o->cap;
    o->buf = grown;
    o->cap = cap;
    return true;
}

/* One read: >0 bytes forwarded, 0 when the stream ended, -1 nothing now. */
static ssize_t read_once(struct mprun_output *o)
{
    ssize_t n;

    if (o->fd < 0 || !make_room(o))
        return 0;
    n = read(o->fd, o->buf + o->len, o->cap - o->len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return -1;
    if (n <= 0)
        return 0;
    o->len += (size_t)n;
    forward_complete_lines(o);
    /* Nobody reads our side any more: end the stream, so the rank gets
     * EPIPE or SIGPIPE as it would writing to a closed pipe itself. */
    if (output_refused(o))
        return 0;
    return n;
}

bool mprun_output_feed(struct mprun_output *o, const char *data, size_t n)
{
    while (n > 0 && !output_refused(o)) {
        size_t room, take;

        if (!make_room(o)) {
            /* Out of memory: what cannot be buffered goes out as it is. */
            emit(o, o->buf, o->len);
            o->len = 0;
            emit(o, data, n);
            break;
        }
        room = o->cap - o->len;
        take = n < room ? n : room;
        memcpy(o->buf + o->len, data, take);
        o->len += take;
        data += take;
        n -= take;
        forward_complete_lines(o);
    }
    o->ended = output_refused(o);
    return !o->ended;
}

bool mprun_output_pump(struct mprun_output *o)
{
    return read_once(o) != 0;
}

bool mprun_output_drain(struct mprun_output *o)
{
    ssize_t n;

    while ((n = read_once(o)) > 0) {
    }
    return n != 0;
}

void mprun_output_close(struct mprun_output *o)
{
    emit(o, o->buf, o->len);
    /* Tagged output is read line by line: end an unterminated last line so
     * the next tag starts a line. Untagged output passes through unchanged. */
    if (o->tag && !o->at_line_start)
        emit(o, "\n", 1);
    o->len = 0;
    free(o->buf);
    o->buf = NULL;
    o->cap = 0;
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
}

void mprun_input_init(struct mprun_input *in, int src, int dst)
{
    memset(in, 0, sizeof(*in));
    in->src = src;
    in->dst = dst;
}

int mprun_input_push(struct mprun_input *in, const char *data, size_t n)
{
    if (n == 0 || in->dst < 0) {
        in->at_eof = in->at_eof || n == 0;
        return 0; /* rank 0 takes no more: dropped */
    }
    if (in->buf == NULL && (in->buf = malloc(MPRUN_INPUT_CHUNK)) == NULL)
        return -1;
    if (n > MPRUN_INPUT_CHUNK || in->off != in->len)
        return -1;
    memcpy(in->buf, data, n);
    in->off = 0;
    in->len = n;
    return 0;
}

size_t mprun_input_pending(const struct mprun_input *in)
{
    return in->len - in->off;
}

int mprun_input_wants_read(const struct mprun_input *in)
{
    return in->src >= 0 && in->dst >= 0 && in->off == in->len ? in->src : -1;
}

int mprun_input_wants_write(const struct mprun_input *in)
{
    return in->dst >= 0 && in->off < in->len ? in->dst : -1;
}

bool mprun_input_done(const struct mprun_input *in)
{
    return in->dst >= 0 && in->at_eof && in->off == in->len;
}

void mprun_input_close(struct mprun_input *in)
{
    if (in->dst >= 0)
        close(in->dst);
    in->dst = -1;
    in->src = -1;
    in->at_eof = true;
    free(in->buf);
    in->buf = NULL;
    in->off = in->len = 0;
}

void mprun_input_on_readable(struct mprun_input *in)
{
    ssize_t n;

    if (in->buf == NULL && (in->buf = malloc(MPRUN_INPUT_CHUNK)) == NULL) {
        in->src = -1;
        in->at_eof = true;
        return;
    }
    n = read(in->src, in->buf, MPRUN_INPUT_CHUNK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        in->src = -1; /* EOF: rank 0 gets EOF once the buffer is through */
        in->at_eof = true;
        return;
    }
    in->off = 0;
    in->len = (size_t)n;
}

void mprun_input_on_writable(struct mprun_input *in)
{
    ssize_t n = write(in->dst, in->buf + in->off, in->len - in->off);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        /* Rank 0 closed its stdin: drop the rest. */
        in->src = -1;
        in->at_eof = true;
        in->off = in->len = 0;
        return;
    }
    in->off += (size_t)n;
}
