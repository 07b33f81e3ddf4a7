/*
 * objects_wire.h - the protocol between a rank and the object service of
 * another host's home rank (objects_remote.c, objects_service.c). Pure
 * functions, no sockets, unit-tested in tests/unit/test_objects_wire.c.
 *
 * A client connection starts with a 32-byte hello, then carries requests,
 * each answered by one reply before the next request (a rank has at most
 * one call in flight). Little-endian throughout.
 *
 * hello: magic "mpr-osv1" (8), version (4), the client's world rank (4),
 *        the service's secret (16).
 *
 * request (40 bytes, then `length` payload bytes: QUEUE_PUT's item,
 *          ARRAY_WRITE's data, ARRAY_FETCH_ADD's delta (i64),
 *          ARRAY_CAS's expected and desired (i64, i64)):
 *   0 u8 op  1 u8 flags=0  2 u16 reserved=0  4 u32 object (non-zero)
 *   8 u64 seq (non-zero, echoed)  16 i64 timeout_ns (-1: forever)
 *  24 u32 rank (caller's rank in the object's communicator)
 *  28 u32 length  32 u64 arg (GET: buffer length; ATTACH: the kind;
 *                             COND_NOTIFY: how many to wake, >= 1;
 *                             ARRAY_READ/WRITE: a span, below;
 *                             ARRAY_FETCH_ADD/CAS: the element's index)
 * An array's span is its byte offset << 24 | its byte count (1 ..
 * MPR__OBJW_ARRAY_CHUNK): a rank moves a longer range in several requests.
 *
 * reply (40 bytes, then `length` payload bytes: the item of a QUEUE_GET
 *        that succeeded, the data of an ARRAY_READ that succeeded):
 *   0 u8 op  1 u8 flags=0  2 u16 reserved=0  4 i32 rc
 *   8 u64 seq  16 i64 value  24 u64 extra  32 u32 length  36 u32 reserved=0
 *   value: GET/TRUNCATE the item's length, QSIZE the count, IS_SET 0/1,
 *          SEM_VALUE the count, LOCK_OWNER the rank or -1,
 *          RLOCK_OWNER the world rank or -1, BARRIER_WAIT the arrival
 *          index, BARRIER_STATE the ranks waiting,
 *          ATTACH the queue's largest item, ARRAY_FETCH_ADD/CAS the
 *          element's old value; extra: ATTACH the capacity (a
 *          barrier's parties), QSIZE 1 when the queue is full
 *          (mpr_queue_full), RLOCK_OWNER the recursion count,
 *          BARRIER_STATE 1 when broken.
 * COND_WAIT may take any time past its timeout: after the wait it takes
 * the lock again, however long that takes (the client waits for it).
 */
#ifndef MPR_OBJECTS_WIRE_H
#define MPR_OBJECTS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPR__OBJW_HELLO_BYTES 32
#define MPR__OBJW_REQ_BYTES 40
#define MPR__OBJW_REP_BYTES 40
#define MPR__OBJW_SECRET_BYTES 16
#define MPR__OBJW_MAGIC 0x3176736f2d72706dull /* the bytes "mpr-osv1" */
#define MPR__OBJW_VERSION 1

enum mpr__objw_op {
    MPR__OBJW_ATTACH = 1, /* a rank of another host joins the object's creation */
    MPR__OBJW_QUEUE_PUT,
    MPR__OBJW_QUEUE_GET,
    MPR__OBJW_QUEUE_QSIZE,
    MPR__OBJW_QUEUE_TASK_DONE,
    MPR__OBJW_QUEUE_JOIN,
    MPR__OBJW_EVENT_SET,
    MPR__OBJW_EVENT_CLEAR,
    MPR__OBJW_EVENT_IS_SET,
    MPR__OBJW_EVENT_WAIT,
    MPR__OBJW_SEM_ACQUIRE,
    MPR__OBJW_SEM_RELEASE,
    MPR__OBJW_SEM_VALUE,
    MPR__OBJW_LOCK_ACQUIRE,
    MPR__OBJW_LOCK_RELEASE,
    MPR__OBJW_LOCK_OWNER,
    MPR__OBJW_RLOCK_ACQUIRE,
    MPR__OBJW_RLOCK_RELEASE,
    MPR__OBJW_RLOCK_OWNER,
    MPR__OBJW_BARRIER_WAIT,
    MPR__OBJW_BARRIER_ABORT,
    MPR__OBJW_BARRIER_RESET,
    MPR__OBJW_BARRIER_STATE,
    MPR__OBJW_COND_WAIT,
    MPR__OBJW_COND_NOTIFY,
    MPR__OBJW_ARRAY_READ,
    MPR__OBJW_ARRAY_WRITE,
    MPR__OBJW_ARRAY_FETCH_ADD,
    MPR__OBJW_ARRAY_CAS,
    /* The Manager containers (dict.c, list.c) take numbers from 40 up,
     * apart from the ops above, so other kinds can go in between. */
    MPR__OBJW_DICT_SET = 40,
    MPR__OBJW_DICT_GET,
    MPR__OBJW_DICT_POP,
    MPR__OBJW_DICT_DELETE,
    MPR__OBJW_DICT_CONTAINS,
    MPR__OBJW_DICT_LENGTH,
    MPR__OBJW_DICT_CLEAR,
    MPR__OBJW_DICT_SETDEFAULT,
    MPR__OBJW_DICT_ADD,
    MPR__OBJW_DICT_KEYS,
    MPR__OBJW_LIST_APPEND = 50,
    MPR__OBJW_LIST_GET,
    MPR__OBJW_LIST_SET,
    MPR__OBJW_LIST_POP,
    MPR__OBJW_LIST_INSERT,
    MPR__OBJW_LIST_LENGTH,
    MPR__OBJW_LIST_CLEAR,
};
#define MPR__OBJW_OP_MAX MPR__OBJW_ARRAY_CAS
#define MPR__OBJW_CONTAINER_OP_FIRST MPR__OBJW_DICT_SET
#define MPR__OBJW_CONTAINER_OP_LAST MPR__OBJW_LIST_CLEAR
/* The containers' object kinds (enum mpr__obj_kind). */
#define MPR__OBJW_KIND_DICT 16
#define MPR__OBJW_KIND_LIST 17

/*
 * The containers' requests. A dict op's arg is the key's length | the
 * room for a value << 32 (GET, POP; else 0); its payload is the key, then
 * (SET, SETDEFAULT) the value or (ADD) the delta (i64). DICT_KEYS's arg
 * is the room for the snapshot (at most MPR__OBJW_KEYS_MAX); its reply
 * payload: for each key, its length (u32) and its bytes. A list op's arg
 * is the index (i32, negative from the end) | the room for an item << 32
 * (GET, POP); its payload is the item (APPEND, SET, INSERT). Replies: GET,
 * POP, LIST_GET, LIST_POP, KEYS carry the value, item or snapshot; value
 * is its length, also with MPR_ERR_TRUNCATE (longer than the room: nothing
 * sent); CONTAINS and SETDEFAULT 0/1, LENGTH the count, ADD the new value.
 */
#define MPR__OBJW_KEYS_MAX ((uint64_t)1 << 30)
#define MPR__OBJW_ARG_LOW(arg) ((uint32_t)((uint64_t)(arg) & 0xffffffffu))
#define MPR__OBJW_ARG_ROOM(arg) ((uint64_t)(arg) >> 32)
#define MPR__OBJW_ARG(low, room) ((uint64_t)(uint32_t)(low) | (uint64_t)(room) << 32)

/* The most bytes one ARRAY_READ or ARRAY_WRITE moves, and the span field. */
#define MPR__OBJW_ARRAY_CHUNK ((uint64_t)1 << 20)
#define MPR__OBJW_SPAN(offset, bytes) ((uint64_t)(offset) << 24 | (uint64_t)(bytes))
#define MPR__OBJW_SPAN_OFFSET(arg) ((uint64_t)(arg) >> 24)
#define MPR__OBJW_SPAN_BYTES(arg) ((uint64_t)(arg) & 0xffffffu)

struct mpr__objw_hello {
    uint64_t magic;
    uint32_t version;
    uint32_t client; /* world rank */
    uint8_t secret[MPR__OBJW_SECRET_BYTES];
};

struct mpr__objw_req {
    uint8_t op;
    uint8_t flags;
    uint16_t reserved;
    uint32_t object;
    uint64_t seq;
    int64_t timeout_ns;
    uint32_t rank;
    uint32_t length;
    uint64_t arg;
};

struct mpr__objw_rep {
    uint8_t op;
    uint8_t flags;
    uint16_t reserved;
    int32_t rc;
    uint64_t seq;
    int64_t value;
    uint64_t extra;
    uint32_t length;
    uint32_t reserved2;
};

void mpr__objw_hello_encode(const struct mpr__objw_hello *h, unsigned char out[MPR__OBJW_HELLO_BYTES]);
void mpr__objw_hello_decode(const unsigned char in[MPR__OBJW_HELLO_BYTES], struct mpr__objw_hello *h);
/* Our magic and version, a client rank below nranks, the secret (compared
 * in constant time)? */
bool mpr__objw_hello_check(const struct mpr__objw_hello *h, uint32_t nranks,
                           const uint8_t secret[MPR__OBJW_SECRET_BYTES]);

void mpr__objw_req_encode(const struct mpr__objw_req *r, unsigned char out[MPR__OBJW_REQ_BYTES]);
void mpr__objw_req_decode(const unsigned char in[MPR__OBJW_REQ_BYTES], struct mpr__objw_req *r);
/* The service's check of a request header, before it reads any payload or
 * looks the object up: known op, zero flags and reserved bits, non-zero
 * object and seq, timeout >= -1, a payload only for QUEUE_PUT (at most
 * max_item bytes) and the array ops (their sizes above), arg 0 except
 * for GET, ATTACH (a known kind), COND_NOTIFY (1..INT32_MAX) and the array
 * ops (a span of 1..MPR__OBJW_ARRAY_CHUNK bytes), rank below 2^31. False
 * with the reason in why. */
bool mpr__objw_req_check(const struct mpr__objw_req *r, uint64_t max_item, char *why, size_t why_cap);

/* The object kind an op applies to (enum mpr__obj_kind's values: 1 queue,
 * 2 event, 3 semaphore, 4 lock, 5 rlock, 6 barrier, 7 condition, 8 array,
 * 16 dict, 17 list), or 0
 * (ATTACH, or not an op). */
int mpr__objw_op_kind(unsigned op);

void mpr__objw_rep_encode(const struct mpr__objw_rep *r, unsigned char out[MPR__OBJW_REP_BYTES]);
void mpr__objw_rep_decode(const unsigned char in[MPR__OBJW_REP_BYTES], struct mpr__objw_rep *r);
/* The most payload bytes a reply to req may carry: a GET's buffer length
 * (at most max_item), an ARRAY_READ's span bytes, else 0. */
uint64_t mpr__objw_reply_room(const struct mpr__objw_req *req, uint64_t max_item);

/* The client's check of a reply to request `req`: same op and seq, zero
 * flags and reserved, rc 0 or a known error code, values in range for the
 * op, a payload only for a GET that succeeded (equal to value and at most
 * req->arg bytes) or an ARRAY_READ that succeeded (its span's bytes).
 * False with the reason in why. */
bool mpr__objw_rep_check(const struct mpr__objw_rep *rep, const struct mpr__objw_req *req,
                         char *why, size_t why_cap);

#endif /* MPR_OBJECTS_WIRE_H */
