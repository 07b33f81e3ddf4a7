/*
 * obj_dict - the shared dictionary, self-checking.
 *
 *   mprun -n N obj_dict basic ROUNDS
 *   mprun -n N obj_dict die [MARK [VICTIM]]
 *
 * basic: bad arguments are refused; one rank's calls behave as Python's
 * dict (set, get, truncation, get_alloc, pop, delete, contains, length,
 * setdefault, add, clear, key snapshots, values of 0 bytes and of the
 * largest size); then every rank at once adds ROUNDS times to a shared
 * counter (no update lost), sets and deletes keys of its own, and races
 * to setdefault one key (exactly one wins); each snapshot lists every key
 * once. A small dict fills up: MPR_ERR_FULL, and what it holds is intact.
 * The namespace: bad names refused, fields of bytes and of int64, absent
 * ones (MPR_ERR_KEY), an int read from bytes (MPR_ERR_VALUE), and every
 * rank adding to one field (none lost).
 *
 * die: rank VICTIM (default N-1; it must run on rank 0's host) dies inside
 * mpr_dict_set, holding the dict's lock (its value's bytes fault while
 * they are copied in and the SIGSEGV handler exits). The others, adding
 * to a counter meanwhile, must get MPR_ERR_PROC_FAILED, on every later
 * call too, never hang. Run with --enable-recovery.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "check.h"

static int size;

static void key_of(char *out, size_t cap, int rank, int i)
{
    snprintf(out, cap, "r%d-k%d", rank, i);
}

static void check_bad_arguments(void)
{
    mpr_dict d = NULL;
    char buf[8];
    EXPECT(mpr_dict_create(MPR_COMM_WORLD, 0, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_dict_create(NULL, 0, 0, &d), MPR_ERR_ARG);
    EXPECT(mpr_dict_create(MPR_COMM_WORLD, MPR_DICT_ENTRIES_MAX + 1, 0, &d), MPR_ERR_ARG);
    EXPECT(mpr_dict_create(MPR_COMM_WORLD, 0, 100, &d), MPR_ERR_ARG);
    if (size > 1) /* sizes that differ between ranks: refused on every rank */
        EXPECT(mpr_dict_create(MPR_COMM_WORLD, 16 + (me == size - 1), 0, &d), MPR_ERR_ARG);
    EXPECT(mpr_dict_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_dict_free(&d), MPR_ERR_ARG);
    EXPECT(mpr_dict_set(NULL, "a", 1, "b", 1), MPR_ERR_ARG);
    EXPECT(mpr_dict_get(NULL, "a", 1, buf, sizeof buf, NULL), MPR_ERR_ARG);
    EXPECT(mpr_dict_length(NULL, NULL), MPR_ERR_ARG);
    MUST(mpr_dict_create(MPR_COMM_WORLD, 0, 0, &d), MPR_SUCCESS);
    EXPECT(mpr_dict_set(d, NULL, 1, "b", 1), MPR_ERR_ARG);
    EXPECT(mpr_dict_set(d, "a", 1, NULL, 1), MPR_ERR_ARG);
    EXPECT(mpr_dict_set(d, buf, MPR_DICT_KEY_MAX + 1, "b", 1), MPR_ERR_ARG);
    EXPECT(mpr_dict_set(d, "a", 1, buf, MPR_DICT_VALUE_MAX + 1), MPR_ERR_ARG);
    EXPECT(mpr_dict_get(d, "a", 1, NULL, 4, NULL), MPR_ERR_ARG);
    EXPECT(mpr_dict_get_alloc(d, "a", 1, NULL, NULL), MPR_ERR_ARG);
    EXPECT(mpr_dict_contains(d, "a", 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_dict_keys(d, NULL), MPR_ERR_ARG);
    CHECK(mpr_keys_get(NULL, 0, NULL) == NULL && mpr_keys_count(NULL) == 0, "NULL snapshot");
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_dict_free(&d), MPR_SUCCESS);
    CHECK(d == NULL, "free did not clear the handle");
}

/* Rank 0 alone, while the others wait: the calls one by one. */
static void check_calls(mpr_dict d)
{
    char buf[64];
    size_t len = 0;
    int found = -1, inserted = -1;
    size_t count = 99;
    EXPECT(mpr_dict_get(d, "x", 1, buf, sizeof buf, &len), MPR_ERR_KEY);
    EXPECT(mpr_dict_delete(d, "x", 1), MPR_ERR_KEY);
    EXPECT(mpr_dict_set(d, "x", 1, "hello", 5), MPR_SUCCESS);
    EXPECT(mpr_dict_get(d, "x", 1, buf, sizeof buf, &len), MPR_SUCCESS);
    CHECK(len == 5 && memcmp(buf, "hello", 5) == 0, "x = %.*s", (int)len, buf);
    len = 0;
    EXPECT(mpr_dict_get(d, "x", 1, buf, 3, &len), MPR_ERR_TRUNCATE);
    CHECK(len == 5, "truncated get says %zu bytes", len);
    /* replace with a longer value (another size class), then a shorter one */
    char big[300];
    fill(big, sizeof big, 1, 2);
    EXPECT(mpr_dict_set(d, "x", 1, big, sizeof big), MPR_SUCCESS);
    void *got = NULL;
    EXPECT(mpr_dict_get_alloc(d, "x", 1, &got, &len), MPR_SUCCESS);
    CHECK(got && len == sizeof big && badbyte(got, len, 1, 2) == len, "get_alloc of 300 bytes");
    free(got);
    EXPECT(mpr_dict_set(d, "x", 1, "", 0), MPR_SUCCESS);
    EXPECT(mpr_dict_get(d, "x", 1, NULL, 0, &len), MPR_SUCCESS);
    CHECK(len == 0, "empty value has %zu bytes", len);
    EXPECT(mpr_dict_set(d, "", 0, "empty key", 9), MPR_SUCCESS);
    EXPECT(mpr_dict_contains(d, "", 0, &found), MPR_SUCCESS);
    CHECK(found == 1, "the empty key is not there");
    found = -1;
    EXPECT(mpr_dict_contains(d, NULL, 0, &found), MPR_SUCCESS); /* NULL with 0 bytes: "" */
    CHECK(found == 1, "the empty key is not there as NULL");
    EXPECT(mpr_dict_length(d, &count), MPR_SUCCESS);
    CHECK(count == 2, "length %zu, wanted 2", count);
    EXPECT(mpr_dict_pop(d, "", 0, buf, 4, &len), MPR_ERR_TRUNCATE);
    EXPECT(mpr_dict_pop(d, "", 0, buf, sizeof buf, &len), MPR_SUCCESS);
    CHECK(len == 9 && memcmp(buf, "empty key", 9) == 0, "pop got %.*s", (int)len, buf);
    EXPECT(mpr_dict_contains(d, "", 0, &found), MPR_SUCCESS);
    CHECK(found == 0, "popped key still there");
    EXPECT(mpr_dict_setdefault(d, "x", 1, "no", 2, &inserted), MPR_SUCCESS);
    CHECK(inserted == 0, "setdefault replaced a value");
    EXPECT(mpr_dict_setdefault(d, "y", 1, "yes", 3, &inserted), MPR_SUCCESS);
    CHECK(inserted == 1, "setdefault did not insert");
    int64_t v = 0;
    EXPECT(mpr_dict_add(d, "n", 1, 5, &v), MPR_SUCCESS);
    CHECK(v == 5, "add to an absent key gave %lld", (long long)v);
    EXPECT(mpr_dict_add(d, "n", 1, -7, &v), MPR_SUCCESS);
    CHECK(v == -2, "add gave %lld", (long long)v);
    EXPECT(mpr_dict_add(d, "y", 1, 1, &v), MPR_ERR_VALUE);
    int64_t x = 0;
    EXPECT(mpr_dict_get(d, "n", 1, &x, sizeof x, &len), MPR_SUCCESS);
    CHECK(x == -2 && len == 8, "n reads %lld", (long long)x);
    /* the largest value, through the service too */
    size_t maxv = MPR_DICT_VALUE_MAX;
    char *huge = xmalloc(maxv);
    fill(huge, maxv, 3, 4);
    EXPECT(mpr_dict_set(d, "huge", 4, huge, maxv), MPR_SUCCESS);
    memset(huge, 0, maxv);
    EXPECT(mpr_dict_get(d, "huge", 4, huge, maxv, &len), MPR_SUCCESS);
    CHECK(len == maxv && badbyte(huge, maxv, 3, 4) == maxv, "the largest value came back wrong");
    EXPECT(mpr_dict_get_alloc(d, "huge", 4, &got, &len), MPR_SUCCESS);
    CHECK(got && len == maxv && badbyte(got, len, 3, 4) == maxv, "get_alloc of the largest");
    free(got);
    free(huge);
    EXPECT(mpr_dict_delete(d, "huge", 4), MPR_SUCCESS);
    /* a snapshot: x, y, n */
    mpr_keys keys = NULL;
    EXPECT(mpr_dict_keys(d, &keys), MPR_SUCCESS);
    CHECK(mpr_keys_count(keys) == 3, "snapshot of %zu keys", mpr_keys_count(keys));
    int seen = 0;
    for (size_t i = 0; i < mpr_keys_count(keys); i++) {
        size_t kl = 0;
        const char *k = mpr_keys_get(keys, i, &kl);
        CHECK(k && kl == 1, "key %zu of %zu bytes", i, kl);
        if (k && kl == 1)
            seen |= *k == 'x' ? 1 : *k == 'y' ? 2 : *k == 'n' ? 4 : 8;
    }
    CHECK(seen == 7, "snapshot keys %#x", seen);
    CHECK(mpr_keys_get(keys, 3, NULL) == NULL, "key beyond the snapshot");
    EXPECT(mpr_dict_clear(d), MPR_SUCCESS);
    /* the snapshot does not change */
    CHECK(mpr_keys_count(keys) == 3, "snapshot changed");
    mpr_keys_free(&keys);
    CHECK(keys == NULL, "keys_free did not clear the handle");
    EXPECT(mpr_dict_length(d, &count), MPR_SUCCESS);
    CHECK(count == 0, "length %zu after clear", count);
    EXPECT(mpr_dict_get(d, "x", 1, buf, sizeof buf, &len), MPR_ERR_KEY);
}

static void check_together(mpr_dict d, int rounds)
{
    char key[32], val[64];
    for (int i = 0; i < rounds; i++) {
        EXPECT(mpr_dict_add(d, "counter", 7, 1, NULL), MPR_SUCCESS);
        key_of(key, sizeof key, me, i);
        size_t vlen = (size_t)(i % 50) + 1;
        fill(val, vlen, me, i);
        EXPECT(mpr_dict_set(d, key, strlen(key), val, vlen), MPR_SUCCESS);
        if (i % 2) { /* delete the one before */
            key_of(key, sizeof key, me, i - 1);
            EXPECT(mpr_dict_delete(d, key, strlen(key)), MPR_SUCCESS);
        }
    }
    int inserted = 0, wins = 0;
    EXPECT(mpr_dict_setdefault(d, "winner", 6, &me, sizeof me, &inserted), MPR_SUCCESS);
    MUST(mpr_allreduce(&inserted, &wins, 1, MPR_INT, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(wins == 1, "%d ranks won the setdefault race", wins);

    int64_t total = 0;
    size_t len = 0, count = 0;
    EXPECT(mpr_dict_get(d, "counter", 7, &total, sizeof total, &len), MPR_SUCCESS);
    CHECK(total == (int64_t)size * rounds, "counter %lld, wanted %lld", (long long)total,
          (long long)size * rounds);
    size_t mine = (size_t)rounds / 2 + (size_t)(rounds % 2);
    EXPECT(mpr_dict_length(d, &count), MPR_SUCCESS);
    CHECK(count == mine * (size_t)size + 2, "length %zu, wanted %zu", count,
          mine * (size_t)size + 2);
    /* every other rank's surviving keys hold what it set */
    for (int r = 0; r < size; r++) {
        for (int i = 0; i < rounds; i++) {
            key_of(key, sizeof key, r, i);
            int found = -1;
            EXPECT(mpr_dict_contains(d, key, strlen(key), &found), MPR_SUCCESS);
            bool want = i % 2 == 0 && i + 1 >= rounds ? true : i % 2 == 1;
            CHECK(found == want, "%s is %s", key, found ? "there" : "missing");
            if (found == 1 && i % 7 == 0) {
                EXPECT(mpr_dict_get(d, key, strlen(key), val, sizeof val, &len), MPR_SUCCESS);
                CHECK(len == (size_t)(i % 50) + 1 && badbyte(val, len, r, i) == len,
                      "%s holds the wrong value", key);
            }
        }
    }
    mpr_keys keys;
    EXPECT(mpr_dict_keys(d, &keys), MPR_SUCCESS);
    CHECK(mpr_keys_count(keys) == count, "snapshot of %zu keys, length %zu",
          mpr_keys_count(keys), count);
    mpr_keys_free(&keys);
}

static void check_full(void)
{
    mpr_dict d;
    MUST(mpr_dict_create(MPR_COMM_WORLD, 8, 4096, &d), MPR_SUCCESS);
    if (me == 0) {
        char key[16];
        int i, rc = MPR_SUCCESS;
        for (i = 0; i < 100 && rc == MPR_SUCCESS; i++) {
            snprintf(key, sizeof key, "k%d", i);
            rc = mpr_dict_set(d, key, strlen(key), &i, sizeof i);
        }
        CHECK(rc == MPR_ERR_FULL && i == 9, "entry 9 of 8 gave %s", mpr_error_name(rc));
        /* data room: 4096 bytes hold one record of 2100 bytes (a 4 KiB block), not two */
        EXPECT(mpr_dict_clear(d), MPR_SUCCESS);
        char val[2100];
        fill(val, sizeof val, 5, 6);
        EXPECT(mpr_dict_set(d, "a", 1, val, sizeof val), MPR_SUCCESS);
        EXPECT(mpr_dict_set(d, "b", 1, val, sizeof val), MPR_ERR_FULL);
        size_t len = 0, count = 0;
        char back[2100];
        EXPECT(mpr_dict_get(d, "a", 1, back, sizeof back, &len), MPR_SUCCESS);
        CHECK(len == sizeof back && badbyte(back, len, 5, 6) == len, "a changed by a full set");
        EXPECT(mpr_dict_length(d, &count), MPR_SUCCESS);
        CHECK(count == 1, "length %zu after a refused set", count);
        /* freed room is reused */
        EXPECT(mpr_dict_delete(d, "a", 1), MPR_SUCCESS);
        EXPECT(mpr_dict_set(d, "b", 1, val, sizeof val), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_dict_free(&d), MPR_SUCCESS);
}

static void check_namespace(int rounds)
{
    mpr_namespace ns = NULL;
    char name[MPR_NAMESPACE_NAME_MAX + 2], buf[16];
    size_t len = 0;
    int64_t v = 0;
    EXPECT(mpr_namespace_create(MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_namespace_free(&ns), MPR_ERR_ARG);
    MUST(mpr_namespace_create(MPR_COMM_WORLD, &ns), MPR_SUCCESS);
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    EXPECT(mpr_namespace_set(ns, name, "v", 1), MPR_ERR_ARG); /* too long */
    EXPECT(mpr_namespace_set(ns, "", "v", 1), MPR_ERR_ARG);
    EXPECT(mpr_namespace_set(ns, NULL, "v", 1), MPR_ERR_ARG);
    EXPECT(mpr_namespace_get(NULL, "x", buf, sizeof buf, &len), MPR_ERR_ARG);
    EXPECT(mpr_namespace_get_int(ns, "x", NULL), MPR_ERR_ARG);
    name[MPR_NAMESPACE_NAME_MAX] = '\0'; /* the longest name */
    if (me == 0) {
        EXPECT(mpr_namespace_get_int(ns, "x", &v), MPR_ERR_KEY);
        EXPECT(mpr_namespace_set_int(ns, "x", 10), MPR_SUCCESS);
        EXPECT(mpr_namespace_get_int(ns, "x", &v), MPR_SUCCESS);
        CHECK(v == 10, "ns.x = %lld", (long long)v);
        EXPECT(mpr_namespace_set(ns, name, "hello", 5), MPR_SUCCESS);
        EXPECT(mpr_namespace_get(ns, name, buf, sizeof buf, &len), MPR_SUCCESS);
        CHECK(len == 5 && memcmp(buf, "hello", 5) == 0, "the longest name's field");
        EXPECT(mpr_namespace_get_int(ns, name, &v), MPR_ERR_VALUE);
        EXPECT(mpr_namespace_delete(ns, name), MPR_SUCCESS);
        EXPECT(mpr_namespace_delete(ns, name), MPR_ERR_KEY);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    for (int i = 0; i < rounds; i++)
        EXPECT(mpr_namespace_add(ns, "x", 1, NULL), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_namespace_get_int(ns, "x", &v), MPR_SUCCESS);
    CHECK(v == 10 + (int64_t)size * rounds, "ns.x = %lld after the adds", (long long)v);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_namespace_free(&ns), MPR_SUCCESS);
    CHECK(ns == NULL, "free did not clear the handle");
}

static void basic(int rounds)
{
    check_bad_arguments();
    mpr_dict d;
    MUST(mpr_dict_create(MPR_COMM_WORLD, 0, 0, &d), MPR_SUCCESS);
    if (me == size - 1)
        check_calls(d);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    check_together(d, rounds);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_dict_free(&d), MPR_SUCCESS);
    check_full();
    check_namespace(rounds);
}

static void exit_now(int sig)
{
    (void)sig;
    _exit(0);
}

static void die_holding_the_lock(int victim)
{
    mpr_dict d;
    MUST(mpr_dict_create(MPR_COMM_WORLD, 0, 0, &d), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == victim) {
        long page = sysconf(_SC_PAGESIZE);
        char *mem = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        MUST(mem == MAP_FAILED ? -1 : 0, 0);
        MUST(mprotect(mem + page, (size_t)page, PROT_NONE), 0);
        signal(SIGSEGV, exit_now);
        usleep(100 * 1000); /* let the others be busy with the dict */
        mpr_dict_set(d, "poison", 6, mem + page - 100, 200); /* faults in the copy */
        failf(__LINE__, "the poisoned set returned");
        _exit(1);
    }
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    do {
        rc = mpr_dict_add(d, "counter", 7, 1, NULL);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (rc == MPR_SUCCESS && t.tv_sec - t0.tv_sec < 60);
    if (rc != MPR_ERR_PROC_FAILED) {
        failf(__LINE__, "adds went on or returned %s, wanted MPR_ERR_PROC_FAILED",
              mpr_error_name(rc));
        _exit(1);
    }
    char buf[8];
    EXPECT(mpr_dict_get(d, "counter", 7, buf, sizeof buf, NULL), MPR_ERR_PROC_FAILED);
    EXPECT(mpr_dict_set(d, "k", 1, "v", 1), MPR_ERR_PROC_FAILED);
    printf("rank %d: dict saw MPR_ERR_PROC_FAILED\n", me);
    rc = mpr_finalize();
    if (rc != MPR_SUCCESS && rc != MPR_ERR_PROC_FAILED)
        failf(__LINE__, "mpr_finalize after a peer died returned %s", mpr_error_name(rc));
    exit(failures ? 1 : 0);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    const char *mode = argc > 1 ? argv[1] : "basic";
    if (strcmp(mode, "die") == 0)
        die_holding_the_lock(argc > 3 ? atoi(argv[3]) : size - 1);
    basic(argc > 2 ? atoi(argv[2]) : 100);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    if (failures == 0 && me == 0)
        printf("obj_dict %s: OK\n", mode);
    return failures ? 1 : 0;
}
