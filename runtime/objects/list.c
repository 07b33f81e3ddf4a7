/*
 * list.c - mpr_list_*: a list of byte-string items shared by the ranks of a
 * communicator (Python's Manager().list()).
 *
 * The segment holds the state below, then the index (the offsets of the
 * items' records, in order: max_items of 8 bytes), then the heap
 * (store.h) of the records: an item behind its length. Inserting or
 * popping anywhere but the end moves the offsets after it, not the items.
 * Every call holds the store lock for its work. Ranks of other hosts send
 * the same calls to the home's service (serve_list).
 */
#include <stdlib.h>
#include <string.h>

#include "objects/store.h"

#define DATA_MIN 4096

struct list_state {
    struct mpr__store_lock lock;
    _Alignas(MPR__OBJ_LINE) uint64_t count;
    uint64_t max_items;
    uint64_t index_offset;
    struct mpr__heap heap;
};

struct item {
    uint32_t len;
    uint32_t block; /* the bytes of its heap block: a shorter item may reuse it */
    /* then the bytes */
};

struct mpr_list {
    struct mpr__obj obj;
    struct list_state *state; /* NULL on ranks of other hosts */
    uint64_t *index;
};

static int serve_list(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                      size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

/* ---- layout ----------------------------------------------------------------- */

struct list_layout {
    uint64_t max_items, index_offset, heap_base, heap_end;
};

static uint64_t round_up(uint64_t x, uint64_t to)
{
    return (x + to - 1) / to * to;
}

static struct list_layout layout(size_t max_items, size_t data_bytes)
{
    struct list_layout l = { .max_items = max_items };
    l.index_offset = round_up(sizeof(struct list_state), MPR__OBJ_LINE);
    l.heap_base = round_up(l.index_offset + max_items * sizeof(uint64_t), MPR__OBJ_LINE);
    l.heap_end = l.heap_base + data_bytes;
    return l;
}

static uint64_t first_grown(const struct list_layout *l)
{
    uint64_t data = l->heap_end - l->heap_base;
    return l->heap_base + (data < MPR__HEAP_GROW_CHUNK ? data : MPR__HEAP_GROW_CHUNK);
}

static void format_list(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    const struct list_layout *l = arg;
    struct list_state *s = state;
    mpr__store_lock_init(&s->lock);
    s->max_items = l->max_items;
    s->index_offset = l->index_offset;
    mpr__heap_init(&s->heap, l->heap_base, l->heap_end, first_grown(l));
}

/* ---- the operations (under the lock; local ranks and the service) ------- */

static struct item *item_at(const struct mpr_list *l, uint64_t ref)
{
    return mpr__store_at(l->state, ref);
}

static uint64_t item_bytes(size_t len)
{
    return sizeof(struct item) + len;
}

/* Python's index: negative from the end; false when out of range. */
static bool position(const struct mpr_list *l, int64_t index, uint64_t *pos)
{
    int64_t count = (int64_t)l->state->count;
    if (index < 0)
        index += count;
    if (index < 0 || index >= count)
        return false;
    *pos = (uint64_t)index;
    return true;
}

static int new_item(struct mpr_list *l, const void *data, size_t len, uint64_t *ref)
{
    int rc = mpr__heap_alloc(&l->state->heap, &l->obj, item_bytes(len), ref);
    if (rc != MPR_SUCCESS)
        return rc;
    struct item *it = item_at(l, *ref);
    it->len = (uint32_t)len;
    it->block = (uint32_t)mpr__heap_block_bytes(item_bytes(len));
    if (len)
        memcpy(it + 1, data, len);
    return MPR_SUCCESS;
}

/* Insert before index (clamped as Python's insert; INT64_MAX: append). */
static int list_insert(struct mpr_list *l, int64_t index, const void *data, size_t len,
                       const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&l->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    struct list_state *st = l->state;
    int64_t count = (int64_t)st->count;
    if (index < 0)
        index = index + count < 0 ? 0 : index + count;
    if (index > count)
        index = count;
    uint64_t ref;
    if (st->count >= st->max_items)
        rc = MPR_ERR_FULL;
    else
        rc = new_item(l, data, len, &ref);
    if (rc == MPR_SUCCESS) {
        memmove(&l->index[index + 1], &l->index[index], (size_t)(count - index) * sizeof(uint64_t));
        l->index[index] = ref;
        st->count++;
    }
    mpr__store_unlock(&st->lock);
    return rc;
}

/* Copy item index out (into buf, or allocated when alloc), removing it
 * when pop. */
static int list_get(struct mpr_list *l, int64_t index, void *buf, size_t cap, void **alloc,
                    size_t *len, bool pop, const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&l->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    struct list_state *st = l->state;
    uint64_t pos;
    if (!position(l, index, &pos)) {
        rc = MPR_ERR_INDEX;
    } else {
        struct item *it = item_at(l, l->index[pos]);
        *len = it->len;
        if (alloc && !(*alloc = malloc(it->len ? it->len : 1)))
            rc = MPR_ERR_NO_MEM;
        else if (!alloc && it->len > cap)
            rc = MPR_ERR_TRUNCATE;
        else if (it->len)
            memcpy(alloc ? *alloc : buf, it + 1, it->len);
        if (rc == MPR_SUCCESS && pop) {
            mpr__heap_release(&st->heap, st, l->index[pos], it->block);
            memmove(&l->index[pos], &l->index[pos + 1],
                    (size_t)(st->count - pos - 1) * sizeof(uint64_t));
            st->count--;
        }
    }
    mpr__store_unlock(&st->lock);
    return rc;
}

static int list_set(struct mpr_list *l, int64_t index, const void *data, size_t len,
                    const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&l->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    struct list_state *st = l->state;
    uint64_t pos, ref;
    if (!position(l, index, &pos)) {
        rc = MPR_ERR_INDEX;
    } else {
        struct item *it = item_at(l, l->index[pos]);
        uint64_t old_block = it->block;
        if (item_bytes(len) <= old_block) {
            it->len = (uint32_t)len;
            if (len)
                memcpy(it + 1, data, len);
        } else if ((rc = new_item(l, data, len, &ref)) == MPR_SUCCESS) {
            mpr__heap_release(&st->heap, st, l->index[pos], old_block);
            l->index[pos] = ref;
        }
    }
    mpr__store_unlock(&st->lock);
    return rc;
}

static int list_length(struct mpr_list *l, size_t *count, const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&l->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    *count = (size_t)l->state->count;
    mpr__store_unlock(&l->state->lock);
    return MPR_SUCCESS;
}

static int list_clear(struct mpr_list *l, const struct mpr__obj_waiter *w)
{
    int rc = mpr__store_lock(&l->state->lock, w);
    if (rc != MPR_SUCCESS)
        return rc;
    l->state->count = 0;
    mpr__heap_reset(&l->state->heap);
    mpr__store_unlock(&l->state->lock);
    return MPR_SUCCESS;
}

/* ---- creating and freeing -------------------------------------------------- */

int mpr_list_create(mpr_comm comm, size_t max_items, size_t data_bytes, mpr_list *list)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!list)
        return MPR_ERR_ARG;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    rc = mpr__store_same_sizes(comm, "mpr_list_create", max_items, data_bytes);
    if (rc != MPR_SUCCESS)
        return rc;
    if (max_items == 0)
        max_items = MPR_LIST_ITEMS_DEFAULT;
    if (data_bytes == 0)
        data_bytes = MPR_LIST_DATA_DEFAULT;
    if (max_items > MPR_LIST_ITEMS_MAX || data_bytes < DATA_MIN || data_bytes > MPR_LIST_DATA_MAX)
        return MPR_ERR_ARG;
    struct mpr_list *l = calloc(1, sizeof(*l));
    if (!l)
        return MPR_ERR_NO_MEM;
    struct list_layout lay = layout(max_items, data_bytes);
    l->obj.alloc_bytes = (size_t)first_grown(&lay);
    rc = mpr__obj_create(comm, MPR__OBJ_LIST, (size_t)lay.heap_end, format_list, &lay, &l->obj);
    if (rc != MPR_SUCCESS) {
        free(l);
        return rc;
    }
    if (l->obj.state) {
        l->state = l->obj.state;
        l->index = mpr__store_at(l->state, l->state->index_offset);
    }
    if (l->obj.service_id)
        mpr__obj_service_enable(l->obj.service_id, serve_list, l);
    *list = l;
    return MPR_SUCCESS;
}

int mpr_list_free(mpr_list *list)
{
    if (!list || !*list)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*list)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*list);
    *list = NULL;
    return rc;
}

/* ---- the calls -------------------------------------------------------------- */

static int check_list(mpr_list l)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return l ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int check_item(mpr_list l, const void *item, size_t len)
{
    int rc = check_list(l);
    if (rc != MPR_SUCCESS)
        return rc;
    return (item || len == 0) && len <= MPR_LIST_ITEM_MAX ? MPR_SUCCESS : MPR_ERR_ARG;
}

/* An index as the wire carries it; false when no list can have it. */
static bool wire_index(int64_t index, int32_t *out)
{
    if (index < INT32_MIN || index > INT32_MAX)
        return false;
    *out = (int32_t)index;
    return true;
}

int mpr_list_insert(mpr_list l, int64_t index, const void *item, size_t len)
{
    int rc = check_item(l, item, len);
    if (rc != MPR_SUCCESS)
        return rc;
    if (l->obj.remote) {
        int32_t i = index < INT32_MIN ? INT32_MIN : index > INT32_MAX ? INT32_MAX : (int32_t)index;
        return mpr__obj_remote_call_parts(&l->obj, MPR__OBJW_LIST_INSERT, MPR__OBJW_ARG(i, 0), item,
                                          len, NULL, 0, NULL, NULL);
    }
    return list_insert(l, index, item, len, NULL);
}

int mpr_list_append(mpr_list l, const void *item, size_t len)
{
    int rc = check_item(l, item, len);
    if (rc != MPR_SUCCESS)
        return rc;
    if (l->obj.remote)
        return mpr__obj_remote_call_parts(&l->obj, MPR__OBJW_LIST_APPEND, 0, item, len, NULL, 0,
                                          NULL, NULL);
    return list_insert(l, INT64_MAX, item, len, NULL);
}

static int get_or_pop(mpr_list l, int64_t index, void *buf, size_t cap, size_t *len, bool pop)
{
    int rc = check_list(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!buf && cap > 0)
        return MPR_ERR_ARG;
    size_t got = 0;
    if (l->obj.remote) {
        int32_t i;
        if (!wire_index(index, &i))
            return MPR_ERR_INDEX;
        size_t room = cap < MPR_LIST_ITEM_MAX ? cap : MPR_LIST_ITEM_MAX;
        int64_t v = 0;
        rc = mpr__obj_remote_call_parts(&l->obj, pop ? MPR__OBJW_LIST_POP : MPR__OBJW_LIST_GET,
                                        MPR__OBJW_ARG(i, room), NULL, 0, NULL, 0, buf, &v);
        got = (size_t)v;
    } else {
        rc = list_get(l, index, buf, cap, NULL, &got, pop, NULL);
    }
    if ((rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE) && len)
        *len = got;
    return rc;
}

int mpr_list_get(mpr_list l, int64_t index, void *buf, size_t cap, size_t *len)
{
    return get_or_pop(l, index, buf, cap, len, false);
}

int mpr_list_pop(mpr_list l, int64_t index, void *buf, size_t cap, size_t *len)
{
    return get_or_pop(l, index, buf, cap, len, true);
}

int mpr_list_get_alloc(mpr_list l, int64_t index, void **item, size_t *len)
{
    int rc = check_list(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!item || !len)
        return MPR_ERR_ARG;
    if (!l->obj.remote)
        return list_get(l, index, NULL, 0, item, len, false, NULL);
    size_t room = 4096;
    for (;;) {
        void *buf = malloc(room);
        if (!buf)
            return MPR_ERR_NO_MEM;
        size_t got = 0;
        rc = mpr_list_get(l, index, buf, room, &got);
        if (rc == MPR_SUCCESS) {
            *item = buf;
            *len = got;
            return rc;
        }
        free(buf);
        if (rc != MPR_ERR_TRUNCATE)
            return rc;
        room = got; /* changed meanwhile? then once more */
    }
}

int mpr_list_set(mpr_list l, int64_t index, const void *item, size_t len)
{
    int rc = check_item(l, item, len);
    if (rc != MPR_SUCCESS)
        return rc;
    if (l->obj.remote) {
        int32_t i;
        if (!wire_index(index, &i))
            return MPR_ERR_INDEX;
        return mpr__obj_remote_call_parts(&l->obj, MPR__OBJW_LIST_SET, MPR__OBJW_ARG(i, 0), item,
                                          len, NULL, 0, NULL, NULL);
    }
    return list_set(l, index, item, len, NULL);
}

int mpr_list_length(mpr_list l, size_t *count)
{
    int rc = check_list(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!count)
        return MPR_ERR_ARG;
    if (l->obj.remote) {
        int64_t v = 0;
        rc = mpr__obj_remote_call_parts(&l->obj, MPR__OBJW_LIST_LENGTH, 0, NULL, 0, NULL, 0, NULL,
                                        &v);
        if (rc == MPR_SUCCESS)
            *count = (size_t)v;
        return rc;
    }
    return list_length(l, count, NULL);
}

int mpr_list_clear(mpr_list l)
{
    int rc = check_list(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if (l->obj.remote)
        return mpr__obj_remote_call_parts(&l->obj, MPR__OBJW_LIST_CLEAR, 0, NULL, 0, NULL, 0, NULL,
                                          NULL);
    return list_clear(l, NULL);
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_list(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                      size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    (void)out_cap;
    struct mpr_list *l = handle;
    int64_t index = (int32_t)MPR__OBJW_ARG_LOW(req->arg);
    size_t len = 0;
    int rc;
    switch (req->op) {
    case MPR__OBJW_LIST_APPEND:
        return list_insert(l, INT64_MAX, in, req->length, w);
    case MPR__OBJW_LIST_INSERT:
        return list_insert(l, index, in, req->length, w);
    case MPR__OBJW_LIST_SET:
        return list_set(l, index, in, req->length, w);
    case MPR__OBJW_LIST_GET:
    case MPR__OBJW_LIST_POP:
        rc = list_get(l, index, out, MPR__OBJW_ARG_ROOM(req->arg), NULL, &len,
                      req->op == MPR__OBJW_LIST_POP, w);
        if (rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE)
            rep->value = (int64_t)len;
        if (rc == MPR_SUCCESS)
            rep->length = (uint32_t)len;
        return rc;
    case MPR__OBJW_LIST_LENGTH:
        rc = list_length(l, &len, w);
        rep->value = (int64_t)len;
        return rc;
    case MPR__OBJW_LIST_CLEAR:
        return list_clear(l, w);
    default:
        return MPR_ERR_ARG;
    }
}
