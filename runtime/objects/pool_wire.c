/*
 * pool_wire.c - the pool's messages (layout in pool.h): building a chunk
 * header, reading chunks and result records with every length checked
 * against the message before use, and the buffers they are built in.
 */
#include <stdlib.h>
#include <string.h>

#include "core/wire_bytes.h"
#include "objects/pool.h"

int mpr__pool_buf_reserve(struct mpr__pool_buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return MPR_SUCCESS;
    if (more > SIZE_MAX / 2 - b->len)
        return MPR_ERR_NO_MEM;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more)
        cap *= 2;
    unsigned char *data = realloc(b->data, cap);
    if (!data)
        return MPR_ERR_NO_MEM;
    b->data = data;
    b->cap = cap;
    return MPR_SUCCESS;
}

int mpr__pool_put_chunk_header(struct mpr__pool_buf *b, uint64_t id, uint32_t nitems,
                               uint64_t item_len, uint64_t out_cap, const char *name,
                               size_t name_len)
{
    int rc = mpr__pool_buf_reserve(b, MPR__POOL_CHUNK_HEADER + name_len + MPR__POOL_INPUT_ALIGN);
    if (rc != MPR_SUCCESS)
        return rc;
    unsigned char *p = b->data + b->len;
    mpr__put64(p, id);
    mpr__put32(p + 8, nitems);
    mpr__put64(p + 12, item_len);
    mpr__put64(p + 20, out_cap);
    mpr__put16(p + 28, (uint16_t)name_len);
    memcpy(p + MPR__POOL_CHUNK_HEADER, name, name_len);
    b->len += MPR__POOL_CHUNK_HEADER + name_len;
    while (b->len % MPR__POOL_INPUT_ALIGN)
        b->data[b->len++] = 0;
    return MPR_SUCCESS;
}

/* The header of hdr bytes at msg + at, or NULL (why says) when the
 * message ends first. */
static const unsigned char *header_at(const unsigned char *msg, size_t len, size_t at,
                                      size_t hdr, const char *what, char *why, size_t why_cap)
{
    if (len - at >= hdr)
        return msg + at;
    mpr__wire_refuse(why, why_cap, "%s cut short at byte %zu of %zu", what, at, len);
    return NULL;
}

bool mpr__pool_parse_chunk(const unsigned char *msg, size_t len, size_t *off,
                           struct mpr__pool_chunk_view *c, char *why, size_t why_cap)
{
    size_t at = *off;
    const unsigned char *p = header_at(msg, len, at, MPR__POOL_CHUNK_HEADER, "chunk header", why,
                                       why_cap);
    if (!p)
        return false;
    c->id = mpr__get64(p);
    c->nitems = mpr__get32(p + 8);
    c->item_len = mpr__get64(p + 12);
    c->out_cap = mpr__get64(p + 20);
    c->name_len = mpr__get16(p + 28);
    at += MPR__POOL_CHUNK_HEADER;
    if (c->name_len == 0 || c->name_len > MPR_POOL_NAME_MAX || len - at < c->name_len)
        return mpr__wire_refuse(why, why_cap, "bad function name length %zu", c->name_len);
    c->name = (const char *)msg + at;
    at += c->name_len;
    at += (MPR__POOL_INPUT_ALIGN - at % MPR__POOL_INPUT_ALIGN) % MPR__POOL_INPUT_ALIGN;
    if (at > len)
        return mpr__wire_refuse(why, why_cap, "chunk padding cut short");
    if (c->nitems == 0 || (c->item_len > 0 && c->nitems > (len - at) / c->item_len))
        return mpr__wire_refuse(why, why_cap, "%u items of %llu bytes do not fit", c->nitems,
                                (unsigned long long)c->item_len);
    if (c->out_cap > MPR_POOL_RESULT_MAX && c->out_cap != UINT64_MAX)
        return mpr__wire_refuse(why, why_cap, "output capacity %llu too large",
                                (unsigned long long)c->out_cap);
    c->inputs = msg + at;
    *off = at + (size_t)c->nitems * c->item_len;
    return true;
}

bool mpr__pool_parse_record(const unsigned char *msg, size_t len, size_t *off,
                            struct mpr__pool_record_view *r, char *why, size_t why_cap)
{
    size_t at = *off;
    const unsigned char *p = header_at(msg, len, at, MPR__POOL_RECORD_HEADER, "result record",
                                       why, why_cap);
    if (!p)
        return false;
    r->chunk_id = mpr__get64(p);
    r->code = (int)(int32_t)mpr__get32(p + 8);
    uint64_t n = mpr__get64(p + 12);
    at += MPR__POOL_RECORD_HEADER;
    if (n > len - at || (n > 0 && r->code != MPR_SUCCESS))
        return mpr__wire_refuse(why, why_cap, "result of %llu bytes (code %d) does not fit",
                                (unsigned long long)n, r->code);
    r->data = msg + at;
    r->len = (size_t)n;
    *off = at + (size_t)n;
    return true;
}
