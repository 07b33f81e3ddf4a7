/*
 * link.h - one TCP connection between the first mprun and a daemon: frames
 * queued for sending without ever blocking, frames received and checked
 * against a size limit before a byte of their payload is buffered.
 */
#ifndef MPRUN_LINK_H
#define MPRUN_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mprun_link {
    int fd;                 /* non-blocking socket, -1 once closed */
    uint32_t max_frame;     /* larger payloads break the link */
    char *in;               /* received bytes not yet handled */
    size_t in_len, in_cap;
    char *out;              /* queued bytes: out[out_off..out_len) */
    size_t out_off, out_len, out_cap;
    int64_t last_received;  /* monotonic ms of the last byte in */
    int64_t last_sent;      /* monotonic ms of the last frame queued */
};

/* Called for each complete frame; returns 0, or -1 with a reason in err to
 * break the link (a message that makes no sense). */
typedef int (*mprun_link_handler)(void *arg, uint32_t type, const char *payload,
                                  size_t len, char *err, size_t errlen);

/* mprun_link_init - take over fd (made non-blocking here). */
void mprun_link_init(struct mprun_link *l, int fd, uint32_t max_frame, int64_t now);

/* mprun_link_send - queue a frame and write what the socket takes now.
 * Returns 0, or -1 if the link is broken (write error, out of memory). */
int mprun_link_send(struct mprun_link *l, uint32_t type, const void *payload, size_t len,
                    int64_t now);

/* mprun_link_flush - write queued bytes (when the socket is writable).
 * Returns 0, or -1 with a reason if the link is broken. */
int mprun_link_flush(struct mprun_link *l, char *err, size_t errlen);

/* Bytes waiting to be sent. */
size_t mprun_link_queued(const struct mprun_link *l);

/* mprun_link_receive - read what the socket has (up to a bound, to stay
 * fair to other work) and hand each complete frame to handler. Returns 1
 * while open, 0 at an orderly end of stream between frames, -1 with a
 * reason in err on an error, a truncated or oversized frame, or a handler
 * refusal. After 0 or -1 the caller closes the link. */
int mprun_link_receive(struct mprun_link *l, int64_t now, mprun_link_handler handler,
                       void *arg, char *err, size_t errlen);

/* mprun_link_close - close the socket and free the buffers. Safe twice. */
void mprun_link_close(struct mprun_link *l);

#endif
