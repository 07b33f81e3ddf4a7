/*
 * array.c - mpr_array_* and mpr_value_create: typed elements shared by
 * the ranks of a communicator (Python's Array and Value), with a lock of
 * their own (get_lock()).
 *
 * The elements follow a small header in the object's segment. Ranks on the
 * home host copy and update them in place; ranks of other hosts send the
 * same operations to the home's service (serve_array), which runs the same
 * functions on the same memory, so an atomic add gives one result whoever
 * performs it. Elements of 1, 2, 4 and 8 bytes are moved with relaxed
 * atomic loads and stores so that a concurrent write never tears one.
 */
#include <stdlib.h>
#include <string.h>

#include "objects/objects.h"
#include "core/datatype.h"
#include "core/wire_bytes.h"

#define DATA_OFFSET 64 /* from the state's start: elements stay 64-byte aligned */

struct array_state {
    uint32_t type;
    uint32_t elem;
    uint64_t count;
};
_Static_assert(sizeof(struct array_state) <= DATA_OFFSET, "header fits before the data");

struct mpr_array {
    struct mpr__obj obj;
    unsigned char *data; /* NULL on ranks of other hosts */
    mpr_datatype type;
    size_t elem;
    size_t count;
    bool integer;
    bool is_signed;
    mpr_lock lock;
};

static int serve_array(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

/* ---- element types -------------------------------------------------------- */

static bool type_is_integer(mpr_datatype t)
{
    return (t >= MPR_BYTE && t <= MPR_UINT64) || t == MPR_SIZE_T;
}

static bool type_is_signed(mpr_datatype t)
{
    switch (t) {
    case MPR_CHAR: case MPR_SIGNED_CHAR: case MPR_SHORT: case MPR_INT: case MPR_LONG:
    case MPR_LONG_LONG: case MPR_INT8: case MPR_INT16: case MPR_INT32: case MPR_INT64:
        return true;
    default:
        return false;
    }
}

/* An element's bits as the int64_t value the API speaks of. */
static int64_t widen(uint64_t raw, size_t elem, bool is_signed)
{
    if (elem >= 8)
        return (int64_t)raw;
    unsigned shift = (unsigned)(64 - 8 * elem);
    if (is_signed)
        return (int64_t)(raw << shift) >> shift;
    return (int64_t)(raw & (UINT64_MAX >> shift));
}

static bool representable(const struct mpr_array *a, int64_t v)
{
    if (a->elem >= 8)
        return true;
    unsigned bits = (unsigned)(8 * a->elem);
    if (a->is_signed)
        return v >= -((int64_t)1 << (bits - 1)) && v < ((int64_t)1 << (bits - 1));
    return v >= 0 && v < ((int64_t)1 << bits);
}

/* ---- the operations on the memory (local ranks and the service) ---------- */

/* Copy n elements of elem bytes from shared src to private dst. */
static void copy_out(void *dst, const unsigned char *src, size_t n, size_t elem)
{
    unsigned char *d = dst;
    switch (elem) {
#define COPY_OUT(T)                                                                  \
    for (size_t i = 0; i < n; i++) {                                                 \
        T v = __atomic_load_n((const T *)(const void *)(src + i * sizeof(T)), __ATOMIC_RELAXED); \
        memcpy(d + i * sizeof(T), &v, sizeof(T));                                    \
    }                                                                                \
    break;
    case 1: COPY_OUT(uint8_t)
    case 2: COPY_OUT(uint16_t)
    case 4: COPY_OUT(uint32_t)
    case 8: COPY_OUT(uint64_t)
#undef COPY_OUT
    default:
        memcpy(dst, src, n * elem);
    }
}

/* Copy n elements of elem bytes from private src into shared dst. */
static void copy_in(unsigned char *dst, const void *src, size_t n, size_t elem)
{
    const unsigned char *s = src;
    switch (elem) {
#define COPY_IN(T)                                                                   \
    for (size_t i = 0; i < n; i++) {                                                 \
        T v;                                                                         \
        memcpy(&v, s + i * sizeof(T), sizeof(T));                                    \
        __atomic_store_n((T *)(void *)(dst + i * sizeof(T)), v, __ATOMIC_RELAXED);   \
    }                                                                                \
    break;
    case 1: COPY_IN(uint8_t)
    case 2: COPY_IN(uint16_t)
    case 4: COPY_IN(uint32_t)
    case 8: COPY_IN(uint64_t)
#undef COPY_IN
    default:
        memcpy(dst, src, n * elem);
    }
}

static int64_t element_fetch_add(const struct mpr_array *a, size_t index, int64_t delta)
{
    void *p = a->data + index * a->elem;
    uint64_t old;
    switch (a->elem) {
    case 1: old = __atomic_fetch_add((uint8_t *)p, (uint8_t)delta, __ATOMIC_SEQ_CST); break;
    case 2: old = __atomic_fetch_add((uint16_t *)p, (uint16_t)delta, __ATOMIC_SEQ_CST); break;
    case 4: old = __atomic_fetch_add((uint32_t *)p, (uint32_t)delta, __ATOMIC_SEQ_CST); break;
    default: old = __atomic_fetch_add((uint64_t *)p, (uint64_t)delta, __ATOMIC_SEQ_CST); break;
    }
    return widen(old, a->elem, a->is_signed);
}

static int64_t element_compare_swap(const struct mpr_array *a, size_t index, int64_t expected,
                                    int64_t desired)
{
    void *p = a->data + index * a->elem;
    uint64_t old;
    switch (a->elem) {
#define CAS(T)                                                                          \
    {                                                                                   \
        T e = (T)expected;                                                              \
        __atomic_compare_exchange_n((T *)p, &e, (T)desired, false, __ATOMIC_SEQ_CST,    \
                                    __ATOMIC_SEQ_CST);                                  \
        old = e;                                                                        \
    }                                                                                   \
    break;
    case 1: CAS(uint8_t)
    case 2: CAS(uint16_t)
    case 4: CAS(uint32_t)
    default: CAS(uint64_t)
#undef CAS
    }
    return widen(old, a->elem, a->is_signed);
}

/* ---- creating and freeing ------------------------------------------------ */

struct array_init {
    mpr_datatype type;
    size_t elem;
    size_t count;
};

static void format_array(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes; /* zeroed already: the elements start at 0 */
    const struct array_init *init = arg;
    struct array_state *as = state;
    as->type = (uint32_t)init->type;
    as->elem = (uint32_t)init->elem;
    as->count = init->count;
}

/* Every rank passed the same type and count? All learn the same answer. */
static int same_shape(mpr_comm comm, mpr_datatype type, size_t count)
{
    int64_t mine[4] = { type, -(int64_t)type, (int64_t)count, -(int64_t)count };
    int64_t most[4];
    int rc = mpr_allreduce(mine, most, 4, MPR_INT64, MPR_MAX, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (most[0] != -most[1] || most[2] != -most[3]) {
        if (mpr__g.rank == mpr__world_rank(comm, 0))
            mpr__log("mpr_array_create: the ranks passed different types or counts");
        return MPR_ERR_ARG;
    }
    return MPR_SUCCESS;
}

int mpr_array_create(mpr_comm comm, mpr_datatype type, size_t count, mpr_array *array)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    size_t elem;
    if (!array || mpr__type_size(type, &elem) != MPR_SUCCESS || count > MPR_ARRAY_BYTES_MAX / elem)
        return MPR_ERR_ARG;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if ((rc = same_shape(comm, type, count)) != MPR_SUCCESS)
        return rc;
    struct mpr_array *a = calloc(1, sizeof(*a));
    if (!a)
        return MPR_ERR_NO_MEM;
    struct array_init init = { type, elem, count };
    rc = mpr__obj_create(comm, MPR__OBJ_ARRAY, DATA_OFFSET + count * elem, format_array, &init,
                         &a->obj);
    if (rc != MPR_SUCCESS) {
        free(a);
        return rc;
    }
    a->type = type;
    a->elem = elem;
    a->count = count;
    a->integer = type_is_integer(type);
    a->is_signed = type_is_signed(type);
    if (a->obj.state)
        a->data = (unsigned char *)a->obj.state + DATA_OFFSET;
    if (a->obj.service_id)
        mpr__obj_service_enable(a->obj.service_id, serve_array, a);
    rc = mpr_lock_create(comm, &a->lock);
    if (rc != MPR_SUCCESS) {
        mpr__obj_free(&a->obj);
        free(a);
        return rc;
    }
    *array = a;
    return MPR_SUCCESS;
}

int mpr_value_create(mpr_comm comm, mpr_datatype type, mpr_array *value)
{
    return mpr_array_create(comm, type, 1, value);
}

int mpr_array_free(mpr_array *array)
{
    if (!array || !*array)
        return MPR_ERR_ARG;
    struct mpr_array *a = *array;
    int rc = mpr__obj_free(&a->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    int lrc = mpr_lock_free(&a->lock);
    if (rc == MPR_SUCCESS)
        rc = lrc;
    free(a);
    *array = NULL;
    return rc;
}

/* ---- the calls ------------------------------------------------------------ */

static int check_array(mpr_array a)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return a ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int check_range(mpr_array a, size_t first, size_t count, const void *buf)
{
    int rc = check_array(a);
    if (rc != MPR_SUCCESS)
        return rc;
    if (first > a->count || count > a->count - first || (!buf && count > 0))
        return MPR_ERR_ARG;
    return MPR_SUCCESS;
}

void *mpr_array_data(mpr_array a)
{
    return a ? a->data : NULL;
}

int mpr_array_size(mpr_array a, size_t *count)
{
    int rc = check_array(a);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!count)
        return MPR_ERR_ARG;
    *count = a->count;
    return MPR_SUCCESS;
}

int mpr_array_type(mpr_array a, mpr_datatype *type)
{
    int rc = check_array(a);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!type)
        return MPR_ERR_ARG;
    *type = a->type;
    return MPR_SUCCESS;
}

int mpr_array_get_lock(mpr_array a, mpr_lock *lock)
{
    int rc = check_array(a);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!lock)
        return MPR_ERR_ARG;
    *lock = a->lock;
    return MPR_SUCCESS;
}

/* A range through the service, in requests of at most MPR__OBJW_ARRAY_CHUNK. */
static int remote_range(mpr_array a, enum mpr__objw_op op, size_t first, size_t count, void *buf)
{
    size_t per_call = (size_t)MPR__OBJW_ARRAY_CHUNK / a->elem;
    unsigned char *p = buf;
    while (count > 0) {
        size_t n = count < per_call ? count : per_call;
        size_t bytes = n * a->elem;
        uint64_t span = MPR__OBJW_SPAN(first * a->elem, bytes);
        int rc = op == MPR__OBJW_ARRAY_READ
                     ? mpr__obj_remote_call_data(&a->obj, op, span, NULL, 0, p, NULL)
                     : mpr__obj_remote_call_data(&a->obj, op, span, p, bytes, NULL, NULL);
        if (rc != MPR_SUCCESS)
            return rc;
        first += n;
        count -= n;
        p += bytes;
    }
    return MPR_SUCCESS;
}

int mpr_array_read(mpr_array a, size_t first, size_t count, void *buf)
{
    int rc = check_range(a, first, count, buf);
    if (rc != MPR_SUCCESS || count == 0)
        return rc;
    if (a->obj.remote)
        return remote_range(a, MPR__OBJW_ARRAY_READ, first, count, buf);
    copy_out(buf, a->data + first * a->elem, count, a->elem);
    return MPR_SUCCESS;
}

int mpr_array_write(mpr_array a, size_t first, size_t count, const void *buf)
{
    int rc = check_range(a, first, count, buf);
    if (rc != MPR_SUCCESS || count == 0)
        return rc;
    if (a->obj.remote)
        return remote_range(a, MPR__OBJW_ARRAY_WRITE, first, count, (void *)buf);
    copy_in(a->data + first * a->elem, buf, count, a->elem);
    return MPR_SUCCESS;
}

static int check_atomic(mpr_array a, size_t index)
{
    int rc = check_array(a);
    if (rc != MPR_SUCCESS)
        return rc;
    return index < a->count && a->integer ? MPR_SUCCESS : MPR_ERR_ARG;
}

int mpr_array_fetch_add(mpr_array a, size_t index, int64_t delta, int64_t *old)
{
    int rc = check_atomic(a, index);
    if (rc != MPR_SUCCESS)
        return rc;
    int64_t before;
    if (a->obj.remote) {
        unsigned char payload[8];
        mpr__put64(payload, (uint64_t)delta);
        rc = mpr__obj_remote_call_data(&a->obj, MPR__OBJW_ARRAY_FETCH_ADD, index, payload,
                                       sizeof(payload), NULL, &before);
        if (rc != MPR_SUCCESS)
            return rc;
    } else {
        before = element_fetch_add(a, index, delta);
    }
    if (old)
        *old = before;
    return MPR_SUCCESS;
}

int mpr_array_compare_swap(mpr_array a, size_t index, int64_t expected, int64_t desired,
                           int64_t *old)
{
    int rc = check_atomic(a, index);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!representable(a, expected) || !representable(a, desired))
        return MPR_ERR_ARG;
    int64_t before;
    if (a->obj.remote) {
        unsigned char payload[16];
        mpr__put64(payload, (uint64_t)expected);
        mpr__put64(payload + 8, (uint64_t)desired);
        rc = mpr__obj_remote_call_data(&a->obj, MPR__OBJW_ARRAY_CAS, index, payload,
                                       sizeof(payload), NULL, &before);
        if (rc != MPR_SUCCESS)
            return rc;
    } else {
        before = element_compare_swap(a, index, expected, desired);
    }
    if (old)
        *old = before;
    return MPR_SUCCESS;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

/* A span of whole elements inside the array? */
static bool span_fits(const struct mpr_array *a, uint64_t span)
{
    uint64_t off = MPR__OBJW_SPAN_OFFSET(span), bytes = MPR__OBJW_SPAN_BYTES(span);
    uint64_t total = (uint64_t)a->count * a->elem;
    return off % a->elem == 0 && bytes % a->elem == 0 && off <= total && bytes <= total - off;
}

static int serve_array(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    (void)w;
    struct mpr_array *a = handle;
    uint64_t off = MPR__OBJW_SPAN_OFFSET(req->arg), bytes = MPR__OBJW_SPAN_BYTES(req->arg);
    switch (req->op) {
    case MPR__OBJW_ARRAY_READ:
        if (!span_fits(a, req->arg) || bytes > out_cap)
            return MPR_ERR_ARG;
        copy_out(out, a->data + off, (size_t)(bytes / a->elem), a->elem);
        rep->length = (uint32_t)bytes;
        return MPR_SUCCESS;
    case MPR__OBJW_ARRAY_WRITE:
        if (!span_fits(a, req->arg))
            return MPR_ERR_ARG;
        copy_in(a->data + off, in, (size_t)(bytes / a->elem), a->elem);
        return MPR_SUCCESS;
    case MPR__OBJW_ARRAY_FETCH_ADD:
        if (req->arg >= a->count || !a->integer)
            return MPR_ERR_ARG;
        rep->value = element_fetch_add(a, (size_t)req->arg, (int64_t)mpr__get64(in));
        return MPR_SUCCESS;
    case MPR__OBJW_ARRAY_CAS: {
        int64_t expected = (int64_t)mpr__get64(in);
        int64_t desired = (int64_t)mpr__get64((const unsigned char *)in + 8);
        if (req->arg >= a->count || !a->integer || !representable(a, expected) ||
            !representable(a, desired))
            return MPR_ERR_ARG;
        rep->value = element_compare_swap(a, (size_t)req->arg, expected, desired);
        return MPR_SUCCESS;
    }
    default:
        return MPR_ERR_ARG;
    }
}
