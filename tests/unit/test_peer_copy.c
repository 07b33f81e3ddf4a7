/* test_peer_copy.c - copies into shared memory, at every alignment and
 * around the size where equally aligned ones switch to rep movsb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/peer_copy.h"

#define GUARD 64
#define MAX_LEN (3 * MPR__PEER_COPY_MIN + 100)

/* Every byte of dst[0, n) is src's, and the guard bytes on each side are untouched. */
static void check_copy(size_t dst_off, size_t src_off, size_t n)
{
    static unsigned char src[MAX_LEN + 2 * GUARD], dst[MAX_LEN + 2 * GUARD];
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (unsigned char)(i * 131 + n);
    memset(dst, 0xa5, sizeof(dst));
    mpr__peer_copy(dst + GUARD + dst_off, src + GUARD + src_off, n);
    for (size_t i = 0; i < GUARD + dst_off; i++)
        assert_int_equal(dst[i], 0xa5);
    assert_memory_equal(dst + GUARD + dst_off, src + GUARD + src_off, n);
    for (size_t i = GUARD + dst_off + n; i < sizeof(dst); i++)
        assert_int_equal(dst[i], 0xa5);
}

static void test_every_alignment_around_the_threshold(void **state)
{
    (void)state;
    const size_t lens[] = { 0, 1, 63, 64, MPR__PEER_COPY_MIN - 1, MPR__PEER_COPY_MIN,
                            MPR__PEER_COPY_MIN + 1, MPR__PEER_COPY_MIN + 15,
                            MPR__PEER_COPY_MIN + 63, 2 * MPR__PEER_COPY_MIN + 17,
                            3 * MPR__PEER_COPY_MIN };
    for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
        for (size_t d = 0; d < 66; d += (d < 17 ? 1 : 47))
            for (size_t s = 0; s < 66; s += (s < 17 ? 1 : 47))
                check_copy(d, s, lens[l]);
}

static void test_odd_lengths_aligned_alike_or_not(void **state)
{
    (void)state;
    /* aligned alike (rep movsb) and not, at odd lengths */
    for (size_t n = MPR__PEER_COPY_MIN; n < MPR__PEER_COPY_MIN + 200; n += 13) {
        check_copy(8, 8, n);
        check_copy(8, 3, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_alignment_around_the_threshold),
        cmocka_unit_test(test_odd_lengths_aligned_alike_or_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
