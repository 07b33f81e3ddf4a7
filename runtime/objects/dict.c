/*
 * dict.c - mpr_dict_*: a dictionary of byte strings shared by the ranks of
 * a communicator (Python's Manager().dict()), and its key snapshots.
 *
 * The segment holds the state below, then a table of 2 * max_entries
 * slots (rounded up to a power of two), then the heap (store.h) of the
 * records: key and value behind their two lengths. Slots are probed
 * linearly from the key's hash; a deleted slot is filled by moving later
 * slots of its run back (no tombstones), so a table never needs rebuilding
 * and at most half of it is ever used. Every call holds the store lock for
 * its lookup and copies. Ranks of other hosts send the same calls to the
 * home's service (serve_dict), which runs these functions on the memory.
 */
#include <stdlib.h>
#include <string.h>

#include "objects/store.h"
#include "core/wire_bytes.h"

#define DATA_MIN 4096

struct dict_state {
    struct mpr__store_lock lock;
    _Alignas(MPR__OBJ_LINE) uint64_t mask; /* slots - 1 */
    uint64_t slots_offset;
    uint64_t max_entries;
    uint64_t count;
    uint64_t snapshot_bytes; /* a key snapshot's size: 4 + klen per key */
    struct mpr__heap heap;
};

struct slot {
    uint32_t hash; /* the low bits of the key's */
    uint32_t klen;
    uint64_t ref; /* the record's offset; 0: empty */
};

struct record {
    uint32_t klen;
    uint32_t vlen;
    uint32_t block; /* the bytes of its heap block: a shorter value may reuse it */
    uint32_t reserved;
    /* then the key, then the value */
};

struct mpr_dict {
    struct mpr__obj obj;
    struct dict_state *state; /* NULL on ranks of other hosts */
    struct slot *slots;
};

struct mpr_keys {
    size_t count;
    unsigned char *data; /* for each key: u32 length, bytes */
    size_t *offsets;     /* of each key's bytes in data */
};

static int serve_dict(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                      size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

/* ---- layout ----------------------------------------------------------------- */

static uint64_t round_up(uint64_t x, uint64_t to)
{
    return (x + to - 1) / to * to;
}

static uint64_t slot_count(uint64_t max_entries)
{
    uint64_t n = 8;
    while (n < 2 * max_entries)
        n *= 2;
    return n;
}

struct dict_layout {
    uint64_t max_entries, slots, slots_offset, heap_base, heap_end;
};

static struct dict_layout layout(size_t max_entries, size_t data_bytes)
{
    struct dict_layout l = { .max_entries = max_entries, .slots = slot_count(max_entries) };
    l.slots_offset = round_up(sizeof(struct dict_state), MPR__OBJ_LINE);
    l.heap_base = round_up(l.slots_offset + l.slots * sizeof(struct slot), MPR__OBJ_LINE);
    l.heap_end = l.heap_base + data_bytes;
    return l;
}

static uint64_t first_grown(const struct dict_layout *l)
{
    uint64_t data = l->heap_end - l->heap_base;
    return l->heap_base + (data < MPR__HEAP_GROW_CHUNK ? data : MPR__HEAP_GROW_CHUNK);
}

static void format_dict(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    const struct dict_layout *l = arg;
    struct dict_state *s = state;
    mpr__store_lock_init(&s->lock);
    s->mask = l->slots - 1;
    s->slots_offset = l->slots_offset;
    s->max_entries = l->max_entries;
    mpr__heap_init(&s->heap, l->heap_base, l->heap_end, first_grown(l));
}

/* ---- the table (under the lock; local ranks and the service) ------------ */

static uint64_t hash_key(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (len * 0xff51afd7ed558ccdull);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 31;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    if (len)
        memcpy(&w, p, len);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 32);
}

static struct record *record_at(const struct mpr_dict *d, uint64_t ref)
{
    return mpr__store_at(d->state, ref);
}

static unsigned char *record_key(struct record *r)
{
    return (unsigned char *)(r + 1);
}

static unsigned char *record_value(struct record *r)
{
    return (unsigned char *)(r + 1) + r->klen;
}

static uint64_t record_bytes(size_t klen, size_t vlen)
{
    return sizeof(struct record) + klen + vlen;
}

/* The slot holding key, or the empty one where it would go (*found). */
static uint64_t probe(const struct mpr_dict *d, const void *key, size_t klen, uint32_t hash,
                      bool *found)
{
    uint64_t mask = d->state->mask;
    for (uint64_t i = hash & mask;; i = (i + 1) & mask) {
        const struct slot *s = &d->slots[i];
        if (s->ref == 0) {
            *found = false;
            return i;
        }
        if (s->hash == hash && s->klen == klen &&
            (klen == 0 || memcmp(record_key(record_at(d, s->ref)), key, klen) == 0)) {
            *found = true;
            return i;
        }
    }
}

/* Empty slot i, moving back the slots after it that may not stay. */
static void remove_slot(struct mpr_dict *d, uint64_t i)
{
    struct dict_state *st = d->state;
    struct record *r = record_at(d, d->slots[i].ref);
    st->count--;
    st->snapshot_bytes -= 4 + r->klen;
    mpr__heap_release(&st->heap, st, d->slots[i].ref, r->block);
    uint64_t mask = st->mask;
    for (uint64_t j = (i + 1) & mask; d->slots[j].ref != 0; j = (j + 1) & mask) {
        uint64_t home = d->slots[j].hash & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            d->slots[i] = d->slots[j];
            i = j;
        }
    }
    d->slots[i].ref = 0;
}

static void write_record(struct mpr_dict *d, uint64_t ref, const void *key, size_t klen,
                         const void *value, size_t vlen)
{
    struct record *r = record_at(d, ref);
    r->klen = (uint32_t)klen;
    r->vlen = (uint32_t)vlen;
    r->block = (uint32_t)mpr__heap_block_bytes(record_bytes(klen, vlen));
    r->reserved = 0;
    if (klen)
        memcpy(record_key(r), key, klen);
    if (vlen)
        memcpy(record_value(r), value, vlen);
}

/* Put a new key in empty slot i. */
static int insert_at(struct mpr_dict *d, uint64_t i, uint32_t hash, const void *key, size_t klen,
                     const void *value, size_t vlen)
{
    struct dict_state *st = d->state;
    if (st->count >= st->max_entries)
        return MPR_ERR_FULL;
    uint64_t ref;
    int rc = mpr__heap_alloc(&st->heap, &d->obj, record_bytes(klen, vlen), &ref);
    if (rc != MPR_SUCCESS)
        return rc;
    write_record(d, ref, key, klen, value, vlen);
    d->slots[i] = (struct slot){ .hash = hash, .klen = (uint32_t)klen, .ref = ref };
    st->count++;
    st->snapshot_bytes += 4 + klen;
    return MPR_SUCCESS;
}

/* Give the key of slot i a new value. */
static int replace_at(struct mpr_dict *d, uint64_t i, const void *value, size_t vlen)
{
    struct dict_state *st = d->state;
    struct record *r = record_at(d, d->slots[i].ref);
    uint64_t old_block = r->block, new_bytes = record_bytes(r->klen, vlen);
    if (new_bytes <= old_block) {
        r->vlen = (uint32_t)vlen;
        if (vlen)
            memcpy(record_value(r), value, vlen);
        return MPR_SUCCESS;
    }
    uint64_t ref;
    int rc = mpr__heap_alloc(&st->heap, &d->obj, new_bytes, &ref);
    if (rc != MPR_SUCCESS)
        return rc;
    write_record(d, ref, record_key(r), r->klen, value, vlen);
    mpr__heap_release(&st->heap, st, d->slots[i].ref, old_block);
    d->slots[i].ref = ref;
    return MPR_SUCCESS;
}

/* ---- the operations, whoever performs them -------------------------------- */

/* Where a key is (found), or the empty slot it would take. */
struct place {
    uint32_t hash;
    uint64_t i;
    bool found;
};

/* Lock the dict (waiting as w says) and find key's place; the caller unlocks. */
static int lock_find(struct mpr_dict *d, const void *key, size_t klen,
                     const struct mpr__obj_waiter *w, struct place *p)
{
    p->hash = (uint32_t)hash_key(key, klen);
    int rc = mpr__store_lock(&d->state->lock, w);
    if (rc == MPR_SUCCESS)
        p->i = probe(d, key, klen, p->hash, &p->found);
    return rc;
}

/* Where n bytes of a reply go: buf of cap bytes, or memory allocated into
 * *alloc when alloc. */
static int reply_room(void *buf, size_t cap, void **alloc, size_t n, void **dst)
{
    if (alloc && !(*alloc = malloc(n ? n : 1)))
        return MPR_ERR_NO_MEM;
    if (!alloc && n > cap)
        return MPR_ERR_TRUNCATE;
    *dst = alloc ? *alloc : buf;
    return MPR_SUCCESS;
}

static int dict_set(struct mpr_dict *d, const void *key, size_t klen, const void *value,
                    size_t vlen, bool only_new, int *inserted, const struct mpr__obj_waiter *w)
{
    struct place p;
    int rc = lock_find(d, key, klen, w, &p);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!p.found)
        rc = insert_at(d, p.i, p.hash, key, klen, value, vlen);
    else if (!only_new)
        rc = replace_at(d, p.i, value, vlen);
    mpr__store_unlock(&d->state->lock);
    if (inserted)
        *inserted = !p.found && rc == MPR_SUCCESS;
    return rc;
}

/* Copy the value out (into buf of cap bytes, or allocated when alloc),
 * removing the key when pop. */
static int dict_get(struct mpr_dict *d, const void *key, size_t klen, void *buf, size_t cap,
                    void **alloc, size_t *vlen, bool pop, const struct mpr__obj_waiter *w)
{
    struct place p;
    int rc = lock_find(d, key, klen, w, &p);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!p.found) {
        rc = MPR_ERR_KEY;
    } else {
        struct record *r = record_at(d, d->slots[p.i].ref);
        *vlen = r->vlen;
        void *dst;
        rc = reply_room(buf, cap, alloc, r->vlen, &dst);
        if (rc == MPR_SUCCESS && r->vlen)
            memcpy(dst, record_value(r), r->vlen);
        if (rc == MPR_SUCCESS && pop)
            remove_slot(d, p.i);
    }
    mpr__store_unlock(&d->state->lock);
    return rc;
}

static int dict_delete(struct mpr_dict *d, const void *key, size_t klen, bool only_look,
                       const struct mpr__obj_waiter *w)
{
    struct place p;
    int rc = lock_find(d, key, klen, w, &p);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!p.found)
        rc = MPR_ERR_KEY;
    else if (!only_look)
        remove_slot(d, p.i);
    mpr__store_unlock(&d->state->lock);
    return rc;
}

static int dict_add(struct mpr_dict *d, const void *key, size_t klen, int64_t delta,
                    int64_t *result, const struct mpr__obj_waiter *w)
{
    struct place p;
    int rc = lock_find(d, key, klen, w, &p);
    if (rc != MPR_SUCCESS)
        return rc;
    int64_t now = delta;
    if (!p.found) {
        rc = insert_at(d, p.i, p.hash, key, klen, &now, sizeof(now));
    } else {
        struct record *r = record_at(d, d->slots[p.i].ref);
        if (r->vlen != sizeof(int64_t)) {
            rc = MPR_ERR_VALUE;
        } else {
            int64_t before;
            memcpy(&before, record_value(r), sizeof(before));
            now = (int64_t)((uint64_t)before + (uint64_t)delta);
            memcpy(record_value(r), &now, sizeof(now));
        }
    }
    mpr__store_unlock(&d->state->lock);
    if (rc == MPR_SUCCESS)
        *result = now;
    return rc;
}

static int dict_length(struct mpr_dict *d, size_t *count, const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&d->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    *count = (size_t)d->state->count;
    mpr__store_unlock(&d->state->lock);
    return MPR_SUCCESS;
}

static int dict_clear(struct mpr_dict *d, const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&d->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    struct dict_state *st = d->state;
    memset(d->slots, 0, (st->mask + 1) * sizeof(struct slot));
    st->count = 0;
    st->snapshot_bytes = 0;
    mpr__heap_reset(&st->heap);
    mpr__store_unlock(&st->lock);
    return MPR_SUCCESS;
}

/* The keys into buf (cap bytes) or memory allocated into *alloc; *bytes =
 * the snapshot's size (MPR_ERR_TRUNCATE when more than cap). */
static int dict_snapshot(struct mpr_dict *d, void *buf, size_t cap, void **alloc, size_t *bytes,
                         size_t *count, const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&d->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    struct dict_state *st = d->state;
    *bytes = (size_t)st->snapshot_bytes;
    *count = (size_t)st->count;
    void *dst = NULL;
    rc = reply_room(buf, cap, alloc, *bytes, &dst);
    unsigned char *p = dst;
    for (uint64_t i = 0; rc == MPR_SUCCESS && i <= st->mask; i++) {
        if (d->slots[i].ref == 0)
            continue;
        struct record *r = record_at(d, d->slots[i].ref);
        mpr__put32(p, r->klen);
        memcpy(p + 4, record_key(r), r->klen);
        p += 4 + r->klen;
    }
    mpr__store_unlock(&st->lock);
    return rc;
}

/* ---- creating and freeing -------------------------------------------------- */

int mpr_dict_create(mpr_comm comm, size_t max_entries, size_t data_bytes, mpr_dict *dict)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!dict)
        return MPR_ERR_ARG;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    rc = mpr__store_same_sizes(comm, "mpr_dict_create", max_entries, data_bytes);
    if (rc != MPR_SUCCESS)
        return rc;
    if (max_entries == 0)
        max_entries = MPR_DICT_ENTRIES_DEFAULT;
    if (data_bytes == 0)
        data_bytes = MPR_DICT_DATA_DEFAULT;
    if (max_entries > MPR_DICT_ENTRIES_MAX || data_bytes < DATA_MIN ||
        data_bytes > MPR_DICT_DATA_MAX)
        return MPR_ERR_ARG;
    struct mpr_dict *d = calloc(1, sizeof(*d));
    if (!d)
        return MPR_ERR_NO_MEM;
    struct dict_layout l = layout(max_entries, data_bytes);
    d->obj.alloc_bytes = (size_t)first_grown(&l);
    rc = mpr__obj_create(comm, MPR__OBJ_DICT, (size_t)l.heap_end, format_dict, &l, &d->obj);
    if (rc != MPR_SUCCESS) {
        free(d);
        return rc;
    }
    if (d->obj.state) {
        d->state = d->obj.state;
        d->slots = mpr__store_at(d->state, d->state->slots_offset);
    }
    if (d->obj.service_id)
        mpr__obj_service_enable(d->obj.service_id, serve_dict, d);
    *dict = d;
    return MPR_SUCCESS;
}

int mpr_dict_free(mpr_dict *dict)
{
    if (!dict || !*dict)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*dict)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*dict);
    *dict = NULL;
    return rc;
}

/* ---- the calls -------------------------------------------------------------- */

static int check_key(mpr_dict d, const void *key, size_t klen)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return d && (key || klen == 0) && klen <= MPR_DICT_KEY_MAX ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int check_value(const void *value, size_t vlen)
{
    return (value || vlen == 0) && vlen <= MPR_DICT_VALUE_MAX ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int remote_key_op(mpr_dict d, enum mpr__objw_op op, const void *key, size_t klen,
                         int64_t *value)
{
    return mpr__obj_remote_call_parts(&d->obj, op, MPR__OBJW_ARG(klen, 0), key, klen, NULL, 0,
                                      NULL, value);
}

int mpr_dict_set(mpr_dict d, const void *key, size_t klen, const void *value, size_t vlen)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS || (rc = check_value(value, vlen)) != MPR_SUCCESS)
        return rc;
    if (d->obj.remote)
        return mpr__obj_remote_call_parts(&d->obj, MPR__OBJW_DICT_SET, MPR__OBJW_ARG(klen, 0), key,
                                          klen, value, vlen, NULL, NULL);
    return dict_set(d, key, klen, value, vlen, false, NULL, NULL);
}

int mpr_dict_setdefault(mpr_dict d, const void *key, size_t klen, const void *value, size_t vlen,
                        int *inserted)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS || (rc = check_value(value, vlen)) != MPR_SUCCESS)
        return rc;
    int done = 0;
    if (d->obj.remote) {
        int64_t v = 0;
        rc = mpr__obj_remote_call_parts(&d->obj, MPR__OBJW_DICT_SETDEFAULT, MPR__OBJW_ARG(klen, 0),
                                        key, klen, value, vlen, NULL, &v);
        done = rc == MPR_SUCCESS && v == 1;
    } else {
        rc = dict_set(d, key, klen, value, vlen, true, &done, NULL);
    }
    if (rc == MPR_SUCCESS && inserted)
        *inserted = done;
    return rc;
}

static int get_or_pop(mpr_dict d, const void *key, size_t klen, void *buf, size_t cap,
                      size_t *vlen, bool pop)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!buf && cap > 0)
        return MPR_ERR_ARG;
    size_t len = 0;
    if (d->obj.remote) {
        int64_t v = 0;
        size_t room = cap < MPR_DICT_VALUE_MAX ? cap : MPR_DICT_VALUE_MAX;
        rc = mpr__obj_remote_call_parts(&d->obj, pop ? MPR__OBJW_DICT_POP : MPR__OBJW_DICT_GET,
                                        MPR__OBJW_ARG(klen, room), key, klen, NULL, 0, buf, &v);
        len = (size_t)v;
    } else {
        rc = dict_get(d, key, klen, buf, cap, NULL, &len, pop, NULL);
    }
    if ((rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE) && vlen)
        *vlen = len;
    return rc;
}

int mpr_dict_get(mpr_dict d, const void *key, size_t klen, void *buf, size_t cap, size_t *vlen)
{
    return get_or_pop(d, key, klen, buf, cap, vlen, false);
}

int mpr_dict_pop(mpr_dict d, const void *key, size_t klen, void *buf, size_t cap, size_t *vlen)
{
    return get_or_pop(d, key, klen, buf, cap, vlen, true);
}

int mpr_dict_get_alloc(mpr_dict d, const void *key, size_t klen, void **value, size_t *vlen)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!value || !vlen)
        return MPR_ERR_ARG;
    if (!d->obj.remote)
        return dict_get(d, key, klen, NULL, 0, value, vlen, false, NULL);
    size_t room = 4096;
    for (;;) {
        void *buf = malloc(room);
        if (!buf)
            return MPR_ERR_NO_MEM;
        size_t len = 0;
        rc = mpr_dict_get(d, key, klen, buf, room, &len);
        if (rc == MPR_SUCCESS) {
            *value = buf;
            *vlen = len;
            return rc;
        }
        free(buf);
        if (rc != MPR_ERR_TRUNCATE)
            return rc;
        room = len; /* changed meanwhile? then once more */
    }
}

int mpr_dict_delete(mpr_dict d, const void *key, size_t klen)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS)
        return rc;
    if (d->obj.remote)
        return remote_key_op(d, MPR__OBJW_DICT_DELETE, key, klen, NULL);
    return dict_delete(d, key, klen, false, NULL);
}

int mpr_dict_contains(mpr_dict d, const void *key, size_t klen, int *found)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!found)
        return MPR_ERR_ARG;
    if (d->obj.remote) {
        int64_t v = 0;
        rc = remote_key_op(d, MPR__OBJW_DICT_CONTAINS, key, klen, &v);
        if (rc == MPR_SUCCESS)
            *found = v == 1;
        return rc;
    }
    rc = dict_delete(d, key, klen, true, NULL);
    if (rc != MPR_SUCCESS && rc != MPR_ERR_KEY)
        return rc;
    *found = rc == MPR_SUCCESS;
    return MPR_SUCCESS;
}

int mpr_dict_add(mpr_dict d, const void *key, size_t klen, int64_t delta, int64_t *result)
{
    int rc = check_key(d, key, klen);
    if (rc != MPR_SUCCESS)
        return rc;
    int64_t now = 0;
    if (d->obj.remote) {
        unsigned char payload[8];
        mpr__put64(payload, (uint64_t)delta);
        rc = mpr__obj_remote_call_parts(&d->obj, MPR__OBJW_DICT_ADD, MPR__OBJW_ARG(klen, 0), key,
                                        klen, payload, sizeof(payload), NULL, &now);
    } else {
        rc = dict_add(d, key, klen, delta, &now, NULL);
    }
    if (rc == MPR_SUCCESS && result)
        *result = now;
    return rc;
}

int mpr_dict_length(mpr_dict d, size_t *count)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!d || !count)
        return MPR_ERR_ARG;
    if (d->obj.remote) {
        int64_t v = 0;
        rc = mpr__obj_remote_call_parts(&d->obj, MPR__OBJW_DICT_LENGTH, 0, NULL, 0, NULL, 0, NULL,
                                        &v);
        if (rc == MPR_SUCCESS)
            *count = (size_t)v;
        return rc;
    }
    return dict_length(d, count, NULL);
}

int mpr_dict_clear(mpr_dict d)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!d)
        return MPR_ERR_ARG;
    if (d->obj.remote)
        return mpr__obj_remote_call_parts(&d->obj, MPR__OBJW_DICT_CLEAR, 0, NULL, 0, NULL, 0, NULL,
                                          NULL);
    return dict_clear(d, NULL);
}

/* ---- key snapshots ---------------------------------------------------------- */

/* Index the snapshot's bytes; false if they are not `count` whole keys. */
static bool index_keys(struct mpr_keys *k, size_t bytes)
{
    k->offsets = malloc((k->count ? k->count : 1) * sizeof(size_t));
    if (!k->offsets)
        return false;
    size_t at = 0;
    for (size_t i = 0; i < k->count; i++) {
        if (bytes - at < 4)
            return false;
        size_t len = mpr__get32(k->data + at);
        if (len > MPR_DICT_KEY_MAX || len > bytes - at - 4)
            return false;
        k->offsets[i] = at + 4;
        at += 4 + len;
    }
    return at == bytes;
}

static int remote_snapshot(mpr_dict d, void **data, size_t *bytes, size_t *count)
{
    size_t room = 64 << 10;
    for (;;) {
        void *buf = malloc(room);
        if (!buf)
            return MPR_ERR_NO_MEM;
        int64_t v = 0;
        int rc = mpr__obj_remote_call_parts(&d->obj, MPR__OBJW_DICT_KEYS, room, NULL, 0, NULL, 0,
                                            buf, &v);
        if (rc == MPR_SUCCESS) {
            *data = buf;
            *bytes = (size_t)v;
            *count = 0;
            for (size_t at = 0; at + 4 <= *bytes; (*count)++)
                at += 4 + mpr__get32((unsigned char *)buf + at);
            return rc;
        }
        free(buf);
        if (rc != MPR_ERR_TRUNCATE)
            return rc;
        if ((uint64_t)v > MPR__OBJW_KEYS_MAX)
            return MPR_ERR_NO_MEM;
        room = (size_t)v + (size_t)v / 4;
        if (room > MPR__OBJW_KEYS_MAX)
            room = (size_t)MPR__OBJW_KEYS_MAX;
    }
}

int mpr_dict_keys(mpr_dict d, mpr_keys *keys)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!d || !keys)
        return MPR_ERR_ARG;
    struct mpr_keys *k = calloc(1, sizeof(*k));
    if (!k)
        return MPR_ERR_NO_MEM;
    void *data = NULL;
    size_t bytes = 0;
    if (d->obj.remote)
        rc = remote_snapshot(d, &data, &bytes, &k->count);
    else
        rc = dict_snapshot(d, NULL, 0, &data, &bytes, &k->count, NULL);
    k->data = data;
    if (rc == MPR_SUCCESS && !index_keys(k, bytes))
        rc = k->offsets ? MPR_ERR_INTERNAL : MPR_ERR_NO_MEM;
    if (rc != MPR_SUCCESS) {
        mpr_keys_free(&k);
        return rc;
    }
    *keys = k;
    return MPR_SUCCESS;
}

size_t mpr_keys_count(mpr_keys keys)
{
    return keys ? keys->count : 0;
}

const void *mpr_keys_get(mpr_keys keys, size_t i, size_t *klen)
{
    if (!keys || i >= keys->count)
        return NULL;
    if (klen)
        *klen = mpr__get32(keys->data + keys->offsets[i] - 4);
    return keys->data + keys->offsets[i];
}

void mpr_keys_free(mpr_keys *keys)
{
    if (!keys || !*keys)
        return;
    free((*keys)->data);
    free((*keys)->offsets);
    free(*keys);
    *keys = NULL;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

/* A reply of len bytes: its length, or the room a truncated one needed. */
static int reply_len(struct mpr__objw_rep *rep, int rc, size_t len)
{
    if (rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE)
        rep->value = (int64_t)len;
    if (rc == MPR_SUCCESS)
        rep->length = (uint32_t)len;
    return rc;
}

static int serve_dict(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                      size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    struct mpr_dict *d = handle;
    size_t klen = MPR__OBJW_ARG_LOW(req->arg);
    const unsigned char *value = (const unsigned char *)in + klen;
    size_t vlen = req->length - klen; /* SET, SETDEFAULT, ADD: checked by the wire */
    size_t len = 0, count = 0;
    int done = 0, rc;
    int64_t now = 0;
    switch (req->op) {
    case MPR__OBJW_DICT_SET:
        return dict_set(d, in, klen, value, vlen, false, NULL, w);
    case MPR__OBJW_DICT_SETDEFAULT:
        rc = dict_set(d, in, klen, value, vlen, true, &done, w);
        rep->value = done;
        return rc;
    case MPR__OBJW_DICT_GET:
    case MPR__OBJW_DICT_POP:
        /* out is in's buffer: the key is read before the value lands */
        rc = dict_get(d, in, klen, out, MPR__OBJW_ARG_ROOM(req->arg), NULL, &len,
                      req->op == MPR__OBJW_DICT_POP, w);
        return reply_len(rep, rc, len);
    case MPR__OBJW_DICT_DELETE:
        return dict_delete(d, in, klen, false, w);
    case MPR__OBJW_DICT_CONTAINS:
        rc = dict_delete(d, in, klen, true, w);
        rep->value = rc == MPR_SUCCESS;
        return rc == MPR_ERR_KEY ? MPR_SUCCESS : rc;
    case MPR__OBJW_DICT_ADD:
        rc = dict_add(d, in, klen, (int64_t)mpr__get64(value), &now, w);
        rep->value = rc == MPR_SUCCESS ? now : 0;
        return rc;
    case MPR__OBJW_DICT_LENGTH:
        rc = dict_length(d, &count, w);
        rep->value = (int64_t)count;
        return rc;
    case MPR__OBJW_DICT_CLEAR:
        return dict_clear(d, w);
    case MPR__OBJW_DICT_KEYS:
        rc = dict_snapshot(d, out, out_cap, NULL, &len, &count, w);
        return reply_len(rep, rc, len);
    default:
        return MPR_ERR_ARG;
    }
}
