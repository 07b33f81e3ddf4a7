/*
 * measure.c - mpr-tune-measure: time one collective over a list of sizes,
 * with whatever algorithm MPR_COLL_<NAME> forces (mpr-tune sets it), each
 * result checked against the expected one. Run under mprun by mpr-tune:
 *
 *   mprun -n 4 -x MPR_COLL_BCAST=chain mpr-tune-measure bcast 1,64,4096
 *
 * Rank 0 prints one line per size, "<bytes> <seconds per call>" (the
 * slowest rank's mean), the best of --reps repetitions of a timed loop;
 * each repetition starts with one checked call. A wrong result: a line on stderr, exit status 3. Sizes are
 * what the tuning file's rules count (coll.h): the message for bcast, the
 * vector for reduce and allreduce (at least one 4-byte element), one
 * rank's block for gather, scatter, allgather and alltoall.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"

enum coll { BARRIER, BCAST, REDUCE, ALLREDUCE, GATHER, SCATTER, ALLGATHER, ALLTOALL };
static const char *const coll_names[] = { "barrier", "bcast",     "reduce",    "allreduce",
                                          "gather",  "scatter",  "allgather", "alltoall", NULL };

struct run {
    enum coll coll;
    int rank, size;
    size_t len;          /* bytes, as the rule counts them */
    size_t count;        /* reduce, allreduce: int32 elements */
    unsigned char *send, *recv;
    size_t send_len, recv_len;
};

static unsigned char pattern(unsigned seed, int from, int to, size_t i)
{
    return (unsigned char)(seed * 131u + (unsigned)from * 31u + (unsigned)to * 7u + i * 13u);
}

static int32_t element(unsigned seed, int rank, size_t i)
{
    return (int32_t)(seed * 1000003u + (unsigned)rank * 7919u + (unsigned)i);
}

/* Fill the send side for repetition seed, and spoil the receive side. */
static void prepare(struct run *r, unsigned seed)
{
    memset(r->recv, 0xa5, r->recv_len);
    switch (r->coll) {
    case BARRIER:
        break;
    case BCAST:
        if (r->rank == 0)
            for (size_t i = 0; i < r->len; i++)
                r->recv[i] = pattern(seed, 0, 0, i);
        break;
    case REDUCE:
    case ALLREDUCE:
        for (size_t i = 0; i < r->count; i++) {
            int32_t v = element(seed, r->rank, i);
            memcpy(r->send + i * 4, &v, 4);
        }
        break;
    case GATHER:
    case ALLGATHER:
        for (size_t i = 0; i < r->len; i++)
            r->send[i] = pattern(seed, r->rank, 0, i);
        break;
    case SCATTER:
    case ALLTOALL:
        if (r->coll == ALLTOALL || r->rank == 0)
            for (int d = 0; d < r->size; d++)
                for (size_t i = 0; i < r->len; i++)
                    r->send[(size_t)d * r->len + i] = pattern(seed, r->rank, d, i);
        break;
    }
}

static bool verify(const struct run *r, unsigned seed)
{
    switch (r->coll) {
    case BARRIER:
        return true;
    case BCAST:
        for (size_t i = 0; i < r->len; i++)
            if (r->recv[i] != pattern(seed, 0, 0, i))
                return false;
        return true;
    case REDUCE:
    case ALLREDUCE:
        if (r->coll == REDUCE && r->rank != 0)
            return true;
        for (size_t i = 0; i < r->count; i++) {
            uint32_t want = 0; /* the sum wraps: computed unsigned */
            for (int k = 0; k < r->size; k++)
                want += (uint32_t)element(seed, k, i);
            int32_t got;
            memcpy(&got, r->recv + i * 4, 4);
            if ((uint32_t)got != want)
                return false;
        }
        return true;
    case GATHER:
    case ALLGATHER:
        if (r->coll == GATHER && r->rank != 0)
            return true;
        for (int k = 0; k < r->size; k++)
            for (size_t i = 0; i < r->len; i++)
                if (r->recv[(size_t)k * r->len + i] != pattern(seed, k, 0, i))
                    return false;
        return true;
    case SCATTER:
        for (size_t i = 0; i < r->len; i++)
            if (r->recv[i] != pattern(seed, 0, r->rank, i))
                return false;
        return true;
    case ALLTOALL:
        for (int k = 0; k < r->size; k++)
            for (size_t i = 0; i < r->len; i++)
                if (r->recv[(size_t)k * r->len + i] != pattern(seed, k, r->rank, i))
                    return false;
        return true;
    }
    return false;
}

static int call(struct run *r)
{
    switch (r->coll) {
    case BARRIER:
        return mpr_barrier(MPR_COMM_WORLD);
    case BCAST:
        return mpr_bcast(r->recv, r->len, 0, MPR_COMM_WORLD);
    case REDUCE:
        return mpr_reduce(r->send, r->recv, r->count, MPR_INT32, MPR_SUM, 0, MPR_COMM_WORLD);
    case ALLREDUCE:
        return mpr_allreduce(r->send, r->recv, r->count, MPR_INT32, MPR_SUM, MPR_COMM_WORLD);
    case GATHER:
        return mpr_gather(r->send, r->len, r->recv, 0, MPR_COMM_WORLD);
    case SCATTER:
        return mpr_scatter(r->send, r->len, r->recv, 0, MPR_COMM_WORLD);
    case ALLGATHER:
        return mpr_allgather(r->send, r->len, r->recv, MPR_COMM_WORLD);
    case ALLTOALL:
        return mpr_alltoall(r->send, r->len, r->recv, MPR_COMM_WORLD);
    }
    return MPR_ERR_ARG;
}

static int setup(struct run *r, size_t len)
{
    size_t n = (size_t)r->size;
    r->len = len;
    r->count = len < 4 ? 1 : len / 4;
    switch (r->coll) {
    case BARRIER:
        r->send_len = r->recv_len = 1;
        break;
    case BCAST:
        r->send_len = 1;
        r->recv_len = len;
        break;
    case REDUCE:
    case ALLREDUCE:
        r->send_len = r->recv_len = r->count * 4;
        break;
    case GATHER:
    case ALLGATHER:
        r->send_len = len;
        r->recv_len = len * n;
        break;
    case SCATTER:
        r->send_len = len * n;
        r->recv_len = len;
        break;
    case ALLTOALL:
        r->send_len = r->recv_len = len * n;
        break;
    }
    r->send = malloc(r->send_len);
    r->recv = malloc(r->recv_len);
    return r->send && r->recv ? MPR_SUCCESS : MPR_ERR_NO_MEM;
}

/* One checked call, then `iters` timed ones; the slowest rank's time. */
static int repetition(struct run *r, unsigned seed, int iters, double *seconds)
{
    prepare(r, seed);
    int rc = call(r);
    if (rc != MPR_SUCCESS)
        return rc;
    int ok = verify(r, seed), all_ok;
    if ((rc = mpr_allreduce(&ok, &all_ok, 1, MPR_INT32, MPR_MIN, MPR_COMM_WORLD)) != MPR_SUCCESS)
        return rc;
    if (!all_ok) {
        if (!ok)
            fprintf(stderr, "mpr-tune-measure: rank %d: %s of %zu bytes gave a wrong result\n",
                    r->rank, coll_names[r->coll], r->len);
        return MPR_ERR_INTERNAL; /* said above */
    }
    /* As the OSU benchmarks do: a barrier before each call, so that a call
     * is timed from a common start and calls do not pile up; the barrier
     * itself is timed in a loop of barriers. */
    double mine = 0;
    if (r->coll == BARRIER) {
        double t0 = mpr_wtime();
        for (int i = 0; i < iters && rc == MPR_SUCCESS; i++)
            rc = call(r);
        mine = mpr_wtime() - t0;
    } else {
        for (int i = 0; i < iters && rc == MPR_SUCCESS; i++) {
            if ((rc = mpr_barrier(MPR_COMM_WORLD)) != MPR_SUCCESS)
                break;
            double t0 = mpr_wtime();
            rc = call(r);
            mine += mpr_wtime() - t0;
        }
    }
    mine /= iters;
    if (rc != MPR_SUCCESS)
        return rc;
    return mpr_allreduce(&mine, seconds, 1, MPR_DOUBLE, MPR_MAX, MPR_COMM_WORLD);
}

static int measure(struct run *r, size_t len, int reps, double target, double *best)
{
    int rc = setup(r, len);
    /* How many calls fill `target` seconds, from rank 0's second call. */
    int iters = 1;
    double t = 0;
    if (rc == MPR_SUCCESS)
        rc = repetition(r, 1, 1, &t);
    if (rc == MPR_SUCCESS)
        rc = repetition(r, 2, 1, &t);
    if (rc == MPR_SUCCESS) {
        double want = t > 0 ? target / t : 1000;
        iters = want < 1 ? 1 : want > 1000 ? 1000 : (int)want;
        rc = mpr_bcast(&iters, sizeof(iters), 0, MPR_COMM_WORLD);
    }
    *best = 0;
    for (int k = 0; k < reps && rc == MPR_SUCCESS; k++) {
        rc = repetition(r, 3 + (unsigned)k, iters, &t);
        if (rc == MPR_SUCCESS && (k == 0 || t < *best))
            *best = t;
    }
    free(r->send);
    free(r->recv);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: mpr-tune-measure [--reps R] [--target-ms T] COLLECTIVE SIZE[,SIZE...]\n"
                    "  COLLECTIVE: barrier bcast reduce allreduce gather scatter allgather alltoall\n");
    return 2;
}

int main(int argc, char **argv)
{
    int reps = 3;
    double target = 0.02;
    int a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        if (strcmp(argv[a], "--reps") == 0)
            reps = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "--target-ms") == 0)
            target = atof(argv[a + 1]) / 1000;
        else
            return usage();
    }
    if (argc - a != 2 || reps < 1 || reps > 100 || !(target > 0 && target < 10))
        return usage();
    struct run r = { .coll = BARRIER };
    int c = 0;
    while (coll_names[c] && strcmp(coll_names[c], argv[a]) != 0)
        c++;
    if (!coll_names[c])
        return usage();
    r.coll = (enum coll)c;

    int rc = mpr_init(&argc, &argv);
    if (rc != MPR_SUCCESS) {
        fprintf(stderr, "mpr-tune-measure: mpr_init: %s\n", mpr_strerror(rc));
        return 1;
    }
    mpr_comm_rank(MPR_COMM_WORLD, &r.rank);
    mpr_comm_size(MPR_COMM_WORLD, &r.size);
    char *list = strdup(argv[a + 1]), *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok && rc == MPR_SUCCESS;
         tok = strtok_r(NULL, ",", &save)) {
        char *end;
        unsigned long long len = strtoull(tok, &end, 10);
        if (*end || len > (1ull << 30)) {
            rc = MPR_ERR_ARG;
            break;
        }
        double best;
        rc = measure(&r, (size_t)len, reps, target, &best);
        if (rc == MPR_SUCCESS && r.rank == 0) {
            printf("%llu %.9f\n", len, best);
            fflush(stdout);
        }
    }
    free(list);
    if (rc != MPR_SUCCESS) {
        fprintf(stderr, "mpr-tune-measure: rank %d: %s: %s\n", r.rank, coll_names[r.coll],
                mpr_strerror(rc));
        mpr_finalize();
        return 3;
    }
    return mpr_finalize() == MPR_SUCCESS ? 0 : 1;
}
