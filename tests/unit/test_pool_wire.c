/*
 * test_pool_wire - the pool's messages (runtime/objects/pool_wire.c): a
 * chunk header's layout and round trip, the chunks and result records a
 * rank must refuse (cut short, bad name length, items that do not fit, an
 * output capacity too large, output bytes with a failure code), and the
 * growable buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "core/wire_bytes.h"
#include "objects/pool.h"

/* A TASKS message body of one chunk of n items of item_len bytes. */
static struct mpr__pool_buf chunk_message(uint32_t n, uint64_t item_len, uint64_t out_cap,
                                          const char *name)
{
    struct mpr__pool_buf b = { 0 };
    assert_int_equal(mpr__pool_put_chunk_header(&b, 77, n, item_len, out_cap, name,
                                                strlen(name)),
                     MPR_SUCCESS);
    size_t bytes = (size_t)n * item_len;
    assert_int_equal(mpr__pool_buf_reserve(&b, bytes), MPR_SUCCESS);
    for (size_t i = 0; i < bytes; i++)
        b.data[b.len + i] = (unsigned char)i;
    b.len += bytes;
    return b;
}

static void assert_chunk_refused(const struct mpr__pool_buf *b, size_t len, const char *word)
{
    struct mpr__pool_chunk_view c;
    size_t off = 0;
    char why[128] = "";
    assert_false(mpr__pool_parse_chunk(b->data, len, &off, &c, why, sizeof why));
    if (!strstr(why, word))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, word);
    assert_int_equal(off, 0);
}

static void test_chunk_roundtrip(void **state)
{
    (void)state;
    struct mpr__pool_buf b = chunk_message(3, 8, 16, "square");
    assert_int_equal(b.len, 48 + 24); /* header 30, name 6, zeros to 48 */
    assert_int_equal(mpr__get64(b.data), 77);       /* id */
    assert_int_equal(mpr__get32(b.data + 8), 3);    /* items */
    assert_int_equal(mpr__get64(b.data + 12), 8);   /* item length */
    assert_int_equal(mpr__get64(b.data + 20), 16);  /* output capacity */
    assert_int_equal(mpr__get16(b.data + 28), 6);   /* name length */
    struct mpr__pool_chunk_view c;
    size_t off = 0;
    assert_true(mpr__pool_parse_chunk(b.data, b.len, &off, &c, NULL, 0));
    assert_int_equal(off, b.len);
    assert_int_equal(c.id, 77);
    assert_int_equal(c.nitems, 3);
    assert_int_equal(c.item_len, 8);
    assert_int_equal(c.out_cap, 16);
    assert_int_equal(c.name_len, 6);
    assert_memory_equal(c.name, "square", 6);
    assert_int_equal(c.inputs[23], 23);
    assert_true(c.inputs == b.data + 48);
    free(b.data);

    /* empty inputs, and "any size" outputs */
    b = chunk_message(5, 0, UINT64_MAX, "f");
    off = 0;
    assert_true(mpr__pool_parse_chunk(b.data, b.len, &off, &c, NULL, 0));
    assert_int_equal(c.nitems, 5);
    assert_true(c.out_cap == UINT64_MAX);
    free(b.data);
}

static void test_chunk_refused(void **state)
{
    (void)state;
    struct mpr__pool_buf b = chunk_message(3, 8, 16, "square");
    assert_chunk_refused(&b, MPR__POOL_CHUNK_HEADER - 1, "cut short");
    assert_chunk_refused(&b, MPR__POOL_CHUNK_HEADER + 3, "name");
    assert_chunk_refused(&b, b.len - 1, "do not fit");
    mpr__put16(b.data + 28, 0);
    assert_chunk_refused(&b, b.len, "name");
    mpr__put16(b.data + 28, MPR_POOL_NAME_MAX + 1);
    assert_chunk_refused(&b, b.len, "name");
    mpr__put16(b.data + 28, 6);
    mpr__put32(b.data + 8, 0);
    assert_chunk_refused(&b, b.len, "items");
    mpr__put32(b.data + 8, UINT32_MAX); /* n * item_len far beyond the message */
    assert_chunk_refused(&b, b.len, "do not fit");
    mpr__put32(b.data + 8, 3);
    mpr__put64(b.data + 12, UINT64_MAX / 2); /* n * item_len overflows */
    assert_chunk_refused(&b, b.len, "do not fit");
    mpr__put64(b.data + 12, 8);
    mpr__put64(b.data + 20, (uint64_t)MPR_POOL_RESULT_MAX + 1);
    assert_chunk_refused(&b, b.len, "capacity");
    free(b.data);
}

/* A record: chunk id, code, length, bytes. */
static size_t put_record(unsigned char *p, uint64_t id, int code, uint64_t len, const char *data)
{
    mpr__put64(p, id);
    mpr__put32(p + 8, (uint32_t)code);
    mpr__put64(p + 12, len);
    if (data)
        memcpy(p + MPR__POOL_RECORD_HEADER, data, (size_t)len);
    return MPR__POOL_RECORD_HEADER + (data ? (size_t)len : 0);
}

static void test_records(void **state)
{
    (void)state;
    unsigned char msg[256];
    size_t len = put_record(msg, 5, MPR_SUCCESS, 3, "abc");
    len += put_record(msg + len, 6, -1000, 0, NULL);
    struct mpr__pool_record_view r;
    size_t off = 0;
    assert_true(mpr__pool_parse_record(msg, len, &off, &r, NULL, 0));
    assert_int_equal(r.chunk_id, 5);
    assert_int_equal(r.code, MPR_SUCCESS);
    assert_int_equal(r.len, 3);
    assert_memory_equal(r.data, "abc", 3);
    assert_true(mpr__pool_parse_record(msg, len, &off, &r, NULL, 0));
    assert_int_equal(r.chunk_id, 6);
    assert_int_equal(r.code, -1000);
    assert_int_equal(r.len, 0);
    assert_int_equal(off, len);

    char why[128] = "";
    off = 0;
    assert_false(mpr__pool_parse_record(msg, MPR__POOL_RECORD_HEADER - 1, &off, &r, why,
                                        sizeof why));
    assert_non_null(strstr(why, "cut short"));
    assert_false(mpr__pool_parse_record(msg, MPR__POOL_RECORD_HEADER + 2, &off, &r, NULL, 0));
    len = put_record(msg, 7, MPR_ERR_VALUE, 3, "xyz"); /* bytes with a failure */
    assert_false(mpr__pool_parse_record(msg, len, &off, &r, NULL, 0));
    mpr__put64(msg + 12, UINT64_MAX);
    mpr__put32(msg + 8, 0);
    assert_false(mpr__pool_parse_record(msg, len, &off, &r, NULL, 0));
    assert_int_equal(off, 0);
}

static void test_buf(void **state)
{
    (void)state;
    struct mpr__pool_buf b = { 0 };
    assert_int_equal(mpr__pool_buf_reserve(&b, 10), MPR_SUCCESS);
    assert_true(b.cap >= 10);
    b.len = 10;
    assert_int_equal(mpr__pool_buf_reserve(&b, 100000), MPR_SUCCESS);
    assert_true(b.cap - b.len >= 100000);
    assert_int_equal(mpr__pool_buf_reserve(&b, SIZE_MAX - 5), MPR_ERR_NO_MEM);
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_roundtrip),
        cmocka_unit_test(test_chunk_refused),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
