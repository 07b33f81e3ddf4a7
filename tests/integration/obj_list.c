/*
 * obj_list - the shared list, self-checking.
 *
 *   mprun -n N obj_list ROUNDS
 *
 * Bad arguments are refused; one rank's calls behave as Python's list
 * (append, insert with clamped indexes, get and set with negative indexes,
 * IndexError as MPR_ERR_INDEX, pop from the end and the middle,
 * truncation, get_alloc, clear, empty and largest items); then every rank
 * appends ROUNDS items at once (each rank's in its order, none lost), and
 * all pop them concurrently (each popped exactly once). A small list
 * fills up: MPR_ERR_FULL, and what it holds is intact.
 */
#include <stdint.h>

#include "check.h"

static int size;

struct entry {
    int32_t rank;
    int32_t i;
};

static void check_bad_arguments(void)
{
    mpr_list l = NULL;
    char buf[8];
    EXPECT(mpr_list_create(MPR_COMM_WORLD, 0, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_list_create(NULL, 0, 0, &l), MPR_ERR_ARG);
    EXPECT(mpr_list_create(MPR_COMM_WORLD, MPR_LIST_ITEMS_MAX + 1, 0, &l), MPR_ERR_ARG);
    EXPECT(mpr_list_create(MPR_COMM_WORLD, 0, 100, &l), MPR_ERR_ARG);
    if (size > 1)
        EXPECT(mpr_list_create(MPR_COMM_WORLD, 16 + (me == 0), 0, &l), MPR_ERR_ARG);
    EXPECT(mpr_list_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_list_free(&l), MPR_ERR_ARG);
    EXPECT(mpr_list_append(NULL, "a", 1), MPR_ERR_ARG);
    EXPECT(mpr_list_get(NULL, 0, buf, sizeof buf, NULL), MPR_ERR_ARG);
    MUST(mpr_list_create(MPR_COMM_WORLD, 0, 0, &l), MPR_SUCCESS);
    EXPECT(mpr_list_append(l, NULL, 1), MPR_ERR_ARG);
    EXPECT(mpr_list_append(l, buf, MPR_LIST_ITEM_MAX + 1), MPR_ERR_ARG);
    EXPECT(mpr_list_get(l, 0, NULL, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_list_length(l, NULL), MPR_ERR_ARG);
    EXPECT(mpr_list_get_alloc(l, 0, NULL, NULL), MPR_ERR_ARG);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_list_free(&l), MPR_SUCCESS);
    CHECK(l == NULL, "free did not clear the handle");
}

/* The list's items as one string of their first bytes. */
static void letters(mpr_list l, char *out, size_t cap)
{
    size_t n = 0, len = 0;
    EXPECT(mpr_list_length(l, &n), MPR_SUCCESS);
    for (size_t i = 0; i < n && i + 1 < cap; i++) {
        char c = '?';
        EXPECT(mpr_list_get(l, (int64_t)i, &c, 1, &len), MPR_SUCCESS);
        out[i] = c;
        out[i + 1] = '\0';
    }
    if (n == 0)
        out[0] = '\0';
}

static void check_calls(mpr_list l)
{
    char buf[64], s[32];
    size_t len = 0;
    EXPECT(mpr_list_get(l, 0, buf, sizeof buf, &len), MPR_ERR_INDEX);
    EXPECT(mpr_list_pop(l, -1, buf, sizeof buf, &len), MPR_ERR_INDEX);
    EXPECT(mpr_list_set(l, 0, "x", 1), MPR_ERR_INDEX);
    EXPECT(mpr_list_append(l, "b", 1), MPR_SUCCESS);
    EXPECT(mpr_list_append(l, "d", 1), MPR_SUCCESS);
    EXPECT(mpr_list_insert(l, 0, "a", 1), MPR_SUCCESS);
    EXPECT(mpr_list_insert(l, -1, "c", 1), MPR_SUCCESS);     /* before the last */
    EXPECT(mpr_list_insert(l, 100, "e", 1), MPR_SUCCESS);    /* past the end: appended */
    EXPECT(mpr_list_insert(l, -100, "_", 1), MPR_SUCCESS);   /* before the start: first */
    EXPECT(mpr_list_insert(l, INT64_MIN, "^", 1), MPR_SUCCESS);
    letters(l, s, sizeof s);
    CHECK(strcmp(s, "^_abcde") == 0, "list is %s, wanted ^_abcde", s);
    EXPECT(mpr_list_get(l, -1, buf, sizeof buf, &len), MPR_SUCCESS);
    CHECK(len == 1 && buf[0] == 'e', "l[-1] = %c", buf[0]);
    EXPECT(mpr_list_get(l, -7, buf, sizeof buf, &len), MPR_SUCCESS);
    CHECK(buf[0] == '^', "l[-7] = %c", buf[0]);
    EXPECT(mpr_list_get(l, -8, buf, sizeof buf, &len), MPR_ERR_INDEX);
    EXPECT(mpr_list_get(l, 7, buf, sizeof buf, &len), MPR_ERR_INDEX);
    EXPECT(mpr_list_get(l, INT64_MAX, buf, sizeof buf, &len), MPR_ERR_INDEX);
    EXPECT(mpr_list_pop(l, 0, buf, sizeof buf, &len), MPR_SUCCESS);
    CHECK(buf[0] == '^', "pop(0) = %c", buf[0]);
    EXPECT(mpr_list_pop(l, 0, buf, sizeof buf, &len), MPR_SUCCESS);
    CHECK(buf[0] == '_', "pop(0) = %c", buf[0]);
    EXPECT(mpr_list_pop(l, 2, buf, sizeof buf, &len), MPR_SUCCESS); /* c, from the middle */
    CHECK(buf[0] == 'c', "pop(2) = %c", buf[0]);
    letters(l, s, sizeof s);
    CHECK(strcmp(s, "abde") == 0, "list is %s, wanted abde", s);
    /* set: a longer item (another size class), an empty one, truncation */
    char big[500];
    fill(big, sizeof big, 7, 8);
    big[0] = 'B';
    EXPECT(mpr_list_set(l, 1, big, sizeof big), MPR_SUCCESS);
    EXPECT(mpr_list_get(l, 1, buf, sizeof buf, &len), MPR_ERR_TRUNCATE);
    CHECK(len == sizeof big, "truncated get says %zu", len);
    void *got = NULL;
    EXPECT(mpr_list_get_alloc(l, -3, &got, &len), MPR_SUCCESS);
    CHECK(got && len == sizeof big && memcmp(got, big, len) == 0, "get_alloc of 500 bytes");
    free(got);
    EXPECT(mpr_list_pop(l, 1, buf, 10, &len), MPR_ERR_TRUNCATE); /* not taken */
    EXPECT(mpr_list_set(l, -1, "", 0), MPR_SUCCESS);
    EXPECT(mpr_list_get(l, 3, NULL, 0, &len), MPR_SUCCESS);
    CHECK(len == 0, "empty item of %zu bytes", len);
    size_t n = 0;
    EXPECT(mpr_list_length(l, &n), MPR_SUCCESS);
    CHECK(n == 4, "length %zu, wanted 4", n);
    /* the largest item */
    char *huge = xmalloc(MPR_LIST_ITEM_MAX);
    fill(huge, MPR_LIST_ITEM_MAX, 9, 9);
    EXPECT(mpr_list_append(l, huge, MPR_LIST_ITEM_MAX), MPR_SUCCESS);
    memset(huge, 0, MPR_LIST_ITEM_MAX);
    EXPECT(mpr_list_pop(l, -1, huge, MPR_LIST_ITEM_MAX, &len), MPR_SUCCESS);
    CHECK(len == MPR_LIST_ITEM_MAX && badbyte(huge, len, 9, 9) == len, "the largest item");
    free(huge);
    EXPECT(mpr_list_clear(l), MPR_SUCCESS);
    EXPECT(mpr_list_length(l, &n), MPR_SUCCESS);
    CHECK(n == 0, "length %zu after clear", n);
    EXPECT(mpr_list_pop(l, -1, buf, sizeof buf, &len), MPR_ERR_INDEX);
}

static void check_together(mpr_list l, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        struct entry e = { me, i };
        EXPECT(mpr_list_append(l, &e, sizeof e), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    size_t n = 0, len = 0;
    EXPECT(mpr_list_length(l, &n), MPR_SUCCESS);
    CHECK(n == (size_t)size * rounds, "length %zu, wanted %d", n, size * rounds);
    if (me == 0) { /* each rank's items in its order */
        int *next = calloc((size_t)size, sizeof(int));
        for (size_t i = 0; next && i < n; i++) {
            struct entry e = { -1, -1 };
            EXPECT(mpr_list_get(l, (int64_t)i, &e, sizeof e, &len), MPR_SUCCESS);
            if (e.rank < 0 || e.rank >= size || e.i != next[e.rank]) {
                failf(__LINE__, "item %zu is (%d, %d)", i, e.rank, e.i);
                break;
            }
            next[e.rank]++;
        }
        free(next);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    /* all pop at once, from both ends: each item once */
    long popped = 0, sum = 0;
    for (;;) {
        struct entry e;
        int rc = mpr_list_pop(l, popped % 2 ? 0 : -1, &e, sizeof e, &len);
        if (rc == MPR_ERR_INDEX)
            break;
        EXPECT(rc, MPR_SUCCESS);
        if (rc != MPR_SUCCESS)
            break;
        popped++;
        sum += (long)e.rank * rounds + e.i;
    }
    long all[2], mine[2] = { popped, sum };
    MUST(mpr_allreduce(mine, all, 2, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    long total = (long)size * rounds;
    CHECK(all[0] == total && all[1] == total * (total - 1) / 2,
          "popped %ld items summing to %ld, wanted %ld and %ld", all[0], all[1], total,
          total * (total - 1) / 2);
}

static void check_full(void)
{
    mpr_list l;
    MUST(mpr_list_create(MPR_COMM_WORLD, 4, 4096, &l), MPR_SUCCESS);
    if (me == 0) {
        int i, rc = MPR_SUCCESS;
        for (i = 0; i < 10 && rc == MPR_SUCCESS; i++)
            rc = mpr_list_append(l, &i, sizeof i);
        CHECK(rc == MPR_ERR_FULL && i == 5, "item 5 of 4 gave %s", mpr_error_name(rc));
        EXPECT(mpr_list_insert(l, 0, &i, sizeof i), MPR_ERR_FULL);
        int x = -1;
        size_t len;
        EXPECT(mpr_list_get(l, -1, &x, sizeof x, &len), MPR_SUCCESS);
        CHECK(x == 3, "last item %d after refused appends", x);
        EXPECT(mpr_list_clear(l), MPR_SUCCESS);
        char val[3000];
        fill(val, sizeof val, 1, 1);
        EXPECT(mpr_list_append(l, val, sizeof val), MPR_SUCCESS);
        EXPECT(mpr_list_append(l, val, sizeof val), MPR_ERR_FULL);
        EXPECT(mpr_list_append(l, "s", 1), MPR_ERR_FULL); /* the 4 KiB block took it all */
        EXPECT(mpr_list_set(l, 0, "s", 1), MPR_SUCCESS); /* a shorter item: in its block */
        EXPECT(mpr_list_append(l, val, sizeof val), MPR_ERR_FULL);
        EXPECT(mpr_list_pop(l, 0, &x, sizeof x, &len), MPR_SUCCESS); /* gives the block back */
        EXPECT(mpr_list_append(l, val, sizeof val), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_list_free(&l), MPR_SUCCESS);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    check_bad_arguments();
    mpr_list l;
    MUST(mpr_list_create(MPR_COMM_WORLD, 0, 0, &l), MPR_SUCCESS);
    if (me == size - 1)
        check_calls(l);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    check_together(l, rounds);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_list_free(&l), MPR_SUCCESS);
    check_full();
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    if (failures == 0 && me == 0)
        printf("obj_list: OK\n");
    return failures ? 1 : 0;
}
