/*
 * pingpong - ranks 0 and 1 bounce a message back and forth, check its
 * content every time, and rank 0 prints the average round trip.
 *
 *   mprun -n 2 ./examples/pingpong [BYTES [ROUND_TRIPS]]
 *
 * BYTES defaults to 1024 and ROUND_TRIPS to 1000. Rank 1 learns the size
 * with mpr_probe instead of being told. Ranks above 1 just wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"

enum { TAG_PING = 1, TAG_PONG = 2 };

static void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "pingpong: %s failed: %s\n", what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
    exit(1);
}

/* The byte at position i of round trip `trip`: changes every trip, so a
 * stale buffer does not pass for a fresh one. */
static unsigned char pattern(long trip, size_t i)
{
    return (unsigned char)(trip * 31 + i * 7 + (i >> 8));
}

static void fill(unsigned char *buf, size_t len, long trip)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern(trip, i);
}

/* Returns 1 if buf holds the pattern of `trip`, else reports and returns 0. */
static int holds(const unsigned char *buf, size_t len, long trip, int rank)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != pattern(trip, i)) {
            fprintf(stderr, "pingpong: rank %d, round trip %ld: byte %zu is %u, "
                            "expected %u\n", rank, trip, i, buf[i], pattern(trip, i));
            return 0;
        }
    }
    return 1;
}

static int parse_count(const char *text, long *value)
{
    char *end;
    long parsed = strtol(text, &end, 10);
    if (end == text || *end != '\0' || parsed < 0)
        return -1;
    *value = parsed;
    return 0;
}

int main(int argc, char **argv)
{
    int rank, size;
    long bytes = 1024, trips = 1000;

    check(mpr_init(&argc, &argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, &rank), "mpr_comm_rank");
    check(mpr_comm_size(MPR_COMM_WORLD, &size), "mpr_comm_size");

    if ((argc > 1 && parse_count(argv[1], &bytes) != 0) ||
        (argc > 2 && parse_count(argv[2], &trips) != 0) || trips < 1 || size < 2) {
        if (rank == 0)
            fprintf(stderr, "usage: mprun -n 2 ./examples/pingpong [BYTES [ROUND_TRIPS]]\n"
                            "(at least 2 ranks, ROUND_TRIPS >= 1)\n");
        check(mpr_finalize(), "mpr_finalize");
        return 2;
    }

    int ok = 1;
    if (rank == 0) {
        unsigned char *out = malloc(bytes > 0 ? (size_t)bytes : 1);
        unsigned char *in = malloc(bytes > 0 ? (size_t)bytes : 1);
        if (!out || !in) {
            fprintf(stderr, "pingpong: out of memory\n");
            mpr_abort(MPR_COMM_WORLD, 1);
            return 1;
        }
        double elapsed = 0;
        /* Finish every round trip even after a bad one: rank 1 expects them all. */
        for (long trip = 0; trip < trips; trip++) {
            fill(out, (size_t)bytes, trip);
            memset(in, 0, (size_t)bytes);
            double start = mpr_wtime();
            check(mpr_send(out, (size_t)bytes, 1, TAG_PING, MPR_COMM_WORLD), "mpr_send");
            check(mpr_recv(in, (size_t)bytes, 1, TAG_PONG, MPR_COMM_WORLD,
                           MPR_STATUS_IGNORE), "mpr_recv");
            elapsed += mpr_wtime() - start;
            if (ok)
                ok = holds(in, (size_t)bytes, trip, rank);
        }
        if (ok)
            printf("pingpong: %ld bytes, %ld round trips, %.2f us per round trip\n",
                   bytes, trips, elapsed / (double)trips * 1e6);
        free(out);
        free(in);
    } else if (rank == 1) {
        /* Ask how big the first message is, then size the buffer to it. */
        mpr_status status;
        check(mpr_probe(0, TAG_PING, MPR_COMM_WORLD, &status), "mpr_probe");
        unsigned char *buf = malloc(status.count > 0 ? status.count : 1);
        if (!buf) {
            fprintf(stderr, "pingpong: out of memory\n");
            mpr_abort(MPR_COMM_WORLD, 1);
            return 1;
        }
        for (long trip = 0; trip < trips; trip++) {
            check(mpr_recv(buf, status.count, 0, TAG_PING, MPR_COMM_WORLD,
                           MPR_STATUS_IGNORE), "mpr_recv");
            /* Echo even a bad message, so rank 0 is not left waiting. */
            if (ok)
                ok = holds(buf, status.count, trip, rank);
            check(mpr_send(buf, status.count, 0, TAG_PONG, MPR_COMM_WORLD), "mpr_send");
        }
        free(buf);
    }

    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
