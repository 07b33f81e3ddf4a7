/* tcp_wire.c - frame and hello encoding and their checks. */
#include "transport/tcp/tcp_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "core/wire_bytes.h"

void mpr__tcp_frame_encode(const struct tcp_frame *f, unsigned char out[TCP_FRAME_BYTES])
{
    out[0] = f->type;
    out[1] = f->flags;
    mpr__put16(out + 2, f->reserved);
    mpr__put32(out + 4, f->src);
    mpr__put32(out + 8, (uint32_t)f->tag);
    mpr__put32(out + 12, f->ctx);
    mpr__put64(out + 16, f->length);
    mpr__put64(out + 24, f->cookie);
}

void mpr__tcp_frame_decode(const unsigned char in[TCP_FRAME_BYTES], struct tcp_frame *f)
{
    f->type = in[0];
    f->flags = in[1];
    f->reserved = mpr__get16(in + 2);
    f->src = mpr__get32(in + 4);
    f->tag = (int32_t)mpr__get32(in + 8);
    f->ctx = mpr__get32(in + 12);
    f->length = mpr__get64(in + 16);
    f->cookie = mpr__get64(in + 24);
}

const char *mpr__tcp_frame_type_name(unsigned type)
{
    static const char *const names[] = {
        [TCP_FRAME_HELLO] = "HELLO", [TCP_FRAME_ACCEPT] = "ACCEPT",
        [TCP_FRAME_DUPLICATE] = "DUPLICATE", [TCP_FRAME_EAGER] = "EAGER",
        [TCP_FRAME_RTS] = "RTS", [TCP_FRAME_CTS] = "CTS",
        [TCP_FRAME_DATA] = "DATA", [TCP_FRAME_BYE] = "BYE", [TCP_FRAME_CREDIT] = "CREDIT",
    };
    return type >= 1 && type <= TCP_FRAME_TYPE_MAX ? names[type] : "unknown";
}

bool mpr__tcp_frame_has_payload(unsigned type)
{
    return type == TCP_FRAME_HELLO || type == TCP_FRAME_EAGER || type == TCP_FRAME_DATA;
}


static bool type_allowed(unsigned type, enum tcp_phase phase)
{
    switch (phase) {
    case TCP_PHASE_HELLO:
        return type == TCP_FRAME_HELLO;
    case TCP_PHASE_REPLY:
        return type == TCP_FRAME_ACCEPT || type == TCP_FRAME_DUPLICATE;
    case TCP_PHASE_OPEN:
        return type >= TCP_FRAME_EAGER && type <= TCP_FRAME_CREDIT;
    }
    return false;
}

/* The most `length` may be for this type (the caller checks DATA and CTS
 * against the transfer they belong to). */
static uint64_t length_max(unsigned type, uint64_t eager_max)
{
    switch (type) {
    case TCP_FRAME_HELLO:
        return TCP_HELLO_BYTES;
    case TCP_FRAME_EAGER:
        return eager_max < TCP_EAGER_MAX ? eager_max : TCP_EAGER_MAX;
    case TCP_FRAME_RTS:
    case TCP_FRAME_CTS:
    case TCP_FRAME_DATA:
    case TCP_FRAME_CREDIT:
        return UINT64_MAX;
    default:
        return 0;
    }
}

bool mpr__tcp_frame_check(const struct tcp_frame *f, const struct tcp_frame_rules *rules,
                          char *why, size_t why_cap)
{
    unsigned type = f->type;
    const char *name = mpr__tcp_frame_type_name(type);
    if (type < 1 || type > TCP_FRAME_TYPE_MAX)
        return mpr__wire_refuse(why, why_cap, "unknown frame type %u", type);
    if (!type_allowed(type, rules->phase))
        return mpr__wire_refuse(why, why_cap, "%s frame where %s was expected", name,
                      rules->phase == TCP_PHASE_HELLO   ? "a HELLO"
                      : rules->phase == TCP_PHASE_REPLY ? "ACCEPT or DUPLICATE"
                                                        : "a message frame");
    if (f->flags != 0 || f->reserved != 0)
        return mpr__wire_refuse(why, why_cap, "reserved bits set in a %s frame", name);
    if (f->src >= rules->nranks)
        return mpr__wire_refuse(why, why_cap, "rank %u out of range (job of %u ranks)", f->src, rules->nranks);
    if (rules->phase == TCP_PHASE_HELLO && f->src == rules->self)
        return mpr__wire_refuse(why, why_cap, "hello claims to come from this rank (%u)", f->src);
    if (rules->phase != TCP_PHASE_HELLO && f->src != rules->peer)
        return mpr__wire_refuse(why, why_cap, "%s frame from rank %u on the connection of rank %u",
                      name, f->src, rules->peer);

    bool has_envelope = type == TCP_FRAME_EAGER || type == TCP_FRAME_RTS;
    if (has_envelope && (f->tag < 0 || f->tag > MPR_TAG_UB))
        return mpr__wire_refuse(why, why_cap, "tag %d out of range in a %s frame", f->tag, name);
    if (!has_envelope && (f->tag != 0 || f->ctx != 0))
        return mpr__wire_refuse(why, why_cap, "tag or context set in a %s frame", name);

    uint64_t max = length_max(type, rules->eager_max);
    if (f->length > max)
        return mpr__wire_refuse(why, why_cap, "length %llu larger than allowed (%llu) in a %s frame",
                      (unsigned long long)f->length, (unsigned long long)max, name);
    if (type == TCP_FRAME_HELLO && f->length != TCP_HELLO_BYTES)
        return mpr__wire_refuse(why, why_cap, "HELLO of length %llu, not %u",
                      (unsigned long long)f->length, TCP_HELLO_BYTES);

    bool has_cookie = type == TCP_FRAME_RTS || type == TCP_FRAME_CTS || type == TCP_FRAME_DATA;
    if (has_cookie != (f->cookie != 0))
        return mpr__wire_refuse(why, why_cap, has_cookie ? "no transfer id in a %s frame"
                                               : "transfer id set in a %s frame", name);
    return true;
}

void mpr__tcp_hello_encode(const struct tcp_hello *h, unsigned char out[TCP_HELLO_BYTES])
{
    mpr__put64(out, h->magic);
    mpr__put32(out + 8, h->version);
    mpr__put32(out + 12, h->target);
    memcpy(out + 16, h->secret, TCP_SECRET_BYTES);
}

void mpr__tcp_hello_decode(const unsigned char in[TCP_HELLO_BYTES], struct tcp_hello *h)
{
    h->magic = mpr__get64(in);
    h->version = mpr__get32(in + 8);
    h->target = mpr__get32(in + 12);
    memcpy(h->secret, in + 16, TCP_SECRET_BYTES);
}

bool mpr__tcp_hello_check(const struct tcp_hello *h, uint32_t self,
                          const uint8_t secret[TCP_SECRET_BYTES], char *why, size_t why_cap)
{
    if (h->magic != TCP_HELLO_MAGIC)
        return mpr__wire_refuse(why, why_cap, "not an mpr hello (bad magic)");
    if (h->version != TCP_WIRE_VERSION)
        return mpr__wire_refuse(why, why_cap, "protocol version %u, this rank speaks %u",
                      h->version, TCP_WIRE_VERSION);
    if (h->target != self)
        return mpr__wire_refuse(why, why_cap, "hello meant for rank %u", h->target);
    unsigned diff = 0;
    for (int i = 0; i < TCP_SECRET_BYTES; i++)
        diff |= (unsigned)(h->secret[i] ^ secret[i]);
    if (diff != 0)
        return mpr__wire_refuse(why, why_cap, "wrong secret");
    return true;
}

/* The hello a connector sends to rank `self`, but for the fields that vary
 * (src, bytes 4-7) or must not be compared early (the secret). */
static void expected_hello(uint32_t self, unsigned char out[TCP_HELLO_TOTAL])
{
    struct tcp_frame f = { .type = TCP_FRAME_HELLO, .length = TCP_HELLO_BYTES };
    struct tcp_hello h = { .magic = TCP_HELLO_MAGIC, .version = TCP_WIRE_VERSION, .target = self };
    mpr__tcp_frame_encode(&f, out);
    mpr__tcp_hello_encode(&h, out + TCP_FRAME_BYTES);
}

bool mpr__tcp_hello_prefix_check(const unsigned char *in, size_t len, uint32_t self, char *why,
                                 size_t why_cap)
{
    unsigned char want[TCP_HELLO_TOTAL];
    expected_hello(self, want);
    if (len > TCP_HELLO_SECRET_AT)
        len = TCP_HELLO_SECRET_AT;
    for (size_t i = 0; i < len; i++) {
        if (i >= 4 && i < 8)
            continue; /* src: checked whole, by mpr__tcp_frame_check */
        if (in[i] != want[i])
            return mpr__wire_refuse(why, why_cap, "byte %zu of a hello is 0x%02x, not 0x%02x", i,
                                    in[i], want[i]);
    }
    return true;
}
