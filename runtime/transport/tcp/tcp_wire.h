/*
 * tcp_wire.h - what the TCP transport puts on the wire and publishes through
 * PMIx, and the checks of everything that comes back. Pure functions (no
 * sockets, no global state), unit-tested in tests/unit/test_tcp_frame.c.
 *
 * Every frame is a 32-byte header, little-endian, followed by `length`
 * payload bytes for HELLO, EAGER and DATA (and nothing for the others):
 *
 *   offset size field
 *    0     1    type      enum tcp_frame_type
 *    1     1    flags     0 (reserved)
 *    2     2    reserved  0
 *    4     4    src       the sender's world rank
 *    8     4    tag       EAGER, RTS: the message's tag (0..MPR_TAG_UB); else 0
 *   12     4    ctx       EAGER, RTS: the communicator context; else 0
 *   16     8    length    HELLO, EAGER, DATA: payload bytes that follow;
 *                         RTS: size of the announced message;
 *                         CTS: bytes the receiver asks for;
 *                         CREDIT: eager bytes given back; else 0
 *   24     8    cookie    RTS, CTS, DATA: the sender's id of the transfer
 *                         (non-zero); else 0
 *
 * The HELLO payload (32 bytes) is {magic, version, the target's rank, the
 * target's secret}; a connection is trusted only after it checks out.
 */
#ifndef MPR_TCP_WIRE_H
#define MPR_TCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/net.h"

#define TCP_FRAME_BYTES 32
#define TCP_HELLO_BYTES 32
#define TCP_HELLO_TOTAL (TCP_FRAME_BYTES + TCP_HELLO_BYTES) /* header and payload */
#define TCP_HELLO_SECRET_AT (TCP_FRAME_BYTES + 16)          /* where the secret starts */
#define TCP_SECRET_BYTES MPR__SECRET_BYTES
#define TCP_HELLO_MAGIC 0x317063742d72706dull /* the bytes "mpr-tcp1" */
#define TCP_WIRE_VERSION 1
/* The largest EAGER payload any rank accepts, whatever MPR_TCP_EAGER_LIMIT
 * says: it bounds what a peer can make us allocate for one message. */
#define TCP_EAGER_MAX (1u << 20)
#define TCP_ENDPOINT_MAX MPR__ENDPOINT_MAX

enum tcp_frame_type {
    TCP_FRAME_HELLO = 1,     /* connector -> acceptor, the first frame */
    TCP_FRAME_ACCEPT = 2,    /* acceptor -> connector: this connection carries the pair */
    TCP_FRAME_DUPLICATE = 3, /* acceptor -> connector: no, my own connection to you wins */
    TCP_FRAME_EAGER = 4,     /* a whole message */
    TCP_FRAME_RTS = 5,       /* a large message is waiting at its sender */
    TCP_FRAME_CTS = 6,       /* its receive is posted: send `length` bytes */
    TCP_FRAME_DATA = 7,      /* the bytes asked for by a CTS */
    TCP_FRAME_BYE = 8,       /* the sender finalizes: nothing more will come */
    TCP_FRAME_CREDIT = 9,    /* the receiver took `length` eager bytes of ours (core/flow.c) */
};
#define TCP_FRAME_TYPE_MAX TCP_FRAME_CREDIT

struct tcp_frame {
    uint8_t type;
    uint8_t flags;
    uint16_t reserved;
    uint32_t src;
    int32_t tag;
    uint32_t ctx;
    uint64_t length;
    uint64_t cookie;
};

/* Where a connection is in its life, which decides the frames it may carry. */
enum tcp_phase {
    TCP_PHASE_HELLO, /* accepted: only a HELLO may come */
    TCP_PHASE_REPLY, /* our hello is out: only ACCEPT or DUPLICATE */
    TCP_PHASE_OPEN,  /* trusted: EAGER, RTS, CTS, DATA, BYE, CREDIT */
};

struct tcp_frame_rules {
    enum tcp_phase phase;
    uint32_t nranks;    /* job size */
    uint32_t self;      /* this rank */
    uint32_t peer;      /* REPLY and OPEN: the rank at the other end */
    uint64_t eager_max; /* largest EAGER payload accepted */
};

struct tcp_hello {
    uint64_t magic;
    uint32_t version;
    uint32_t target; /* the rank the connector means to reach */
    uint8_t secret[TCP_SECRET_BYTES];
};

void mpr__tcp_frame_encode(const struct tcp_frame *f, unsigned char out[TCP_FRAME_BYTES]);
void mpr__tcp_frame_decode(const unsigned char in[TCP_FRAME_BYTES], struct tcp_frame *f);
const char *mpr__tcp_frame_type_name(unsigned type);
/* Does the frame carry `length` payload bytes after its header? */
bool mpr__tcp_frame_has_payload(unsigned type);

/* Check every field of a decoded header against the rules. Returns true if
 * it may be trusted; else false with the reason in why (NUL-terminated). */
bool mpr__tcp_frame_check(const struct tcp_frame *f, const struct tcp_frame_rules *rules,
                          char *why, size_t why_cap);

void mpr__tcp_hello_encode(const struct tcp_hello *h, unsigned char out[TCP_HELLO_BYTES]);
void mpr__tcp_hello_decode(const unsigned char in[TCP_HELLO_BYTES], struct tcp_hello *h);
/* Is this a hello of our version meant for rank `self` that knows its secret?
 * The secret is compared in constant time. */
bool mpr__tcp_hello_check(const struct tcp_hello *h, uint32_t self,
                          const uint8_t secret[TCP_SECRET_BYTES], char *why, size_t why_cap);

/* Are the first len bytes received of a hello (header and payload) what
 * the job's hello to rank `self` holds, so far? Checks every byte before
 * the secret except src (compared whole by mpr__tcp_frame_check); the
 * secret itself is only compared whole, in constant time, by
 * mpr__tcp_hello_check, so that dropping a connection at the first wrong
 * byte tells a stranger nothing about the secret. */
bool mpr__tcp_hello_prefix_check(const unsigned char *in, size_t len, uint32_t self, char *why,
                                 size_t why_cap);

#endif /* MPR_TCP_WIRE_H */
