/*
 * tcp.h - state shared by the files of the TCP transport:
 *   tcp.c           the transport's members (transport.h), frames in and out
 *   tcp_conn.c      connections: listen, accept, connect, hello, close, peer failure
 *   tcp_wire.c      the wire format and its checks (pure)
 * Where to listen and the endpoint text are core's (core/net.h): the object
 * service listens the same way.
 * Nothing outside these files includes it.
 */
#ifndef MPR_TCP_H
#define MPR_TCP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/mpr_internal.h"
#include "transport/tcp/tcp_wire.h"

#define TCP_RBUF_BYTES (64u * 1024)   /* per open connection, for headers and small payloads */
#define TCP_EAGER_DEFAULT (64u * 1024)
#define TCP_HELLO_TIMEOUT_S 2.0       /* an accepted connection must say hello within this */
#define TCP_HELLO_WAITING_MAX 64      /* accepted connections without a hello; one more closes the oldest */
#define TCP_WIREUP_TIMEOUT_S 20.0     /* from the first connect to a peer until its ACCEPT, at most
                                         (MPR_TCP_WIREUP_TIMEOUT changes it) */
#define TCP_WIREUP_TIMEOUT_MAX_S 3600.0
#define TCP_REFUSED_GRACE_S 0.5       /* refused connects for this long: nothing listens, the peer is gone */
#define TCP_RETRY_FIRST_S 0.01        /* backoff between connects, doubling... */
#define TCP_RETRY_MAX_S 0.5           /* ... up to this */
#define TCP_REFUSALS_LOGGED_MAX 100   /* then one line saying the rest are not logged */
#define TCP_BYE_TIMEOUT_S 10.0        /* finalize waits this long for peers' goodbyes */
#define TCP_DIRECT_MAX 4              /* open connections polled directly, at most */

enum tcp_conn_state {
    TCP_CONN_CONNECTING, /* outgoing, connect() in progress */
    TCP_CONN_REPLY_WAIT, /* outgoing, our hello is out, waiting for ACCEPT or DUPLICATE */
    TCP_CONN_HELLO_WAIT, /* accepted, waiting for the connector's hello */
    TCP_CONN_OPEN,       /* carries the pair's frames */
    TCP_CONN_CLOSED,     /* fd closed; freed at the end of the progress pass */
};

/* One socket. The listening socket has no tcp_conn (its epoll data is NULL). */
struct tcp_conn {
    struct mpr__qlink link; /* in mpr__tcp.conns, then mpr__tcp.closed */
    int fd;
    enum tcp_conn_state state;
    int peer;       /* rank at the other end; -1 until its hello (accepted) */
    bool epollin;   /* wants EPOLLIN (reading) */
    bool epollout;  /* wants EPOLLOUT (output is pending) */
    bool direct;    /* polled directly while awake: in the epoll set only to sleep */
    bool stalled;   /* parsed input waits for memory: retried every progress */
    bool loser;     /* outgoing that lost a simultaneous connect: sends its hello, then closes */
    bool bye_sent;     /* our BYE is queued */
    bool shut_wr;      /* ... and written: shutdown(SHUT_WR) done */
    bool bye_received;
    bool eof;          /* the peer shut its side after its BYE */
    double deadline; /* HELLO_WAIT: refused when mpr_wtime() passes it */
    char addr[INET6_ADDRSTRLEN + 8]; /* the other end, for messages */

    /* handshake: hello or reply being read, and our hello/reply being written */
    unsigned char hs_in[TCP_FRAME_BYTES + TCP_HELLO_BYTES];
    size_t hs_in_len;
    unsigned char ctl[TCP_FRAME_BYTES + TCP_HELLO_BYTES];
    size_t ctl_len, ctl_off;
    bool close_after_ctl; /* a DUPLICATE reply: close once it is written */

    /* input of an open connection: unparsed bytes are rbuf[rstart, rend) */
    unsigned char *rbuf;
    size_t rstart, rend;
    bool in_payload;            /* reading the payload of `in` */
    struct tcp_frame in;
    unsigned char *in_dest;     /* where its bytes go */
    size_t in_room;             /* bytes that still fit at in_dest (the rest is dropped) */
    uint64_t in_left;           /* payload bytes still to come */
    struct mpr_request *in_req; /* the receive it fills, or */
    struct mpr__msg *in_msg;    /* the unexpected message it fills */
};

/* A frame waiting to be written, with the send it completes (EAGER, DATA). */
struct tcp_out {
    struct mpr__qlink link;
    unsigned char hdr[TCP_FRAME_BYTES];
    const unsigned char *payload;
    size_t payload_len;
    size_t written; /* bytes of hdr, then payload, already written */
    struct mpr_request *req;
    struct tcp_out *next_free;
};

/* A receive matched to an RTS, waiting for its DATA. */
struct tcp_rdv_recv {
    struct mpr__qlink link;
    struct mpr_request *req;
    uint64_t cookie; /* the sender's id of the transfer */
    uint64_t want;   /* bytes asked for in the CTS */
};

struct tcp_peer {
    struct tcp_conn *conn;      /* the OPEN connection, or our outgoing one being set up */
    struct mpr__queue outq;     /* tcp_out, in order; written once conn is OPEN */
    struct mpr__queue rdv_send; /* sends (tp_link) whose RTS is queued or out, waiting for CTS */
    struct mpr__queue rdv_recv; /* tcp_rdv_recv */
    bool await_their_connect;   /* we lost a simultaneous connect: theirs is coming */
    double wireup_deadline;     /* first connect + TCP_WIREUP_TIMEOUT_S; 0 before it */
    double retry_at;            /* > 0: the last connect failed; connect again then */
    double retry_wait;          /* the backoff, doubling with each failure */
    double refused_since;       /* > 0: connects refused since then */
    bool down;                  /* failed or said goodbye: nothing more to or from it */
};

struct tcp_state {
    bool initialized; /* tcp_init ran: tcp_fini has work */
    bool up;          /* listening, endpoint published */
    int epfd;
    int listen_fd;
    uint8_t secret[TCP_SECRET_BYTES];
    size_t eager_limit;
    double wireup_timeout; /* seconds: TCP_WIREUP_TIMEOUT_S or MPR_TCP_WIREUP_TIMEOUT */
    struct tcp_peer *peers;  /* by world rank */
    struct mpr__queue conns; /* every live tcp_conn */
    struct mpr__queue closed;
    struct tcp_out *free_outs;
    int hello_waiting;
    int retrying;   /* peers with a retry_at */
    int connecting; /* connections in TCP_CONN_CONNECTING */
    int stalled;
    struct tcp_conn *direct[TCP_DIRECT_MAX]; /* open connections polled directly */
    int ndirect;
    bool direct_off; /* there were too many: every connection stays in epoll */
    bool armed;      /* sleeping: direct connections are in the epoll set */
    unsigned polls;
    unsigned refusals_logged;
    bool finalizing;
};

extern struct tcp_state mpr__tcp;

/* tcp_conn.c */
int mpr__tcp_connect(int rank);
void mpr__tcp_accept_all(void);
void mpr__tcp_conn_event(struct tcp_conn *c, uint32_t events);
void mpr__tcp_conn_close(struct tcp_conn *c);
/* Change the events epoll reports for c (a no-op when unchanged). */
void mpr__tcp_set_events(struct tcp_conn *c, bool in, bool out);
/* Write what is left of c->ctl. Returns 1 when all is out, 0 when the socket
 * is full, -1 on an error (errno set). */
int mpr__tcp_write_ctl(struct tcp_conn *c);
void mpr__tcp_check_hello_deadlines(void);
/* Connect again to the peers whose retry time has come. */
void mpr__tcp_retry_connects(void);
/* The peer failed: log the printf-style reason once, mark it dead, fail what
 * involves it. With fmt == NULL it said goodbye: its connection closes and
 * anything still queued for it fails, but it is not dead to the core (its
 * last messages may still wait to be received). */
void mpr__tcp_peer_down(int rank, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mpr__tcp_free_closed(void);
void mpr__tcp_close_all(void);

/* tcp.c */
void mpr__tcp_conn_opened(struct tcp_conn *c);
void mpr__tcp_conn_forget_direct(struct tcp_conn *c);
/* Read and handle what the socket holds; returns whether anything came. */
bool mpr__tcp_conn_read(struct tcp_conn *c);
/* Write what the peer's queue holds, as far as the socket takes it.
 * Returns whether anything was written (or the connection ended). */
bool mpr__tcp_conn_flush(struct tcp_conn *c);
/* Fail every request queued for or expected from peer p (its connection c, if any). */
void mpr__tcp_fail_requests(struct tcp_peer *p, struct tcp_conn *c);
void mpr__tcp_queue_bye(struct tcp_conn *c);

#endif /* MPR_TCP_H */
