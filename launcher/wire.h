/*
 * wire.h - the messages between the first mprun and the daemons it starts
 * on other hosts, and the bounds-checked encoding they use.
 *
 * A frame is a header of two big-endian 32-bit words, the message type and
 * the payload length, then the payload. Payload fields are big-endian
 * 32-bit integers, and byte strings as a 32-bit length then the bytes.
 * Nothing read from the wire is trusted: every length is checked against
 * what is left of the frame and against a limit before it is used, every
 * number against its range, and a frame must be consumed exactly.
 */
#ifndef MPRUN_WIRE_H
#define MPRUN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

#define MPRUN_WIRE_MAGIC 0x4d505244u /* "MPRD" */
#define MPRUN_WIRE_VERSION 2u
#define MPRUN_WIRE_SECRET_LEN 32      /* bytes; 64 hex digits on the daemon's stdin */
#define MPRUN_WIRE_HEADER_LEN 8
#define MPRUN_WIRE_FRAME_MAX (64u << 20) /* fence data of a big job fits */
#define MPRUN_WIRE_HELLO_MAX 512         /* the first frame of a connection */
#define MPRUN_WIRE_STRING_MAX (1u << 20) /* an argument, a variable, a path */
#define MPRUN_WIRE_LIST_MAX 65536        /* arguments, variables */

enum mprun_msg {
    /* daemon -> first mprun */
    MPRUN_MSG_HELLO = 1,   /* magic, version, host, secret, pid, host name */
    MPRUN_MSG_TEXT,        /* a line or more for mprun's stderr (binding reports) */
    MPRUN_MSG_ERROR,       /* exit code, message: the daemon cannot go on with the job */
    MPRUN_MSG_OUTPUT,      /* rank, stream (1 or 2), bytes */
    MPRUN_MSG_RANK_EXIT,   /* rank, pid, wait status, start failure reported already,
                              left without PMIx_Finalize, 1 + the rank it saw fail
                              first (0: none) */
    MPRUN_MSG_ABORT,       /* rank, code, message, 1 + the rank it saw fail first
                              (0: none): a rank called PMIx_Abort */
    MPRUN_MSG_FENCE,       /* participants, status, this host's data */
    MPRUN_MSG_STDIN_ACK,   /* the last stdin chunk reached rank 0 */
    MPRUN_MSG_SIGNALED,    /* signal: the daemon itself was signalled */
    /* first mprun -> daemon */
    MPRUN_MSG_JOB,         /* the job description (struct mprun_job_desc) */
    MPRUN_MSG_FENCE_DONE,  /* participants, status, every host's data */
    MPRUN_MSG_STDIN,       /* bytes for rank 0; none means EOF */
    MPRUN_MSG_OUTPUT_CLOSE,/* rank, stream: nobody reads it any more */
    MPRUN_MSG_STOP,        /* signal: stop the ranks with it */
    MPRUN_MSG_SHUTDOWN,    /* the job is over: clean up and exit */
    /* both ways */
    MPRUN_MSG_HEARTBEAT,   /* nothing: the sender is alive */
    /* daemon -> first mprun */
    MPRUN_MSG_NAMES,       /* a publish, lookup or unpublish (struct mprun_names_request) */
    /* first mprun -> daemon */
    MPRUN_MSG_NAMES_DONE,  /* its reply (the same struct) */
    MPRUN_MSG_END
};

/* A growing payload. Building stays linear: the first failure (out of
 * memory, too big) is remembered and checked once at the end. */
struct mprun_wbuf {
    char *data;
    size_t len, cap;
    bool failed;
};

void mprun_wbuf_u32(struct mprun_wbuf *w, uint32_t v);
void mprun_wbuf_raw(struct mprun_wbuf *w, const void *data, size_t n);
void mprun_wbuf_bytes(struct mprun_wbuf *w, const void *data, size_t n); /* length + bytes */
void mprun_wbuf_str(struct mprun_wbuf *w, const char *s);
void mprun_wbuf_free(struct mprun_wbuf *w);

/* A received payload being decoded. Every getter fails (and returns 0 or
 * NULL) once anything was out of bounds; check `failed` at the end, or use
 * mprun_rbuf_done. */
struct mprun_rbuf {
    const char *data;
    size_t len, off;
    bool failed;
};

void mprun_rbuf_init(struct mprun_rbuf *r, const void *data, size_t len);
uint32_t mprun_rbuf_u32(struct mprun_rbuf *r);
/* a value that must be below `limit` */
uint32_t mprun_rbuf_index(struct mprun_rbuf *r, uint32_t limit);
const void *mprun_rbuf_raw(struct mprun_rbuf *r, size_t n);
/* length-prefixed bytes, at most max: a pointer into the frame */
const char *mprun_rbuf_bytes(struct mprun_rbuf *r, size_t max, size_t *n);
/* a length-prefixed string without NUL bytes, at most max: malloc'd copy */
char *mprun_rbuf_str(struct mprun_rbuf *r, size_t max);
/* true if nothing failed and the payload was consumed exactly */
bool mprun_rbuf_done(const struct mprun_rbuf *r);

/* The first frame of a daemon's connection. */
struct mprun_hello {
    uint32_t host;            /* the host index it was started for */
    uint8_t secret[MPRUN_WIRE_SECRET_LEN];
    uint32_t pid;
    char *host_name;          /* its short host name, for PMIx */
};

void mprun_hello_encode(const struct mprun_hello *h, struct mprun_wbuf *w);
/* Returns 0, or -1 with what was wrong in err. */
int mprun_hello_decode(const void *payload, size_t len, struct mprun_hello *h, char *err,
                       size_t errlen);
void mprun_hello_free(struct mprun_hello *h);

/* What a daemon needs to run its part of the job. */
struct mprun_job_desc {
    char *nspace;
    uint32_t nranks, nhosts;
    char **host_names;        /* nhosts short host names (PMIx node names) */
    char **host_labels;       /* nhosts names as the user wrote them (messages) */
    uint32_t *host_of_rank;   /* nranks entries < nhosts */
    uint32_t host;            /* the receiving daemon's host index */
    char **argv;              /* the program and its arguments, NULL-terminated */
    uint32_t argc;
    char **exports;           /* "VAR=value" to set for the ranks, NULL-terminated */
    uint32_t nexports;
    char *cwd;                /* where the ranks start */
    uint32_t bind, map;       /* enum mprun_bind, enum mprun_map */
    bool report_bindings;
    bool slots_oversubscribed;/* more ranks than slots on this host */
    bool stdin_to_rank0;      /* rank 0 (if here) reads a pipe fed by STDIN messages */
    uint32_t heartbeat_ms;    /* silence after which the link counts as lost */
};

void mprun_job_desc_encode(const struct mprun_job_desc *d, struct mprun_wbuf *w);
int mprun_job_desc_decode(const void *payload, size_t len, struct mprun_job_desc *d,
                          char *err, size_t errlen);
void mprun_job_desc_free(struct mprun_job_desc *d);

/* Fence participants: the ranks named by PMIx, UINT32_MAX for "all". */
#define MPRUN_FENCE_ALL UINT32_MAX
#define MPRUN_FENCE_MAX_PROCS 65536

/* MPRUN_MSG_FENCE and MPRUN_MSG_FENCE_DONE. */
struct mprun_fence_msg {
    uint32_t nprocs;
    const uint32_t *procs;    /* decoded: points into decoded_procs */
    int32_t status;           /* a pmix_status_t */
    const char *data;         /* decoded: points into the frame */
    size_t ndata;
    uint32_t *decoded_procs;
};

void mprun_fence_msg_encode(const struct mprun_fence_msg *m, struct mprun_wbuf *w);
int mprun_fence_msg_decode(const void *payload, size_t len, struct mprun_fence_msg *m,
                           char *err, size_t errlen);
void mprun_fence_msg_free(struct mprun_fence_msg *m);

/* MPRUN_MSG_NAMES and MPRUN_MSG_NAMES_DONE: a request of names.h or its
 * reply, within its limits. */

void mprun_names_msg_encode(const struct mprun_names_request *r, struct mprun_wbuf *w);
/* Decodes into *r (free with mprun_names_request_clear); 0 or -1 with err. */
int mprun_names_msg_decode(const void *payload, size_t len, struct mprun_names_request *r,
                           char *err, size_t errlen);

/* mprun_hex_to_secret - 64 hex digits to MPRUN_WIRE_SECRET_LEN bytes. */
int mprun_hex_to_secret(const char *hex, uint8_t *secret);
void mprun_secret_to_hex(const uint8_t *secret, char *hex /* 65 bytes */);

/* mprun_secret_equal - compare in constant time. */
bool mprun_secret_equal(const uint8_t *a, const uint8_t *b);

#endif
