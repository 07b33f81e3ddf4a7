/*
 * p2p_order - ordering under load: every rank but 0 sends M messages (mixed
 * tags, mostly small, some 100 KiB) to rank 0, which checks that per
 * (sender, tag) the sequence numbers in the payloads arrive in order, with
 * nothing lost or duplicated.
 *
 *   mprun -n N p2p_order [M]        (M defaults to 2000)
 *
 * With one rank, rank 0 is its own only sender: it sends all M messages to
 * itself (through the self transport, which completes every send at once),
 * then receives them as above.
 *
 * Phase A: blocking sends; rank 0 receives with ANY_SOURCE/ANY_TAG only
 * (a specific receive could wait on a large send queued behind another).
 * Phase B: all M sends posted as isends, then waitall; rank 0 mixes
 * ANY/ANY, ANY_SOURCE+tag, source+ANY_TAG, source+tag and probe-then-recv.
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { NTAGS = 5, HDR = 16, LARGE = 100 * 1024, MAXLEN = LARGE + 64 };

static int size, nmsg;
static int first; /* the first sender: 1, or 0 when rank 0 is alone */

static uint32_t mix(int sender, int idx)
{
    uint32_t h = (uint32_t)idx * 2654435761u ^ (uint32_t)sender * 40503u;
    h ^= h >> 15;
    h *= 2246822519u;
    return h ^ (h >> 13);
}

/* the tag and length of message idx of sender; phase B uses tags + 10 */
static int tag_of(int sender, int idx, int phase)
{
    return (int)(mix(sender, idx) % NTAGS) + 10 * phase;
}

static size_t len_of(int sender, int idx)
{
    uint32_t h = mix(sender, idx) >> 8;
    if (h % 41 == 0)
        return LARGE + (size_t)sender; /* about 1 in 41 is large */
    return HDR + h % 300;
}

/* a message: header {sender, tag, seq, idx}, then pat(sender, idx, i) */
static void build(unsigned char *buf, int sender, int idx, int phase, int seq)
{
    size_t len = len_of(sender, idx);
    int32_t hdr[4] = {sender, tag_of(sender, idx, phase), seq, idx};
    fill(buf, len, sender, idx);
    memcpy(buf, hdr, HDR);
}

static void sender(int phase)
{
    int seq[NTAGS] = {0};

    if (phase == 0) {
        unsigned char *buf = xmalloc(MAXLEN);
        for (int i = 0; i < nmsg; i++) {
            int tag = tag_of(me, i, phase);
            build(buf, me, i, phase, seq[tag - 10 * phase]++);
            MUST(mpr_send(buf, len_of(me, i), 0, tag, MPR_COMM_WORLD), MPR_SUCCESS);
        }
        free(buf);
        return;
    }
    unsigned char **bufs = xmalloc(sizeof *bufs * (size_t)nmsg);
    mpr_request *reqs = xmalloc(sizeof *reqs * (size_t)nmsg);
    for (int i = 0; i < nmsg; i++) {
        int tag = tag_of(me, i, phase);
        bufs[i] = xmalloc(len_of(me, i));
        build(bufs[i], me, i, phase, seq[tag - 10 * phase]++);
        MUST(mpr_isend(bufs[i], len_of(me, i), 0, tag, MPR_COMM_WORLD, &reqs[i]), MPR_SUCCESS);
    }
    MUST(mpr_waitall(nmsg, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
    for (int i = 0; i < nmsg; i++)
        free(bufs[i]);
    free(bufs);
    free(reqs);
}

/* receiver state: [sender][tag] */
static int *total, *next, *lastidx;
#define AT(a, s, t) (a)[(s) * NTAGS + (t)]

static int left_from(int s)
{
    int n = 0;
    for (int t = 0; t < NTAGS; t++)
        n += AT(total, s, t) - AT(next, s, t);
    return n;
}

static int left_with(int t)
{
    int n = 0;
    for (int s = first; s < size; s++)
        n += AT(total, s, t) - AT(next, s, t);
    return n;
}

/* check one received message; want_src/want_tag are what was asked for */
static void check_msg(const unsigned char *buf, const mpr_status *st, int phase, int want_src,
                      int want_tag, int k)
{
    int32_t hdr[4];

    if (st->count < HDR) {
        failf(__LINE__, "phase %c msg %d: count %zu from %d tag %d is too short", 'A' + phase, k,
              st->count, st->source, st->tag);
        die();
    }
    memcpy(hdr, buf, HDR);
    int s = hdr[0], tag = hdr[1], seq = hdr[2], idx = hdr[3];
    if (s < first || s >= size || idx < 0 || idx >= nmsg || tag != tag_of(s, idx, phase)) {
        failf(__LINE__, "phase %c msg %d: garbage header {%d, %d, %d, %d} (status source %d tag %d count %zu)",
              'A' + phase, k, s, tag, seq, idx, st->source, st->tag, st->count);
        die();
    }
    CHECK(st->source == s && st->tag == tag && st->count == len_of(s, idx),
          "phase %c msg %d: status {source %d, tag %d, count %zu} for message {%d, %d, %zu}",
          'A' + phase, k, st->source, st->tag, st->count, s, tag, len_of(s, idx));
    CHECK((want_src == MPR_ANY_SOURCE || want_src == s) &&
              (want_tag == MPR_ANY_TAG || want_tag == tag),
          "phase %c msg %d: asked for source %d tag %d, got source %d tag %d", 'A' + phase, k,
          want_src, want_tag, s, tag);
    int t = tag - 10 * phase;
    if (seq != AT(next, s, t))
        failf(__LINE__, "phase %c msg %d: from %d tag %d got seq %d (message #%d), wanted seq %d (%s)",
              'A' + phase, k, s, tag, seq, idx, AT(next, s, t),
              seq < AT(next, s, t) ? "duplicate or reordered" : "lost or reordered");
    CHECK(idx > AT(lastidx, s, t), "phase %c: from %d tag %d message #%d after #%d",
          'A' + phase, s, tag, idx, AT(lastidx, s, t));
    AT(next, s, t) = seq + 1 > AT(next, s, t) ? seq + 1 : AT(next, s, t);
    AT(lastidx, s, t) = idx;
    size_t len = len_of(s, idx);
    for (size_t i = HDR; i < len; i++)
        if (buf[i] != pat(s, idx, i)) {
            failf(__LINE__, "phase %c: message #%d from %d (%zu bytes): byte %zu is %#x, wanted %#x",
                  'A' + phase, idx, s, len, i, buf[i], pat(s, idx, i));
            break;
        }
}

static void receiver(int phase)
{
    unsigned char *buf = xmalloc(MAXLEN);
    int n = (size - first) * nmsg;
    int rot_s = first, rot_t = 0;

    for (int s = first; s < size; s++)
        for (int t = 0; t < NTAGS; t++) {
            AT(total, s, t) = 0;
            AT(next, s, t) = 0;
            AT(lastidx, s, t) = -1;
        }
    for (int s = first; s < size; s++)
        for (int i = 0; i < nmsg; i++)
            AT(total, s, tag_of(s, i, phase) - 10 * phase)++;

    for (int k = 0; k < n; k++) {
        int src = MPR_ANY_SOURCE, tag = MPR_ANY_TAG, mode = phase == 0 ? 0 : k % 5;
        mpr_status st;

        if (mode == 2 || mode == 3) { /* a sender with messages left */
            while (left_from(rot_s) == 0)
                rot_s = rot_s + 1 < size ? rot_s + 1 : first;
            src = rot_s;
            rot_s = rot_s + 1 < size ? rot_s + 1 : first;
        }
        if (mode == 1) { /* a tag with messages left */
            while (left_with(rot_t) == 0)
                rot_t = (rot_t + 1) % NTAGS;
            tag = rot_t + 10 * phase;
            rot_t = (rot_t + 1) % NTAGS;
        }
        if (mode == 3) { /* a tag this sender still has */
            int t = rot_t;
            while (AT(total, src, t) == AT(next, src, t))
                t = (t + 1) % NTAGS;
            tag = t + 10 * phase;
            rot_t = (t + 1) % NTAGS;
        }
        if (mode == 4) {
            mpr_status pst;
            MUST(mpr_probe(MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &pst), MPR_SUCCESS);
            if (pst.source < first || pst.source >= size || pst.tag < 10 || pst.tag >= 10 + NTAGS ||
                pst.count > MAXLEN) {
                failf(__LINE__, "probe: status {source %d, tag %d, count %zu}", pst.source,
                      pst.tag, pst.count);
                die();
            }
            memset(buf, 0, MAXLEN);
            MUST(mpr_recv(buf, pst.count, pst.source, pst.tag, MPR_COMM_WORLD, &st), MPR_SUCCESS);
            CHECK(st.count == pst.count, "probe said %zu bytes, recv got %zu", pst.count, st.count);
            src = pst.source;
            tag = pst.tag;
        } else {
            MUST(mpr_recv(buf, MAXLEN, src, tag, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        }
        check_msg(buf, &st, phase, src, tag, k);
        if (failures > 20) {
            failf(__LINE__, "too many failures, giving up");
            die();
        }
    }
    for (int s = first; s < size; s++)
        for (int t = 0; t < NTAGS; t++)
            CHECK(AT(next, s, t) == AT(total, s, t),
                  "phase %c: from %d tag %d got %d messages, wanted %d", 'A' + phase, s,
                  t + 10 * phase, AT(next, s, t), AT(total, s, t));
    free(buf);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    nmsg = argc > 1 ? atoi(argv[1]) : 2000;
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    if (nmsg < 1) {
        failf(__LINE__, "needs at least 1 message (M %d)", nmsg);
        die();
    }
    first = size > 1 ? 1 : 0;
    if (me == 0) {
        size_t cells = (size_t)size * NTAGS;
        total = xmalloc(sizeof(int) * cells);
        next = xmalloc(sizeof(int) * cells);
        lastidx = xmalloc(sizeof(int) * cells);
    }

    for (int phase = 0; phase < 2; phase++) {
        if (me == 0) {
            if (size == 1)
                sender(phase); /* to itself */
            receiver(phase);
            /* phase B starts only when phase A is all received */
            for (int r = 1; r < size; r++)
                MUST(mpr_send(NULL, 0, r, 1, MPR_COMM_WORLD), MPR_SUCCESS);
        } else {
            sender(phase);
            MUST(mpr_recv(NULL, 0, 0, 1, MPR_COMM_WORLD, MPR_STATUS_IGNORE), MPR_SUCCESS);
        }
    }
    if (me == 0) {
        int flag = -1;
        mpr_status st;
        MUST(mpr_iprobe(MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &flag, &st), MPR_SUCCESS);
        CHECK(flag == 0, "a message nobody sent is waiting: source %d tag %d count %zu",
              st.source, st.tag, st.count);
    }
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
