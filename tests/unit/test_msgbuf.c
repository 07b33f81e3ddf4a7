/* test_msgbuf.c - unit tests of the reused buffers of unexpected messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/mpr_internal.h"

/* A freed buffer comes back for any length of its size class, whole. */
static void test_a_freed_buffer_is_reused_within_its_class(void **state)
{
    (void)state;
    char *a = mpr__msgbuf_alloc(40000); /* class 64 KiB */
    assert_non_null(a);
    memset(a, 1, 65536);               /* the whole class is usable */
    mpr__msgbuf_free(a, 40000);
    char *b = mpr__msgbuf_alloc(65536);
    assert_ptr_equal(a, b);
    char *c = mpr__msgbuf_alloc(65536); /* the list is empty again */
    assert_ptr_not_equal(b, c);
    mpr__msgbuf_free(b, 65536);
    mpr__msgbuf_free(c, 65536);
    mpr__msgbuf_release_all();
}

/* Small and huge lengths, and 0 bytes, are plain allocations. */
static void test_small_and_huge_are_not_kept(void **state)
{
    (void)state;
    void *z = mpr__msgbuf_alloc(0);
    assert_non_null(z);
    mpr__msgbuf_free(z, 0);
    void *s = mpr__msgbuf_alloc(100);
    assert_non_null(s);
    mpr__msgbuf_free(s, 100);
    char *h = mpr__msgbuf_alloc((8u << 20) + 1);
    assert_non_null(h);
    h[(8u << 20)] = 1;
    mpr__msgbuf_free(h, (8u << 20) + 1);
    mpr__msgbuf_free(NULL, 4096);
    mpr__msgbuf_release_all();
}

/* No more than 8 MiB is kept: the rest goes back to the system (under
 * valgrind or LeakSanitizer nothing is lost either way). */
static void test_the_cache_is_bounded(void **state)
{
    (void)state;
    enum { N = 6 };
    void *first[N], *again[N];
    for (int i = 0; i < N; i++)
        assert_non_null(first[i] = mpr__msgbuf_alloc(2u << 20));
    for (int i = 0; i < N; i++)
        mpr__msgbuf_free(first[i], 2u << 20); /* 4 kept, 2 freed */
    int reused = 0;
    for (int i = 0; i < N; i++) {
        assert_non_null(again[i] = mpr__msgbuf_alloc(2u << 20));
        for (int j = 0; j < 4; j++)
            reused += again[i] == first[j]; /* the 4 kept, whatever malloc reuses */
    }
    assert_int_equal(reused, 4);
    for (int i = 0; i < N; i++)
        mpr__msgbuf_free(again[i], 2u << 20);
    mpr__msgbuf_release_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_freed_buffer_is_reused_within_its_class),
        cmocka_unit_test(test_small_and_huge_are_not_kept),
        cmocka_unit_test(test_the_cache_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
