/*
 * test_objects_wire - the object service's wire format
 * (runtime/objects/objects_wire.c): round trips and byte layout of hello, request
 * and reply; every field of a request the service must refuse; every
 * reply a client must refuse for its request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mpr.h"
#include "objects/objects_wire.h"

static const uint8_t secret[MPR__OBJW_SECRET_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8,
                                                         9, 10, 11, 12, 13, 14, 15, 16 };

static struct mpr__objw_req put_req(void)
{
    struct mpr__objw_req r = { .op = MPR__OBJW_QUEUE_PUT, .object = 3, .seq = 9,
                               .timeout_ns = 1000, .rank = 2, .length = 100 };
    return r;
}

static struct mpr__objw_req get_req(void)
{
    struct mpr__objw_req r = { .op = MPR__OBJW_QUEUE_GET, .object = 3, .seq = 10,
                               .timeout_ns = -1, .rank = 2, .arg = 64 };
    return r;
}

static void assert_req_refused(const struct mpr__objw_req *r, const char *word)
{
    char why[128] = "";
    assert_false(mpr__objw_req_check(r, 1 << 20, why, sizeof(why)));
    if (!strstr(why, word))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, word);
}

static void test_hello(void **state)
{
    (void)state;
    struct mpr__objw_hello h = { .magic = MPR__OBJW_MAGIC, .version = MPR__OBJW_VERSION,
                                 .client = 3 };
    memcpy(h.secret, secret, sizeof(secret));
    unsigned char b[MPR__OBJW_HELLO_BYTES];
    mpr__objw_hello_encode(&h, b);
    assert_memory_equal(b, "mpr-osv1", 8);
    assert_int_equal(b[8], 1);
    assert_int_equal(b[12], 3);
    struct mpr__objw_hello g;
    mpr__objw_hello_decode(b, &g);
    assert_true(mpr__objw_hello_check(&g, 4, secret));
    assert_false(mpr__objw_hello_check(&g, 3, secret)); /* client rank out of range */
    g.secret[15] ^= 1;
    assert_false(mpr__objw_hello_check(&g, 4, secret));
    mpr__objw_hello_decode(b, &g);
    g.version = 2;
    assert_false(mpr__objw_hello_check(&g, 4, secret));
    mpr__objw_hello_decode(b, &g);
    g.magic ^= 1;
    assert_false(mpr__objw_hello_check(&g, 4, secret));
}

static void test_req_roundtrip(void **state)
{
    (void)state;
    struct mpr__objw_req r = { .op = MPR__OBJW_QUEUE_GET, .object = 0x01020304,
                               .seq = 0x1122334455667788ull, .timeout_ns = -1,
                               .rank = 0x0a0b0c0d, .length = 0, .arg = 0x99 };
    unsigned char b[MPR__OBJW_REQ_BYTES];
    mpr__objw_req_encode(&r, b);
    assert_int_equal(b[0], MPR__OBJW_QUEUE_GET);
    assert_int_equal(b[4], 0x04);
    assert_int_equal(b[7], 0x01);
    assert_int_equal(b[8], 0x88);
    assert_int_equal(b[16], 0xff);
    assert_int_equal(b[23], 0xff);
    assert_int_equal(b[24], 0x0d);
    assert_int_equal(b[32], 0x99);
    struct mpr__objw_req g;
    mpr__objw_req_decode(b, &g);
    assert_memory_equal(&g, &r, sizeof(r)); /* no padding in the struct */
    assert_true(mpr__objw_req_check(&g, 1 << 20, NULL, 0));
}

static void test_req_refused(void **state)
{
    (void)state;
    struct mpr__objw_req r = put_req();
    assert_true(mpr__objw_req_check(&r, 100, NULL, 0));
    assert_false(mpr__objw_req_check(&r, 99, NULL, 0)); /* item over the largest */
    r.op = 0;
    assert_req_refused(&r, "op");
    r.op = MPR__OBJW_OP_MAX + 1;
    assert_req_refused(&r, "op");
    r = put_req();
    r.flags = 1;
    assert_req_refused(&r, "reserved");
    r = put_req();
    r.reserved = 0x100;
    assert_req_refused(&r, "reserved");
    r = put_req();
    r.object = 0;
    assert_req_refused(&r, "object");
    r = put_req();
    r.seq = 0;
    assert_req_refused(&r, "seq");
    r = put_req();
    r.timeout_ns = -2;
    assert_req_refused(&r, "timeout");
    r = put_req();
    r.rank = 0x80000000u;
    assert_req_refused(&r, "rank");
    r = get_req();
    r.length = 1; /* only a put carries a payload */
    assert_req_refused(&r, "length");
    r = put_req();
    r.op = MPR__OBJW_SEM_ACQUIRE;
    r.length = 0;
    r.arg = 5; /* arg only for get and attach */
    assert_req_refused(&r, "arg");
    r.op = MPR__OBJW_ATTACH;
    r.arg = 0;
    assert_req_refused(&r, "kind");
    r.arg = 9;
    assert_req_refused(&r, "kind");
    r.arg = 8;
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    r = get_req();
    r.arg = UINT64_MAX; /* any buffer length: the service caps it */
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    r = get_req();
    r.op = MPR__OBJW_COND_NOTIFY; /* arg: how many to wake, 1..INT32_MAX */
    r.arg = 0;
    assert_req_refused(&r, "notify");
    r.arg = (uint64_t)INT32_MAX + 1;
    assert_req_refused(&r, "notify");
    r.arg = 3;
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
}

static void test_op_kind(void **state)
{
    (void)state;
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_ATTACH), 0);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_QUEUE_JOIN), 1);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_EVENT_WAIT), 2);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_SEM_VALUE), 3);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_LOCK_OWNER), 4);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_RLOCK_OWNER), 5);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_BARRIER_WAIT), 6);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_COND_NOTIFY), 7);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_ARRAY_READ), 8);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_ARRAY_CAS), 8);
    assert_int_equal(mpr__objw_op_kind(0), 0);
    assert_int_equal(mpr__objw_op_kind(MPR__OBJW_OP_MAX + 1), 0);
}

/* The Manager containers' ops (40 up): payload and arg as the wire says. */
static void test_container_reqs(void **state)
{
    (void)state;
    struct mpr__objw_req r = { .op = MPR__OBJW_DICT_SET, .object = 1, .seq = 1,
                               .arg = MPR__OBJW_ARG(3, 0), .length = 3 + 10 };
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    assert_int_equal(mpr__objw_op_kind(r.op), MPR__OBJW_KIND_DICT);
    r.length = 2; /* shorter than its key */
    assert_req_refused(&r, "length");
    r.length = 3 + MPR_DICT_VALUE_MAX + 1;
    assert_req_refused(&r, "length");
    r.arg = MPR__OBJW_ARG(MPR_DICT_KEY_MAX + 1, 0);
    r.length = MPR_DICT_KEY_MAX + 1;
    assert_req_refused(&r, "length");
    r.op = MPR__OBJW_DICT_GET; /* the key, and room for the value */
    r.arg = MPR__OBJW_ARG(3, 100);
    r.length = 3;
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    assert_int_equal(mpr__objw_reply_room(&r, 0), 100);
    r.arg = MPR__OBJW_ARG(3, MPR_DICT_VALUE_MAX + 1);
    assert_req_refused(&r, "length");
    r.op = MPR__OBJW_DICT_ADD;
    r.arg = MPR__OBJW_ARG(3, 0);
    r.length = 3;
    assert_req_refused(&r, "length"); /* no delta */
    r.length = 11;
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    r.op = MPR__OBJW_DICT_KEYS;
    r.length = 0;
    r.arg = MPR__OBJW_KEYS_MAX + 1;
    assert_req_refused(&r, "length");
    r.arg = 4096;
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    assert_int_equal(mpr__objw_reply_room(&r, 0), 4096);
    r.op = MPR__OBJW_LIST_GET;
    r.arg = MPR__OBJW_ARG(-1, 64);
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    assert_int_equal(mpr__objw_op_kind(r.op), MPR__OBJW_KIND_LIST);
    r.length = 1; /* a get carries nothing */
    assert_req_refused(&r, "length");
    r.op = MPR__OBJW_LIST_APPEND;
    r.arg = 5;
    assert_req_refused(&r, "length");
    r.op = MPR__OBJW_CONTAINER_OP_LAST + 1;
    r.arg = 0;
    r.length = 0;
    assert_req_refused(&r, "op");
    r.op = MPR__OBJW_ATTACH;
    r.arg = MPR__OBJW_KIND_LIST;
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));

    /* replies: a value's bytes only with success, its length in value */
    struct mpr__objw_req g = { .op = MPR__OBJW_DICT_GET, .object = 1, .seq = 9,
                               .arg = MPR__OBJW_ARG(3, 100), .length = 3 };
    struct mpr__objw_rep rep = { .op = g.op, .seq = 9, .value = 40, .length = 40 };
    assert_true(mpr__objw_rep_check(&rep, &g, NULL, 0));
    rep.length = 39;
    assert_false(mpr__objw_rep_check(&rep, &g, NULL, 0));
    rep = (struct mpr__objw_rep){ .op = g.op, .seq = 9, .rc = MPR_ERR_TRUNCATE, .value = 101 };
    assert_true(mpr__objw_rep_check(&rep, &g, NULL, 0));
    rep.value = 100; /* it would have fitted */
    assert_false(mpr__objw_rep_check(&rep, &g, NULL, 0));
    rep = (struct mpr__objw_rep){ .op = g.op, .seq = 9, .rc = MPR_ERR_KEY };
    assert_true(mpr__objw_rep_check(&rep, &g, NULL, 0));
    rep.length = 1;
    assert_false(mpr__objw_rep_check(&rep, &g, NULL, 0));
    g.op = MPR__OBJW_DICT_CONTAINS;
    g.arg = MPR__OBJW_ARG(3, 0);
    rep = (struct mpr__objw_rep){ .op = g.op, .seq = 9, .value = 2 };
    assert_false(mpr__objw_rep_check(&rep, &g, NULL, 0));
    g.op = MPR__OBJW_LIST_SET;
    rep = (struct mpr__objw_rep){ .op = g.op, .seq = 9, .rc = MPR_ERR_INDEX };
    assert_true(mpr__objw_rep_check(&rep, &g, NULL, 0));
    rep.rc = MPR_ERR_TRUNCATE; /* only ops that carry bytes truncate */
    assert_false(mpr__objw_rep_check(&rep, &g, NULL, 0));
}

static void test_rep_roundtrip(void **state)
{
    (void)state;
    struct mpr__objw_rep r = { .op = MPR__OBJW_QUEUE_GET, .rc = MPR_ERR_TRUNCATE, .seq = 7,
                               .value = 0x0102030405060708ll, .extra = 5, .length = 0 };
    unsigned char b[MPR__OBJW_REP_BYTES];
    mpr__objw_rep_encode(&r, b);
    assert_int_equal(b[4], 0xfc); /* -4, little-endian */
    assert_int_equal(b[7], 0xff);
    assert_int_equal(b[16], 0x08);
    struct mpr__objw_rep g;
    mpr__objw_rep_decode(b, &g);
    assert_memory_equal(&g, &r, sizeof(r));
}

static void assert_rep_refused(const struct mpr__objw_rep *rep, const struct mpr__objw_req *req)
{
    char why[128] = "";
    assert_false(mpr__objw_rep_check(rep, req, why, sizeof(why)));
    assert_true(why[0] != '\0');
}

static struct mpr__objw_req array_req(enum mpr__objw_op op, uint64_t arg, uint32_t length)
{
    struct mpr__objw_req r = { .op = (uint8_t)op, .object = 4, .seq = 11, .rank = 1,
                               .length = length, .arg = arg };
    return r;
}

/* The array ops: a span of 1..MPR__OBJW_ARRAY_CHUNK bytes for read and
 * write (write's payload that long), an index and a payload of 8 (add) or
 * 16 (compare-and-swap) bytes. */
static void test_array_reqs(void **state)
{
    (void)state;
    uint64_t span = MPR__OBJW_SPAN(4096, 256);
    assert_int_equal(MPR__OBJW_SPAN_OFFSET(span), 4096);
    assert_int_equal(MPR__OBJW_SPAN_BYTES(span), 256);
    span = MPR__OBJW_SPAN(((uint64_t)1 << 40) - 8, 8); /* the last element of the largest */
    assert_int_equal(MPR__OBJW_SPAN_OFFSET(span), ((uint64_t)1 << 40) - 8);
    assert_int_equal(MPR__OBJW_SPAN_BYTES(span), 8);

    struct mpr__objw_req r = array_req(MPR__OBJW_ARRAY_READ, MPR__OBJW_SPAN(8, 16), 0);
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    assert_int_equal(mpr__objw_reply_room(&r, 0), 16);
    r.length = 16; /* a read sends no payload */
    assert_req_refused(&r, "length");
    r = array_req(MPR__OBJW_ARRAY_READ, MPR__OBJW_SPAN(8, 0), 0);
    assert_req_refused(&r, "span");
    r = array_req(MPR__OBJW_ARRAY_READ, MPR__OBJW_SPAN(0, MPR__OBJW_ARRAY_CHUNK), 0);
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    r.arg++;
    assert_req_refused(&r, "span");
    r = array_req(MPR__OBJW_ARRAY_WRITE, MPR__OBJW_SPAN(0, 64), 64);
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    assert_int_equal(mpr__objw_reply_room(&r, 0), 0);
    r.length = 63;
    assert_req_refused(&r, "length");
    r = array_req(MPR__OBJW_ARRAY_FETCH_ADD, 12345, 8);
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    r.length = 16;
    assert_req_refused(&r, "length");
    r = array_req(MPR__OBJW_ARRAY_CAS, 0, 16);
    assert_true(mpr__objw_req_check(&r, 0, NULL, 0));
    r.length = 8;
    assert_req_refused(&r, "length");

    /* replies: a read's data is exactly its span; the atomics' old value is any */
    struct mpr__objw_req rd = array_req(MPR__OBJW_ARRAY_READ, MPR__OBJW_SPAN(8, 16), 0);
    struct mpr__objw_rep rep = { .op = rd.op, .seq = rd.seq, .rc = MPR_SUCCESS, .length = 16 };
    assert_true(mpr__objw_rep_check(&rep, &rd, NULL, 0));
    rep.length = 15;
    assert_rep_refused(&rep, &rd);
    rep.length = 16;
    rep.value = 16; /* a read has no value */
    assert_rep_refused(&rep, &rd);
    rep.value = 0;
    rep.rc = MPR_ERR_ARG;
    assert_rep_refused(&rep, &rd); /* no data with an error */
    rep.length = 0;
    assert_true(mpr__objw_rep_check(&rep, &rd, NULL, 0));
    struct mpr__objw_req wr = array_req(MPR__OBJW_ARRAY_WRITE, MPR__OBJW_SPAN(0, 8), 8);
    rep = (struct mpr__objw_rep){ .op = wr.op, .seq = wr.seq, .rc = MPR_SUCCESS, .length = 8 };
    assert_rep_refused(&rep, &wr); /* a write gets nothing back */
    struct mpr__objw_req add = array_req(MPR__OBJW_ARRAY_FETCH_ADD, 0, 8);
    rep = (struct mpr__objw_rep){ .op = add.op, .seq = add.seq, .value = INT64_MIN };
    assert_true(mpr__objw_rep_check(&rep, &add, NULL, 0));
    rep.extra = 1;
    assert_rep_refused(&rep, &add);
    rep.extra = 0;
    rep.length = 8;
    assert_rep_refused(&rep, &add);
    struct mpr__objw_req cas = array_req(MPR__OBJW_ARRAY_CAS, 0, 16);
    rep = (struct mpr__objw_rep){ .op = cas.op, .seq = cas.seq, .value = -1 };
    assert_true(mpr__objw_rep_check(&rep, &cas, NULL, 0));
}

static void test_rep_checks(void **state)
{
    (void)state;
    struct mpr__objw_req get = get_req(); /* buffer of 64 */
    struct mpr__objw_rep ok = { .op = get.op, .seq = get.seq, .rc = MPR_SUCCESS, .value = 64,
                                .length = 64 };
    assert_true(mpr__objw_rep_check(&ok, &get, NULL, 0));
    struct mpr__objw_rep r = ok;
    r.seq++;
    assert_rep_refused(&r, &get);
    r = ok;
    r.op = MPR__OBJW_QUEUE_PUT;
    assert_rep_refused(&r, &get);
    r = ok;
    r.length = r.value = 65; /* more than the buffer */
    assert_rep_refused(&r, &get);
    r = ok;
    r.length = 10; /* payload and length disagree */
    assert_rep_refused(&r, &get);
    r = ok;
    r.rc = 5;
    assert_rep_refused(&r, &get);
    r = ok;
    r.rc = -100;
    assert_rep_refused(&r, &get);
    r = ok;
    r.reserved2 = 1;
    assert_rep_refused(&r, &get);
    /* truncate: the item's length, larger than the buffer, and no payload */
    r = ok;
    r.rc = MPR_ERR_TRUNCATE;
    r.length = 0;
    r.value = 65;
    assert_true(mpr__objw_rep_check(&r, &get, NULL, 0));
    r.value = 64;
    assert_rep_refused(&r, &get);
    r.value = 100;
    r.length = 100;
    assert_rep_refused(&r, &get);
    /* an empty queue: no payload */
    r = ok;
    r.rc = MPR_ERR_TIMEOUT;
    r.length = 0;
    assert_true(mpr__objw_rep_check(&r, &get, NULL, 0));
    r.length = 4;
    assert_rep_refused(&r, &get);

    /* a put never gets a payload back, nor a truncate */
    struct mpr__objw_req put = put_req();
    struct mpr__objw_rep p = { .op = put.op, .seq = put.seq, .rc = MPR_SUCCESS };
    assert_true(mpr__objw_rep_check(&p, &put, NULL, 0));
    p.length = 1;
    assert_rep_refused(&p, &put);
    p.length = 0;
    p.rc = MPR_ERR_TRUNCATE;
    assert_rep_refused(&p, &put);
    p.rc = MPR_ERR_FULL;
    assert_true(mpr__objw_rep_check(&p, &put, NULL, 0));

    /* values in range for their op */
    struct mpr__objw_req q = { .op = MPR__OBJW_EVENT_IS_SET, .object = 1, .seq = 1 };
    struct mpr__objw_rep v = { .op = q.op, .seq = 1, .value = 1 };
    assert_true(mpr__objw_rep_check(&v, &q, NULL, 0));
    v.value = 2;
    assert_rep_refused(&v, &q);
    q.op = v.op = MPR__OBJW_LOCK_OWNER;
    v.value = -1;
    assert_true(mpr__objw_rep_check(&v, &q, NULL, 0));
    v.value = -2;
    assert_rep_refused(&v, &q);
    q.op = v.op = MPR__OBJW_SEM_VALUE;
    v.value = -1;
    assert_rep_refused(&v, &q);
    q.op = v.op = MPR__OBJW_ATTACH;
    v.value = (int64_t)MPR_QUEUE_ITEM_MAX + 1;
    assert_rep_refused(&v, &q);
    v.value = 64;
    v.extra = MPR_QUEUE_MAXSIZE_MAX + 1;
    assert_rep_refused(&v, &q);
    v.extra = 16;
    assert_true(mpr__objw_rep_check(&v, &q, NULL, 0));
    q.op = v.op = MPR__OBJW_SEM_RELEASE;
    v.value = 1; /* nothing to say */
    assert_rep_refused(&v, &q);
    q.op = v.op = MPR__OBJW_RLOCK_OWNER;
    v.value = 5;
    v.extra = 3; /* the recursion count */
    assert_true(mpr__objw_rep_check(&v, &q, NULL, 0));
    v.value = -2;
    assert_rep_refused(&v, &q);
    q.op = v.op = MPR__OBJW_BARRIER_WAIT;
    v.value = 2;
    v.extra = 0;
    assert_true(mpr__objw_rep_check(&v, &q, NULL, 0));
    v.value = -1;
    assert_rep_refused(&v, &q);
    q.op = v.op = MPR__OBJW_BARRIER_STATE;
    v.value = 1;
    v.extra = 2; /* broken is 0 or 1 */
    assert_rep_refused(&v, &q);
    v.rc = MPR_ERR_BROKEN; /* a code a service may send */
    assert_true(mpr__objw_rep_check(&v, &q, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello),
        cmocka_unit_test(test_req_roundtrip),
        cmocka_unit_test(test_req_refused),
        cmocka_unit_test(test_op_kind),
        cmocka_unit_test(test_array_reqs),
        cmocka_unit_test(test_container_reqs),
        cmocka_unit_test(test_rep_roundtrip),
        cmocka_unit_test(test_rep_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
