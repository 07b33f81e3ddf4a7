/*
 * manager_dict - workers fill a dict and a list shared under a "manager"
 * (the multiprocessing tutorial's Manager().dict() / .list() / Namespace()
 * program), with no manager process: the containers live in shared memory
 * on rank 0's host and every rank updates them itself.
 *
 *   mprun -n 4 ./examples/manager_dict [ITEMS]
 *
 * Python:                                     mpr:
 *   with Manager() as manager:                  (nothing to start)
 *       d = manager.dict()                      mpr_dict_create(comm, 0, 0, &d)
 *       l = manager.list()                      mpr_list_create(comm, 0, 0, &l)
 *       ns = manager.Namespace(); ns.done = 0   mpr_namespace_create + _set_int
 *       workers: d["square-%d" % i] = i * i     mpr_dict_set
 *                l.append(i)                    mpr_list_append
 *                with lock: ns.done += 1        mpr_namespace_add (no lock)
 *       join; print(d, l)                       mpr_barrier; rank 0 reads
 *
 * Item i (0 <= i < ITEMS, default 100) is worked by rank i % N. Rank 0
 * checks that every square is there and right, that the list holds each
 * item once and the namespace counted them all, prints a summary and the
 * first squares; exit 1 otherwise. Across hosts the ranks of other hosts
 * send their calls to rank 0's object service: nothing else changes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "example_util.h"

static size_t square_key(char *key, size_t cap, long i)
{
    return (size_t)snprintf(key, cap, "square-%ld", i);
}

/* Rank 0, after the workers: are the containers what they should be? */
static int verify(mpr_dict d, mpr_list l, mpr_namespace ns, long items)
{
    int bad = 0;
    size_t count = 0;
    char key[32];
    check(mpr_dict_length(d, &count), "mpr_dict_length");
    if (count != (size_t)items) {
        printf("the dict has %zu keys, wanted %ld\n", count, items);
        bad = 1;
    }
    for (long i = 0; i < items; i++) {
        int64_t sq = -1;
        int rc = mpr_dict_get(d, key, square_key(key, sizeof key, i), &sq, sizeof sq, NULL);
        if (rc != MPR_SUCCESS || sq != (int64_t)i * i) {
            printf("%s: %s %lld\n", key, mpr_error_name(rc), (long long)sq);
            bad = 1;
        }
    }
    char *seen = calloc((size_t)items, 1);
    check(seen ? mpr_list_length(l, &count) : MPR_ERR_NO_MEM, "mpr_list_length");
    for (size_t k = 0; k < count; k++) {
        long i = -1;
        check(mpr_list_get(l, (int64_t)k, &i, sizeof i, NULL), "mpr_list_get");
        if (i < 0 || i >= items || seen[i]++)
            bad = 1;
    }
    if (count != (size_t)items)
        bad = 1;
    free(seen);
    int64_t done = 0;
    check(mpr_namespace_get_int(ns, "done", &done), "mpr_namespace_get_int");
    if (done != items) {
        printf("ns.done = %lld, wanted %ld\n", (long long)done, items);
        bad = 1;
    }
    printf("dict: %ld squares, list: %zu items, ns.done = %lld: %s\n", items, count,
           (long long)done, bad ? "WRONG" : "all there");
    return bad;
}

int main(int argc, char **argv)
{
    int rank, size;
    example_start("manager_dict", &argc, &argv, &rank, &size);
    long items = arg_long(argc, argv, 1, 100);

    mpr_dict d;
    mpr_list l;
    mpr_namespace ns;
    check(mpr_dict_create(MPR_COMM_WORLD, 0, 0, &d), "mpr_dict_create");
    check(mpr_list_create(MPR_COMM_WORLD, 0, 0, &l), "mpr_list_create");
    check(mpr_namespace_create(MPR_COMM_WORLD, &ns), "mpr_namespace_create");
    if (rank == 0)
        check(mpr_namespace_set_int(ns, "done", 0), "mpr_namespace_set_int");
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");

    char key[32];
    for (long i = rank; i < items; i += size) {
        int64_t sq = (int64_t)i * i;
        check(mpr_dict_set(d, key, square_key(key, sizeof key, i), &sq, sizeof sq),
              "mpr_dict_set");
        check(mpr_list_append(l, &i, sizeof i), "mpr_list_append");
        check(mpr_namespace_add(ns, "done", 1, NULL), "mpr_namespace_add");
    }
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier"); /* the workers' join() */

    int bad = 0;
    if (rank == 0) {
        bad = verify(d, l, ns, items);
        for (long i = 0; i < items && i < 5; i++) {
            int64_t sq;
            check(mpr_dict_get(d, key, square_key(key, sizeof key, i), &sq, sizeof sq, NULL),
                  "mpr_dict_get");
            printf("  %s = %lld\n", key, (long long)sq);
        }
    }
    check(mpr_bcast(&bad, sizeof bad, 0, MPR_COMM_WORLD), "mpr_bcast");
    check(mpr_namespace_free(&ns), "mpr_namespace_free");
    check(mpr_list_free(&l), "mpr_list_free");
    check(mpr_dict_free(&d), "mpr_dict_free");
    check(mpr_finalize(), "mpr_finalize");
    return bad;
}
