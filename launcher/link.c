/*
 * link.c - framed, non-blocking TCP connections (see link.h, wire.h).
 */
#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire.h"

/* At most this much is read per call, so one busy link cannot starve the rest. */
#define RECEIVE_BUDGET (1u << 20)
#define READ_CHUNK (64u * 1024)

void mprun_link_init(struct mprun_link *l, int fd, uint32_t max_frame, int64_t now)
{
    memset(l, 0, sizeof(*l));
    l->fd = fd;
    l->max_frame = max_frame;
    l->last_received = l->last_sent = now;
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

size_t mprun_link_queued(const struct mprun_link *l)
{
    return l->out_len - l->out_off;
}

static int grow(char **buf, size_t *cap, size_t need)
{
    size_t c = *cap > 0 ? *cap : 4096;
    char *grown;

    if (need <= *cap)
        return 0;
    while (c < need)
        c *= 2;
    grown = realloc(*buf, c);
    if (grown == NULL)
        return -1;
    *buf = grown;
    *cap = c;
    return 0;
}

int mprun_link_flush(struct mprun_link *l, char *err, size_t errlen)
{
    while (l->out_off < l->out_len) {
        ssize_t n = send(l->fd, l->out + l->out_off, l->out_len - l->out_off, MSG_NOSIGNAL);

        if (n > 0) {
            l->out_off += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            snprintf(err, errlen, "%s", n < 0 ? strerror(errno) : "connection closed");
            return -1;
        }
    }
    if (l->out_off == l->out_len)
        l->out_off = l->out_len = 0;
    return 0;
}

int mprun_link_send(struct mprun_link *l, uint32_t type, const void *payload, size_t len,
                    int64_t now)
{
    uint32_t header[2] = {htonl(type), htonl((uint32_t)len)};
    char err[128];

    if (l->fd < 0 || len > MPRUN_WIRE_FRAME_MAX)
        return -1;
    /* Compact before growing: sent bytes at the front are dead space. */
    if (l->out_off > 0 && l->out_off == l->out_len)
        l->out_off = l->out_len = 0;
    if (l->out_off > 0 && l->out_len + sizeof(header) + len > l->out_cap) {
        memmove(l->out, l->out + l->out_off, l->out_len - l->out_off);
        l->out_len -= l->out_off;
        l->out_off = 0;
    }
    if (grow(&l->out, &l->out_cap, l->out_len + sizeof(header) + len) != 0)
        return -1;
    memcpy(l->out + l->out_len, header, sizeof(header));
    if (len > 0)
        memcpy(l->out + l->out_len + sizeof(header), payload, len);
    l->out_len += sizeof(header) + len;
    l->last_sent = now;
    return mprun_link_flush(l, err, sizeof(err));
}

/* Hand over every complete frame at the front of the input; keep the rest. */
static int handle_frames(struct mprun_link *l, mprun_link_handler handler, void *arg, char *err,
                         size_t errlen)
{
    size_t off = 0;
    int rc = 0;

    while (l->in_len - off >= MPRUN_WIRE_HEADER_LEN) {
        uint32_t header[2];
        uint32_t type, len;

        memcpy(header, l->in + off, sizeof(header));
        type = ntohl(header[0]);
        len = ntohl(header[1]);
        if (type == 0 || type >= MPRUN_MSG_END) {
            snprintf(err, errlen, "unknown message type %u", type);
            rc = -1;
            break;
        }
        if (len > l->max_frame) {
            snprintf(err, errlen, "a message of %u bytes, more than the %u allowed", len,
                     l->max_frame);
            rc = -1;
            break;
        }
        if (l->in_len - off - MPRUN_WIRE_HEADER_LEN < len)
            break; /* the rest is still on its way */
        rc = handler(arg, type, l->in + off + MPRUN_WIRE_HEADER_LEN, len, err, errlen);
        off += MPRUN_WIRE_HEADER_LEN + len;
        if (rc != 0 || l->fd < 0)
            break;
    }
    if (off > 0 && l->in != NULL) {
        memmove(l->in, l->in + off, l->in_len - off);
        l->in_len -= off;
    }
    return rc;
}

int mprun_link_receive(struct mprun_link *l, int64_t now, mprun_link_handler handler, void *arg,
                       char *err, size_t errlen)
{
    size_t budget = RECEIVE_BUDGET;

    while (budget > 0 && l->fd >= 0) {
        ssize_t n;

        if (grow(&l->in, &l->in_cap, l->in_len + READ_CHUNK) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        n = recv(l->fd, l->in + l->in_len, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        if (n < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        if (n == 0) {
            if (l->in_len == 0)
                return 0;
            snprintf(err, errlen, "the connection ended inside a message");
            return -1;
        }
        l->last_received = now;
        l->in_len += (size_t)n;
        budget -= (size_t)n < budget ? (size_t)n : budget;
        if (handle_frames(l, handler, arg, err, errlen) != 0)
            return -1;
    }
    return l->fd >= 0 ? 1 : 0;
}

void mprun_link_close(struct mprun_link *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    free(l->in);
    free(l->out);
    l->in = l->out = NULL;
    l->in_len = l->in_cap = l->out_off = l->out_len = l->out_cap = 0;
}
