/*
 * p2p_flood - flow control for unexpected messages (core/flow.c): floods
 * finish, every byte arrives in order, and the receiver's memory stays
 * bounded however much was sent before its receives were posted.
 *
 *   mprun -n N p2p_flood flood M LEN MAX_MIB
 *       every rank but 0 posts M isends of LEN bytes to rank 0 and then a
 *       last message on another tag; rank 0 first receives every sender's
 *       last message (so all M of each are announced to it, unreceived),
 *       then receives them all in order. Its peak resident memory (VmHWM)
 *       must stay under MAX_MIB MiB.
 *   mprun -n N p2p_flood blocking M LEN MAX_MIB
 *       the same with blocking sends; rank 0 sleeps a second before it
 *       receives (the sends pile up meanwhile; nothing is timed).
 *   mprun -n N p2p_flood sendall M LEN MAX_MIB
 *       every rank posts M isends of LEN bytes to every other rank, then
 *       receives everything (half with ANY_SOURCE, the rest by source), then
 *       waits for its sends; every rank's VmHWM stays under MAX_MIB MiB.
 * Exits 0 when every check passes.
 */
#include <mpr.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { TAG_DATA = 1, TAG_LAST = 2 };

static int size;

static void fill_msg(unsigned char *buf, size_t len, int from, int to, long seq)
{
    uint32_t x = (uint32_t)from * 2654435761u ^ (uint32_t)to * 40503u ^ (uint32_t)seq * 97u;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    if (len >= sizeof(int32_t) * 2) {
        int32_t head[2] = { from, (int32_t)seq };
        memcpy(buf, head, sizeof(head));
    }
}

static long vm_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kib = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void check_memory(long max_mib, const char *what)
{
    long hwm = vm_kib("VmHWM");
    printf("rank %d: %s: VmHWM %ld KiB, VmRSS %ld KiB\n", me, what, hwm, vm_kib("VmRSS"));
#ifdef UNDER_ASAN
    /* AddressSanitizer's shadow and quarantine (freed blocks kept
     * resident) say nothing of mpr's bound: not checked there. */
    (void)max_mib;
    return;
#endif
    CHECK(hwm > 0 && hwm < max_mib * 1024, "%s: peak resident memory %ld KiB, bound %ld MiB",
          what, hwm, max_mib);
}

/* Receive M messages of len bytes from `from` (a rank or MPR_ANY_SOURCE,
 * then each sender's messages still come in order) and check them. */
static void receive_all(long m, size_t len, int from, long *next_seq, unsigned char *got,
                        unsigned char *want)
{
    for (long i = 0; i < m; i++) {
        mpr_status st;
        EXPECT(mpr_recv(got, len, from, TAG_DATA, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        int src = st.source;
        if (src < 0 || src >= size || st.count != len) {
            CHECK(0, "message %ld: source %d, %zu bytes", i, src, st.count);
            continue;
        }
        fill_msg(want, len, src, me, next_seq[src]);
        CHECK(memcmp(got, want, len) == 0, "message %ld from rank %d (seq %ld) differs", i, src,
              next_seq[src]);
        next_seq[src]++;
    }
}

static void post_sends(long m, size_t len, int to, unsigned char *bufs, mpr_request *reqs)
{
    for (long i = 0; i < m; i++) {
        unsigned char *b = bufs + (size_t)i * len;
        fill_msg(b, len, me, to, i);
        MUST(mpr_isend(b, len, to, TAG_DATA, MPR_COMM_WORLD, &reqs[i]), MPR_SUCCESS);
    }
}

static void flood(long m, size_t len, long max_mib, bool blocking)
{
    unsigned char *got = malloc(len + 1), *want = malloc(len + 1);
    long *next_seq = calloc((size_t)size, sizeof(long));
    if (me != 0) {
        if (blocking) {
            unsigned char *b = malloc(len + 1);
            for (long i = 0; i < m; i++) {
                fill_msg(b, len, me, 0, i);
                MUST(mpr_send(b, len, 0, TAG_DATA, MPR_COMM_WORLD), MPR_SUCCESS);
            }
            free(b);
        } else {
            unsigned char *bufs = malloc((size_t)m * len + 1);
            mpr_request *reqs = calloc((size_t)m, sizeof(*reqs));
            post_sends(m, len, 0, bufs, reqs);
            int last = me;
            MUST(mpr_send(&last, sizeof(last), 0, TAG_LAST, MPR_COMM_WORLD), MPR_SUCCESS);
            MUST(mpr_waitall((int)m, reqs, NULL), MPR_SUCCESS);
            free(reqs);
            free(bufs);
        }
    } else {
        if (blocking) {
            sleep(1);
        } else {
            for (int s = 1; s < size; s++) {
                int last = -1;
                EXPECT(mpr_recv(&last, sizeof(last), s, TAG_LAST, MPR_COMM_WORLD, NULL),
                       MPR_SUCCESS);
                CHECK(last == s, "last message from rank %d says %d", s, last);
            }
        }
        receive_all(m * (size - 1), len, MPR_ANY_SOURCE, next_seq, got, want);
        for (int s = 1; s < size; s++)
            CHECK(next_seq[s] == m, "%ld messages from rank %d, wanted %ld", next_seq[s], s, m);
        check_memory(max_mib, blocking ? "blocking flood" : "flood");
    }
    free(next_seq);
    free(got);
    free(want);
}

static void sendall(long m, size_t len, long max_mib)
{
    int peers = size - 1;
    unsigned char *bufs = malloc((size_t)peers * (size_t)m * len + 1);
    mpr_request *reqs = calloc((size_t)peers * (size_t)m, sizeof(*reqs));
    unsigned char *got = malloc(len + 1), *want = malloc(len + 1);
    long *next_seq = calloc((size_t)size, sizeof(long));
    int k = 0;
    for (int to = 0; to < size; to++) {
        if (to == me)
            continue;
        post_sends(m, len, to, bufs + (size_t)k * (size_t)m * len, reqs + (size_t)k * (size_t)m);
        k++;
    }
    long half = (long)peers * m / 2;
    receive_all(half, len, MPR_ANY_SOURCE, next_seq, got, want);
    for (int from = 0; from < size; from++)
        if (from != me)
            receive_all(m - next_seq[from], len, from, next_seq, got, want);
    MUST(mpr_waitall(peers * (int)m, reqs, NULL), MPR_SUCCESS);
    for (int s = 0; s < size; s++)
        if (s != me)
            CHECK(next_seq[s] == m, "%ld messages from rank %d, wanted %ld", next_seq[s], s, m);
    check_memory(max_mib, "send all, then receive all");
    free(next_seq);
    free(got);
    free(want);
    free(reqs);
    free(bufs);
}

int main(int argc, char **argv)
{
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    mpr_comm_size(MPR_COMM_WORLD, &size);
    if (argc < 5) {
        fprintf(stderr, "usage: p2p_flood flood|blocking|sendall M LEN MAX_MIB\n");
        return 2;
    }
    long m = atol(argv[2]), max_mib = atol(argv[4]);
    size_t len = (size_t)atol(argv[3]);
    if (size < 2) {
        fprintf(stderr, "p2p_flood needs 2 ranks or more\n");
        return 2;
    }
    if (strcmp(argv[1], "flood") == 0)
        flood(m, len, max_mib, false);
    else if (strcmp(argv[1], "blocking") == 0)
        flood(m, len, max_mib, true);
    else if (strcmp(argv[1], "sendall") == 0)
        sendall(m, len, max_mib);
    else
        return 2;
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
