/*
 * objects_wire.c - encoding and checks of the object service's frames
 * (format in objects_wire.h). Nothing here trusts a decoded field.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mpr.h"
#include "objects/objects_wire.h"
#include "core/wire_bytes.h"

void mpr__objw_hello_encode(const struct mpr__objw_hello *h, unsigned char out[MPR__OBJW_HELLO_BYTES])
{
    mpr__put64(out, h->magic);
    mpr__put32(out + 8, h->version);
    mpr__put32(out + 12, h->client);
    memcpy(out + 16, h->secret, MPR__OBJW_SECRET_BYTES);
}

void mpr__objw_hello_decode(const unsigned char in[MPR__OBJW_HELLO_BYTES], struct mpr__objw_hello *h)
{
    h->magic = mpr__get64(in);
    h->version = mpr__get32(in + 8);
    h->client = mpr__get32(in + 12);
    memcpy(h->secret, in + 16, MPR__OBJW_SECRET_BYTES);
}

bool mpr__objw_hello_check(const struct mpr__objw_hello *h, uint32_t nranks,
                           const uint8_t secret[MPR__OBJW_SECRET_BYTES])
{
    unsigned diff = 0;
    for (int i = 0; i < MPR__OBJW_SECRET_BYTES; i++)
        diff |= (unsigned)(h->secret[i] ^ secret[i]);
    return h->magic == MPR__OBJW_MAGIC && h->version == MPR__OBJW_VERSION && h->client < nranks &&
           diff == 0;
}

void mpr__objw_req_encode(const struct mpr__objw_req *r, unsigned char out[MPR__OBJW_REQ_BYTES])
{
    out[0] = r->op;
    out[1] = r->flags;
    mpr__put16(out + 2, r->reserved);
    mpr__put32(out + 4, r->object);
    mpr__put64(out + 8, r->seq);
    mpr__put64(out + 16, (uint64_t)r->timeout_ns);
    mpr__put32(out + 24, r->rank);
    mpr__put32(out + 28, r->length);
    mpr__put64(out + 32, r->arg);
}

void mpr__objw_req_decode(const unsigned char in[MPR__OBJW_REQ_BYTES], struct mpr__objw_req *r)
{
    r->op = in[0];
    r->flags = in[1];
    r->reserved = mpr__get16(in + 2);
    r->object = mpr__get32(in + 4);
    r->seq = mpr__get64(in + 8);
    r->timeout_ns = (int64_t)mpr__get64(in + 16);
    r->rank = mpr__get32(in + 24);
    r->length = mpr__get32(in + 28);
    r->arg = mpr__get64(in + 32);
}

static bool container_op(unsigned op)
{
    return op >= MPR__OBJW_CONTAINER_OP_FIRST && op <= MPR__OBJW_CONTAINER_OP_LAST;
}

/* The ops whose successful reply carries bytes (value, item, snapshot). */
static bool container_reply_op(unsigned op)
{
    return op == MPR__OBJW_DICT_GET || op == MPR__OBJW_DICT_POP || op == MPR__OBJW_DICT_KEYS ||
           op == MPR__OBJW_LIST_GET || op == MPR__OBJW_LIST_POP;
}

/* The most bytes a container's reply may carry for its op. */
static uint64_t container_reply_max(unsigned op)
{
    if (op == MPR__OBJW_DICT_KEYS)
        return MPR__OBJW_KEYS_MAX;
    return op == MPR__OBJW_DICT_GET || op == MPR__OBJW_DICT_POP ? MPR_DICT_VALUE_MAX
                                                                 : MPR_LIST_ITEM_MAX;
}

/* A container's request: payload and arg as objects_wire.h says. */
static bool container_req_fits(const struct mpr__objw_req *r)
{
    uint64_t klen = MPR__OBJW_ARG_LOW(r->arg), room = MPR__OBJW_ARG_ROOM(r->arg);
    switch (r->op) {
    case MPR__OBJW_DICT_SET:
    case MPR__OBJW_DICT_SETDEFAULT:
        return room == 0 && klen <= MPR_DICT_KEY_MAX && r->length >= klen &&
               r->length - klen <= MPR_DICT_VALUE_MAX;
    case MPR__OBJW_DICT_GET:
    case MPR__OBJW_DICT_POP:
        return room <= MPR_DICT_VALUE_MAX && klen <= MPR_DICT_KEY_MAX && r->length == klen;
    case MPR__OBJW_DICT_DELETE:
    case MPR__OBJW_DICT_CONTAINS:
        return room == 0 && klen <= MPR_DICT_KEY_MAX && r->length == klen;
    case MPR__OBJW_DICT_ADD:
        return room == 0 && klen <= MPR_DICT_KEY_MAX && r->length == klen + 8;
    case MPR__OBJW_DICT_KEYS:
        return r->length == 0 && r->arg <= MPR__OBJW_KEYS_MAX;
    case MPR__OBJW_LIST_APPEND:
        return r->arg == 0 && r->length <= MPR_LIST_ITEM_MAX;
    case MPR__OBJW_LIST_SET:
    case MPR__OBJW_LIST_INSERT:
        return room == 0 && r->length <= MPR_LIST_ITEM_MAX;
    case MPR__OBJW_LIST_GET:
    case MPR__OBJW_LIST_POP:
        return room <= MPR_LIST_ITEM_MAX && r->length == 0;
    default: /* DICT_LENGTH, DICT_CLEAR, LIST_LENGTH, LIST_CLEAR */
        return r->arg == 0 && r->length == 0;
    }
}

/* The payload a request may carry (its span checked apart). */
static bool length_fits(const struct mpr__objw_req *r, uint64_t max_item)
{
    switch (r->op) {
    case MPR__OBJW_QUEUE_PUT:
        return r->length <= max_item;
    case MPR__OBJW_ARRAY_WRITE:
        return r->length == MPR__OBJW_SPAN_BYTES(r->arg);
    case MPR__OBJW_ARRAY_FETCH_ADD:
        return r->length == 8;
    case MPR__OBJW_ARRAY_CAS:
        return r->length == 16;
    default:
        return r->length == 0;
    }
}

bool mpr__objw_req_check(const struct mpr__objw_req *r, uint64_t max_item, char *why, size_t why_cap)
{
    if ((r->op < 1 || r->op > MPR__OBJW_OP_MAX) && !container_op(r->op))
        return mpr__wire_refuse(why, why_cap, "unknown op %u", r->op);
    if (r->flags != 0 || r->reserved != 0)
        return mpr__wire_refuse(why, why_cap, "reserved bits set");
    if (r->object == 0)
        return mpr__wire_refuse(why, why_cap, "object 0");
    if (r->seq == 0)
        return mpr__wire_refuse(why, why_cap, "seq 0");
    if (r->timeout_ns < -1)
        return mpr__wire_refuse(why, why_cap, "timeout %lld", (long long)r->timeout_ns);
    if (r->rank > INT32_MAX)
        return mpr__wire_refuse(why, why_cap, "rank %u", r->rank);
    if (container_op(r->op)) {
        if (!container_req_fits(r))
            return mpr__wire_refuse(why, why_cap, "length %u, arg %llu for op %u", r->length,
                                    (unsigned long long)r->arg, r->op);
        return true;
    }
    if (!length_fits(r, max_item))
        return mpr__wire_refuse(why, why_cap, "length %u for op %u", r->length, r->op);
    if (r->op == MPR__OBJW_ATTACH) {
        if ((r->arg < 1 || r->arg > 8) && r->arg != MPR__OBJW_KIND_DICT &&
            r->arg != MPR__OBJW_KIND_LIST)
            return mpr__wire_refuse(why, why_cap, "attach to kind %llu", (unsigned long long)r->arg);
    } else if (r->op == MPR__OBJW_COND_NOTIFY) {
        if (r->arg < 1 || r->arg > INT32_MAX)
            return mpr__wire_refuse(why, why_cap, "notify %llu", (unsigned long long)r->arg);
    } else if (r->op == MPR__OBJW_ARRAY_READ || r->op == MPR__OBJW_ARRAY_WRITE) {
        uint64_t bytes = MPR__OBJW_SPAN_BYTES(r->arg);
        if (bytes < 1 || bytes > MPR__OBJW_ARRAY_CHUNK)
            return mpr__wire_refuse(why, why_cap, "span of %llu bytes", (unsigned long long)bytes);
    } else if (r->op == MPR__OBJW_ARRAY_FETCH_ADD || r->op == MPR__OBJW_ARRAY_CAS) {
        /* any index: the array checks it */
    } else if (r->op != MPR__OBJW_QUEUE_GET && r->arg != 0) {
        return mpr__wire_refuse(why, why_cap, "arg %llu for op %u", (unsigned long long)r->arg, r->op);
    }
    return true;
}

int mpr__objw_op_kind(unsigned op)
{
    if (op >= MPR__OBJW_QUEUE_PUT && op <= MPR__OBJW_QUEUE_JOIN)
        return 1;
    if (op >= MPR__OBJW_EVENT_SET && op <= MPR__OBJW_EVENT_WAIT)
        return 2;
    if (op >= MPR__OBJW_SEM_ACQUIRE && op <= MPR__OBJW_SEM_VALUE)
        return 3;
    if (op >= MPR__OBJW_LOCK_ACQUIRE && op <= MPR__OBJW_LOCK_OWNER)
        return 4;
    if (op >= MPR__OBJW_RLOCK_ACQUIRE && op <= MPR__OBJW_RLOCK_OWNER)
        return 5;
    if (op >= MPR__OBJW_BARRIER_WAIT && op <= MPR__OBJW_BARRIER_STATE)
        return 6;
    if (op >= MPR__OBJW_COND_WAIT && op <= MPR__OBJW_COND_NOTIFY)
        return 7;
    if (op >= MPR__OBJW_ARRAY_READ && op <= MPR__OBJW_ARRAY_CAS)
        return 8;
    if (container_op(op))
        return op < MPR__OBJW_LIST_APPEND ? MPR__OBJW_KIND_DICT : MPR__OBJW_KIND_LIST;
    return 0;
}

void mpr__objw_rep_encode(const struct mpr__objw_rep *r, unsigned char out[MPR__OBJW_REP_BYTES])
{
    out[0] = r->op;
    out[1] = r->flags;
    mpr__put16(out + 2, r->reserved);
    mpr__put32(out + 4, (uint32_t)r->rc);
    mpr__put64(out + 8, r->seq);
    mpr__put64(out + 16, (uint64_t)r->value);
    mpr__put64(out + 24, r->extra);
    mpr__put32(out + 32, r->length);
    mpr__put32(out + 36, r->reserved2);
}

void mpr__objw_rep_decode(const unsigned char in[MPR__OBJW_REP_BYTES], struct mpr__objw_rep *r)
{
    r->op = in[0];
    r->flags = in[1];
    r->reserved = mpr__get16(in + 2);
    r->rc = (int32_t)mpr__get32(in + 4);
    r->seq = mpr__get64(in + 8);
    r->value = (int64_t)mpr__get64(in + 16);
    r->extra = mpr__get64(in + 24);
    r->length = mpr__get32(in + 32);
    r->reserved2 = mpr__get32(in + 36);
}

/* The codes a service may answer with. */
static bool known_rc(int32_t rc)
{
    switch (rc) {
    case MPR_SUCCESS: case MPR_ERR_ARG: case MPR_ERR_TRUNCATE: case MPR_ERR_NO_MEM:
    case MPR_ERR_SHM: case MPR_ERR_PROC_FAILED: case MPR_ERR_INTERNAL: case MPR_ERR_FULL:
    case MPR_ERR_EMPTY: case MPR_ERR_TIMEOUT: case MPR_ERR_BUSY: case MPR_ERR_NOT_OWNER:
    case MPR_ERR_VALUE: case MPR_ERR_DEADLOCK: case MPR_ERR_BROKEN:
    case MPR_ERR_KEY: case MPR_ERR_INDEX:
        return true;
    default:
        return false;
    }
}

uint64_t mpr__objw_reply_room(const struct mpr__objw_req *req, uint64_t max_item)
{
    if (req->op == MPR__OBJW_QUEUE_GET)
        return req->arg < max_item ? req->arg : max_item;
    if (req->op == MPR__OBJW_ARRAY_READ)
        return MPR__OBJW_SPAN_BYTES(req->arg);
    if (req->op == MPR__OBJW_DICT_KEYS)
        return req->arg;
    if (container_reply_op(req->op))
        return MPR__OBJW_ARG_ROOM(req->arg);
    return 0;
}

/* A container's reply (objects_wire.h). */
static bool container_rep_check(const struct mpr__objw_rep *rep, const struct mpr__objw_req *req,
                                char *why, size_t why_cap)
{
    bool carries = container_reply_op(req->op);
    uint64_t room = mpr__objw_reply_room(req, 0);
    if (rep->length != 0 && !(carries && rep->rc == MPR_SUCCESS &&
                              rep->length == (uint64_t)rep->value && rep->length <= room))
        return mpr__wire_refuse(why, why_cap, "payload of %u bytes", rep->length);
    if (rep->rc != MPR_SUCCESS && rep->rc != MPR_ERR_TRUNCATE)
        return true;
    int64_t v = rep->value;
    bool ok = rep->extra == 0;
    if (rep->rc == MPR_ERR_TRUNCATE)
        ok = ok && carries && v >= 0 && (uint64_t)v > room;
    if (carries)
        ok = ok && v >= 0 && (uint64_t)v <= container_reply_max(req->op);
    else if (req->op == MPR__OBJW_DICT_CONTAINS || req->op == MPR__OBJW_DICT_SETDEFAULT)
        ok = ok && (v == 0 || v == 1);
    else if (req->op == MPR__OBJW_DICT_LENGTH || req->op == MPR__OBJW_LIST_LENGTH)
        ok = ok && v >= 0 && v <= INT32_MAX;
    else if (req->op != MPR__OBJW_DICT_ADD)
        ok = ok && v == 0;
    return ok || mpr__wire_refuse(why, why_cap, "value %lld for op %u", (long long)v, req->op);
}

bool mpr__objw_rep_check(const struct mpr__objw_rep *rep, const struct mpr__objw_req *req,
                         char *why, size_t why_cap)
{
    if (rep->op != req->op || rep->seq != req->seq)
        return mpr__wire_refuse(why, why_cap, "answers op %u seq %llu, not op %u seq %llu", rep->op,
                      (unsigned long long)rep->seq, req->op, (unsigned long long)req->seq);
    if (rep->flags != 0 || rep->reserved != 0 || rep->reserved2 != 0)
        return mpr__wire_refuse(why, why_cap, "reserved bits set");
    if (!known_rc(rep->rc))
        return mpr__wire_refuse(why, why_cap, "unknown code %d", rep->rc);
    if (container_op(req->op))
        return container_rep_check(rep, req, why, why_cap);
    bool got = req->op == MPR__OBJW_QUEUE_GET && rep->rc == MPR_SUCCESS;
    bool read = req->op == MPR__OBJW_ARRAY_READ && rep->rc == MPR_SUCCESS;
    if (got ? (uint64_t)rep->length != (uint64_t)rep->value || rep->length > req->arg
        : read ? rep->length != MPR__OBJW_SPAN_BYTES(req->arg)
               : rep->length != 0)
        return mpr__wire_refuse(why, why_cap, "payload of %u bytes", rep->length);
    if (rep->rc != MPR_SUCCESS && rep->rc != MPR_ERR_TRUNCATE)
        return true; /* values mean nothing then */
    int64_t v = rep->value;
    bool ok = true;
    switch (req->op) {
    case MPR__OBJW_ATTACH:
        ok = v >= 0 && v <= (int64_t)MPR_QUEUE_ITEM_MAX && rep->extra <= MPR_QUEUE_MAXSIZE_MAX;
        break;
    case MPR__OBJW_QUEUE_GET:
        ok = rep->rc == MPR_SUCCESS ? v >= 0 : v >= 0 && (uint64_t)v > req->arg;
        ok = ok && v <= (int64_t)MPR_QUEUE_ITEM_MAX;
        break;
    case MPR__OBJW_QUEUE_QSIZE:
        ok = v >= 0 && v <= INT32_MAX && rep->extra <= 1;
        break;
    case MPR__OBJW_EVENT_IS_SET:
        ok = v == 0 || v == 1;
        break;
    case MPR__OBJW_SEM_VALUE:
        ok = v >= 0 && v <= INT32_MAX;
        break;
    case MPR__OBJW_LOCK_OWNER:
        ok = v >= -1 && v <= INT32_MAX;
        break;
    case MPR__OBJW_RLOCK_OWNER:
        ok = v >= -1 && v <= INT32_MAX && rep->extra <= UINT32_MAX;
        break;
    case MPR__OBJW_BARRIER_WAIT:
    case MPR__OBJW_BARRIER_STATE:
        ok = v >= 0 && v <= INT32_MAX && rep->extra <= 1;
        break;
    case MPR__OBJW_ARRAY_FETCH_ADD:
    case MPR__OBJW_ARRAY_CAS:
        ok = rep->extra == 0; /* any old value */
        break;
    default:
        ok = v == 0;
        break;
    }
    if (rep->rc == MPR_ERR_TRUNCATE && req->op != MPR__OBJW_QUEUE_GET)
        ok = false;
    return ok ? true : mpr__wire_refuse(why, why_cap, "value %lld for op %u", (long long)v, req->op);
}
