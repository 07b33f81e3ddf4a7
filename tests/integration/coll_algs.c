/*
 * coll_algs - barrier and bcast on MPR_COMM_WORLD and on communicators
 * from mpr_comm_split (odd/even, one rank alone, rank % 3) and
 * mpr_comm_dup, whatever algorithm MPR_COLL_BARRIER / MPR_COLL_BCAST
 * force:
 *  - bcast from every root of sizes around the shared-memory slot size
 *    and ring (0, 1, odd, 64 KiB +- 1, 512 KiB + 5, 1 MiB + 13), guard
 *    bytes after the buffer;
 *  - a short receiver (the rank that comes last from the root) gets the
 *    first bytes and MPR_ERR_TRUNCATE, the others at least as many (with
 *    `strict`: everything, as on one host through shared memory); with
 *    MPR_CHECK=1 every rank gets MPR_ERR_COLL_MISMATCH instead;
 *  - barriers that really wait (files made before the barrier must be seen
 *    by every member after it; some ranks are late);
 *  - hundreds of small bcasts and barriers back to back on alternating
 *    communicators, with point-to-point messages in flight across them.
 *
 *   mprun -n N coll_algs [quick] [strict]   (N = 1..8; quick: fewer sizes)
 *
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1.
 */
#include <mpr.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

enum { GUARD = 32, GUARDBYTE = 0x5a };

static int world_size;
static bool strict;
static char dir[256];

static void one_bcast(mpr_comm comm, const char *what, size_t len, int root, int salt,
                      size_t short_len)
{
    int rank, size;
    mpr_comm_rank(comm, &rank);
    mpr_comm_size(comm, &size);
    bool is_short = short_len < len && rank == (root + size - 1) % size && size > 1;
    size_t mylen = is_short ? short_len : len;
    unsigned char *buf = xmalloc(mylen + GUARD);
    if (rank == root)
        fill(buf, len, root, salt);
    else
        memset(buf, 0, mylen);
    memset(buf + mylen, GUARDBYTE, GUARD);
    int rc = mpr_bcast(buf, mylen, root, comm);
    int want = is_short ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
    bool refused = coll_checking() && short_len < len && size > 1;
    if (refused)
        want = MPR_ERR_COLL_MISMATCH; /* every rank, and nothing moved */
    if (rc != want) {
        failf(__LINE__, "%s: bcast of %zu bytes (mine %zu) from root %d returned %s", what, len,
              mylen, root, mpr_error_name(rc));
        die();
    }
    if (refused) {
        free(buf);
        return;
    }
    size_t bad = badbyte(buf, mylen, root, salt);
    if (!strict && short_len < len && bad >= short_len)
        bad = mylen; /* others may get only what the short rank got (include/mpr.h) */
    if (bad != mylen)
        failf(__LINE__, "%s: bcast of %zu bytes (mine %zu) from root %d: byte %zu is %#x, "
              "wanted %#x", what, len, mylen, root, bad, buf[bad], pat(root, salt, bad));
    for (size_t i = 0; i < GUARD; i++)
        if (buf[mylen + i] != GUARDBYTE) {
            failf(__LINE__, "%s: bcast of %zu bytes from root %d wrote past the buffer", what,
                  len, root);
            break;
        }
    free(buf);
}

static void bcasts(mpr_comm comm, const char *what, bool quick)
{
    /* around the default slot (64 KiB) and ring (8 slots) */
    static const size_t lens[] = {0, 1, 7, 63, 64, 65, 65535, 65536, 65537, 65536 * 8 + 5,
                                  (1 << 20) + 13};
    static const size_t quick_lens[] = {0, 1, 7, 65537, (1 << 20) + 13};
    const size_t *l = quick ? quick_lens : lens;
    size_t nl = quick ? sizeof quick_lens / sizeof *l : sizeof lens / sizeof *l;
    int size;
    mpr_comm_size(comm, &size);
    for (int root = 0; root < size; root++) {
        for (size_t k = 0; k < nl; k++)
            one_bcast(comm, what, l[k], root, (int)k, l[k]);
        EXPECT(mpr_bcast(NULL, 0, root, comm), MPR_SUCCESS);
        one_bcast(comm, what, 40000, root, 77, 1000);  /* the last member is short */
        one_bcast(comm, what, 10, root, 78, 0);
    }
}

static void path(char *out, size_t len, const char *tag, int rank, int round)
{
    snprintf(out, len, "%s/%s.%d.%d", dir, tag, rank, round);
}

/* Files made before the barrier are all there after it. */
static void barriers(mpr_comm comm, const char *tag)
{
    int rank, size;
    mpr_comm_rank(comm, &rank);
    mpr_comm_size(comm, &size);
    for (int round = 0; round < 12; round++) {
        char p[400];
        if ((round + rank) % 3 == 0)
            usleep(1000 + 500 * rank);
        path(p, sizeof p, tag, rank, round);
        int fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0600);
        if (fd < 0) {
            failf(__LINE__, "cannot create %s", p);
            die();
        }
        close(fd);
        MUST(mpr_barrier(comm), MPR_SUCCESS);
        for (int r = 0; r < size; r++) {
            struct stat sb;
            path(p, sizeof p, tag, r, round);
            if (stat(p, &sb) != 0)
                failf(__LINE__, "%s round %d: left the barrier before rank %d entered it", tag,
                      round, r);
        }
    }
    MUST(mpr_barrier(comm), MPR_SUCCESS);
    for (int round = 0; round < 12; round++) {
        char p[400];
        path(p, sizeof p, tag, rank, round);
        unlink(p);
    }
}

/* Back to back on two communicators, point-to-point messages in flight. */
static void back_to_back(mpr_comm a, mpr_comm b)
{
    int right = (me + 1) % world_size, left = (me + world_size - 1) % world_size;
    for (int i = 0; i < 300; i++) {
        mpr_comm c = i % 3 == 2 ? b : a;
        int size, rank;
        mpr_comm_size(c, &size);
        mpr_comm_rank(c, &rank);
        int token = me * 1000 + i, got = -1;
        mpr_request sreq, rreq;
        MUST(mpr_irecv(&got, sizeof got, left, i % 7, MPR_COMM_WORLD, &rreq), MPR_SUCCESS);
        MUST(mpr_isend(&token, sizeof token, right, i % 7, MPR_COMM_WORLD, &sreq), MPR_SUCCESS);
        uint64_t v[3] = {0};
        int root = i % size;
        if (rank == root)
            v[0] = v[1] = v[2] = (uint64_t)i * 7919u + (uint64_t)root;
        MUST(mpr_bcast(v, sizeof v, root, c), MPR_SUCCESS);
        CHECK(v[0] == (uint64_t)i * 7919u + (uint64_t)root && v[2] == v[0],
              "back to back %d: bcast gave %llu", i, (unsigned long long)v[0]);
        if (i % 5 == 0)
            MUST(mpr_barrier(c), MPR_SUCCESS);
        MUST(mpr_wait(&sreq, NULL), MPR_SUCCESS);
        MUST(mpr_wait(&rreq, NULL), MPR_SUCCESS);
        CHECK(got == left * 1000 + i, "back to back %d: got %d from the left", i, got);
    }
    for (int i = 0; i < 500; i++)
        MUST(mpr_barrier(i % 2 ? a : b), MPR_SUCCESS);
}

static mpr_comm split(int color, int key)
{
    mpr_comm c;
    MUST(mpr_comm_split(MPR_COMM_WORLD, color, key, &c), MPR_SUCCESS);
    return c;
}

int main(int argc, char **argv)
{
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        quick |= strcmp(argv[i], "quick") == 0;
        strict |= strcmp(argv[i], "strict") == 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &world_size), MPR_SUCCESS);

    memset(dir, 0, sizeof dir);
    if (me == 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/mprtest-algs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            failf(__LINE__, "mkdtemp %s failed", dir);
            die();
        }
    }
    MUST(mpr_bcast(dir, sizeof dir, 0, MPR_COMM_WORLD), MPR_SUCCESS);

    mpr_comm parity = split(me % 2, me);
    mpr_comm alone = split(me == 0 ? 0 : 1, -me);  /* one rank, and the rest reversed */
    mpr_comm thirds = split(me % 3, me);
    mpr_comm dup;
    MUST(mpr_comm_dup(MPR_COMM_WORLD, &dup), MPR_SUCCESS);

    bcasts(MPR_COMM_WORLD, "world", quick);
    bcasts(parity, "parity", quick);
    bcasts(alone, "alone", true);
    bcasts(thirds, "thirds", true);
    bcasts(dup, "dup", true);

    char tag[32];
    barriers(MPR_COMM_WORLD, "world");
    snprintf(tag, sizeof tag, "parity%d", me % 2);
    barriers(parity, tag);
    snprintf(tag, sizeof tag, "alone%d", me == 0);
    barriers(alone, tag);
    snprintf(tag, sizeof tag, "thirds%d", me % 3);
    barriers(thirds, tag);

    back_to_back(MPR_COMM_WORLD, parity);
    back_to_back(dup, thirds);

    MUST(mpr_comm_free(&parity), MPR_SUCCESS);
    MUST(mpr_comm_free(&alone), MPR_SUCCESS);
    MUST(mpr_comm_free(&thirds), MPR_SUCCESS);
    /* a fresh communicator after frees: new state, new segment */
    mpr_comm again = split(me % 2, -me);
    bcasts(again, "again", true);
    MUST(mpr_comm_free(&again), MPR_SUCCESS);
    MUST(mpr_comm_free(&dup), MPR_SUCCESS);

    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == 0 && rmdir(dir) != 0)
        failf(__LINE__, "cannot remove %s (files left: a barrier returned early?)", dir);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
