/*
 * pipe_prodcons - a producer and a consumer joined by a one-way pipe
 * (Python: reader, writer = Pipe(duplex=False); the producer process
 * calls writer.send_bytes() for each item and writer.close(); the consumer
 * calls reader.recv_bytes() until EOFError).
 *
 *   mprun -n 2 ./examples/pipe_prodcons [ITEMS]
 *
 * Ranks pair up: rank 2k produces, rank 2k+1 consumes (an odd last rank
 * has no partner and only watches). The producer sends ITEMS messages
 * (default 10000) of different lengths, "item <n> " padded with dots to
 * n % 100 extra bytes, then closes its end. The consumer receives them
 * into memory the library allocates until the end of the stream, checks
 * each one and the count, and says how many it got.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "example_util.h"

enum { PIPE_ID = 1 };

/* Item n: "item <n> " and n % 100 dots. Returns its length. */
static size_t make_item(long n, char *buf, size_t cap)
{
    int len = snprintf(buf, cap, "item %ld ", n);
    size_t dots = (size_t)(n % 100);
    memset(buf + len, '.', dots);
    return (size_t)len + dots;
}

static void produce(int consumer, long items)
{
    mpr_pipe writer;
    check(mpr_pipe_open(MPR_COMM_WORLD, consumer, PIPE_ID, MPR_PIPE_WRITE, &writer),
          "mpr_pipe_open");
    char buf[160];
    for (long n = 0; n < items; n++)
        check(mpr_pipe_send(writer, buf, make_item(n, buf, sizeof buf)), "mpr_pipe_send");
    check(mpr_pipe_close(&writer), "mpr_pipe_close"); /* the consumer sees EOF */
}

static int consume(int rank, int producer, long items)
{
    mpr_pipe reader;
    check(mpr_pipe_open(MPR_COMM_WORLD, producer, PIPE_ID, MPR_PIPE_READ, &reader),
          "mpr_pipe_open");
    long got = 0, wrong = 0;
    for (;;) {
        void *msg;
        size_t len;
        int rc = mpr_pipe_recv_alloc(reader, &msg, &len, MPR_WAIT_FOREVER);
        if (rc == MPR_ERR_EOF)
            break; /* the producer closed its end: everything has come */
        check(rc, "mpr_pipe_recv_alloc");
        char want[160];
        size_t want_len = make_item(got, want, sizeof want);
        if (len != want_len || memcmp(msg, want, len) != 0)
            wrong++;
        free(msg);
        got++;
    }
    check(mpr_pipe_close(&reader), "mpr_pipe_close");
    int ok = got == items && wrong == 0;
    printf("pipe_prodcons: rank %d got %ld of %ld items from rank %d, %ld wrong (%s)\n", rank,
           got, items, producer, wrong, ok ? "correct" : "WRONG");
    return ok;
}

int main(int argc, char **argv)
{
    int rank, size;
    example_start("pipe_prodcons", &argc, &argv, &rank, &size);
    long items = arg_long(argc, argv, 1, 10000);
    int partner = rank ^ 1;
    int ok = 1;
    if (size < 2 && rank == 0)
        printf("pipe_prodcons: needs 2 ranks or more (mprun -n 2)\n");
    else if (partner >= size)
        printf("pipe_prodcons: rank %d has no partner\n", rank);
    else if (rank % 2 == 0)
        produce(partner, items);
    else
        ok = consume(rank, partner, items);
    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
