/*
 * misc_errors - the documented error returns.
 *
 *   mprun -n N misc_errors      (N >= 1; also without mprun)
 *
 * Before mpr_init: MPR_ERR_NOT_INIT. mpr_init twice: MPR_ERR_ALREADY_INIT.
 * Bad arguments: MPR_ERR_ARG, nothing sent, output arguments untouched.
 * After mpr_finalize: MPR_ERR_FINALIZED. mpr_strerror/mpr_error_name of
 * every code: non-NULL, distinct; of an unknown code: the documented
 * fallbacks.
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int size, left, right;

static void strings(void)
{
    static const struct {
        int code;
        const char *name, *text;
    } codes[] = {
#define ENTRY(name, value, text) {name, #name, text},
        MPR_ERROR_LIST(ENTRY)
#undef ENTRY
    };
    enum { NCODES = sizeof codes / sizeof codes[0] };

    for (int i = 0; i < NCODES; i++) {
        const char *s = mpr_strerror(codes[i].code), *n = mpr_error_name(codes[i].code);
        CHECK(s != NULL && *s, "mpr_strerror(%d) is NULL or empty", codes[i].code);
        CHECK(n != NULL && *n, "mpr_error_name(%d) is NULL or empty", codes[i].code);
        if (!s || !n)
            continue;
        CHECK(strcmp(n, codes[i].name) == 0, "mpr_error_name(%d) is \"%s\", wanted \"%s\"",
              codes[i].code, n, codes[i].name);
        CHECK(strcmp(s, codes[i].text) == 0, "mpr_strerror(%s) is \"%s\", wanted \"%s\"",
              codes[i].name, s, codes[i].text);
        for (int j = 0; j < i; j++) {
            const char *s2 = mpr_strerror(codes[j].code), *n2 = mpr_error_name(codes[j].code);
            CHECK(!s2 || strcmp(s, s2) != 0, "mpr_strerror(%s) == mpr_strerror(%s)",
                  codes[i].name, codes[j].name);
            CHECK(!n2 || strcmp(n, n2) != 0, "mpr_error_name(%d) == mpr_error_name(%d)",
                  codes[i].code, codes[j].code);
        }
    }
    static const int unknown[] = {1, 42, -64, -100, -999999, 0x7fffffff, -0x7fffffff - 1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = mpr_strerror(unknown[i]), *n = mpr_error_name(unknown[i]);
        CHECK(s && strcmp(s, "unknown error") == 0, "mpr_strerror(%d) is \"%s\", wanted \"unknown error\"",
              unknown[i], s ? s : "(null)");
        CHECK(n && strcmp(n, "MPR_ERR_UNKNOWN") == 0,
              "mpr_error_name(%d) is \"%s\", wanted \"MPR_ERR_UNKNOWN\"", unknown[i],
              n ? n : "(null)");
    }
}

/* every call that needs an initialised library, expecting `want` */
static void all_calls(int want, const char *when)
{
    char buf[16] = {0};
    int x = 12345, flag = 12345;
    mpr_request req = (mpr_request)&x; /* must stay untouched */
    mpr_status st;

#define WANT(call)                                                                              \
    do {                                                                                        \
        int rc_ = (call);                                                                       \
        if (rc_ != want)                                                                        \
            failf(__LINE__, "%s: %s returned %s, wanted %s", when, #call, mpr_error_name(rc_), \
                  mpr_error_name(want));                                                        \
    } while (0)
    WANT(mpr_comm_rank(MPR_COMM_WORLD, &x));
    WANT(mpr_comm_size(MPR_COMM_WORLD, &x));
    CHECK(x == 12345, "%s: failing mpr_comm_rank/size wrote their output", when);
    WANT(mpr_send(buf, sizeof buf, 0, 0, MPR_COMM_WORLD));
    WANT(mpr_recv(buf, sizeof buf, 0, 0, MPR_COMM_WORLD, &st));
    WANT(mpr_isend(buf, sizeof buf, 0, 0, MPR_COMM_WORLD, &req));
    WANT(mpr_irecv(buf, sizeof buf, 0, 0, MPR_COMM_WORLD, &req));
    CHECK(req == (mpr_request)&x, "%s: failing isend/irecv wrote *req", when);
    WANT(mpr_probe(0, 0, MPR_COMM_WORLD, &st));
    WANT(mpr_iprobe(0, 0, MPR_COMM_WORLD, &flag, &st));
    CHECK(flag == 12345, "%s: failing mpr_iprobe wrote *flag", when);
    WANT(mpr_sendrecv(buf, 8, 0, 0, buf + 8, 8, 0, 0, MPR_COMM_WORLD, &st));
    WANT(mpr_bcast(buf, sizeof buf, 0, MPR_COMM_WORLD));
    WANT(mpr_barrier(MPR_COMM_WORLD));
    WANT(mpr_finalize());
#undef WANT
}

/* a sentinel request value: a failing call must leave it alone */
static int sentinel_obj;
#define SENTINEL ((mpr_request)&sentinel_obj)

static void bad_arguments(void)
{
    char buf[64] = "bad";
    int x = 777, flag = 777;
    mpr_request req = SENTINEL;
    mpr_status st;

    /* ranks out of range (and MPR_ANY_SOURCE is no destination) */
    int badranks[4] = {size, size + 100, -5, -3};
    for (int i = 0; i < 4; i++) {
        int r = badranks[i];
        EXPECT(mpr_send(buf, 4, r, 1, MPR_COMM_WORLD), MPR_ERR_ARG);
        EXPECT(mpr_isend(buf, 4, r, 1, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
        EXPECT(mpr_recv(buf, 4, r, 1, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
        EXPECT(mpr_irecv(buf, 4, r, 1, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
        EXPECT(mpr_probe(r, 1, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
        EXPECT(mpr_iprobe(r, 1, MPR_COMM_WORLD, &flag, &st), MPR_ERR_ARG);
        EXPECT(mpr_sendrecv(buf, 4, r, 1, buf + 32, 4, left, 1, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
        EXPECT(mpr_sendrecv(buf, 4, right, 1, buf + 32, 4, r, 1, MPR_COMM_WORLD, &st),
               MPR_ERR_ARG);
        EXPECT(mpr_bcast(buf, 4, r, MPR_COMM_WORLD), MPR_ERR_ARG);
    }
    EXPECT(mpr_send(buf, 4, MPR_ANY_SOURCE, 1, MPR_COMM_WORLD), MPR_ERR_ARG);
    EXPECT(mpr_isend(buf, 4, MPR_ANY_SOURCE, 1, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
    EXPECT(mpr_bcast(buf, 4, MPR_ANY_SOURCE, MPR_COMM_WORLD), MPR_ERR_ARG);
    EXPECT(mpr_bcast(buf, 4, MPR_PROC_NULL, MPR_COMM_WORLD), MPR_ERR_ARG);

    /* tags: negative on send (MPR_ANY_TAG is no send tag), above MPR_TAG_UB */
    static const int badtags[] = {-1, -2, -1000, MPR_TAG_UB + 1, 0x7fffffff};
    for (size_t i = 0; i < sizeof badtags / sizeof badtags[0]; i++) {
        int t = badtags[i];
        EXPECT(mpr_send(buf, 4, right, t, MPR_COMM_WORLD), MPR_ERR_ARG);
        EXPECT(mpr_isend(buf, 4, right, t, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
        EXPECT(mpr_sendrecv(buf, 4, right, t, buf + 32, 4, left, 1, MPR_COMM_WORLD, &st),
               MPR_ERR_ARG);
        if (t == MPR_ANY_TAG)
            continue; /* a valid receive tag */
        EXPECT(mpr_recv(buf, 4, left, t, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
        EXPECT(mpr_irecv(buf, 4, left, t, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
        EXPECT(mpr_probe(left, t, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
        EXPECT(mpr_iprobe(left, t, MPR_COMM_WORLD, &flag, &st), MPR_ERR_ARG);
        EXPECT(mpr_sendrecv(buf, 4, right, 1, buf + 32, 4, left, t, MPR_COMM_WORLD, &st),
               MPR_ERR_ARG);
    }
    /* NULL buffer with len > 0 */
    EXPECT(mpr_send(NULL, 1, right, 1, MPR_COMM_WORLD), MPR_ERR_ARG);
    EXPECT(mpr_isend(NULL, 10, right, 1, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
    EXPECT(mpr_recv(NULL, 1, left, 1, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
    EXPECT(mpr_irecv(NULL, 10, left, 1, MPR_COMM_WORLD, &req), MPR_ERR_ARG);
    EXPECT(mpr_sendrecv(NULL, 4, right, 1, buf, 4, left, 1, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
    EXPECT(mpr_sendrecv(buf, 4, right, 1, NULL, 4, left, 1, MPR_COMM_WORLD, &st), MPR_ERR_ARG);
    EXPECT(mpr_bcast(NULL, 4, 0, MPR_COMM_WORLD), MPR_ERR_ARG);
    /* NULL communicator */
    EXPECT(mpr_comm_rank(NULL, &x), MPR_ERR_ARG);
    EXPECT(mpr_comm_size(NULL, &x), MPR_ERR_ARG);
    CHECK(x == 777, "a failing mpr_comm_rank/size wrote its output");
    EXPECT(mpr_send(buf, 4, right, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_isend(buf, 4, right, 1, NULL, &req), MPR_ERR_ARG);
    EXPECT(mpr_recv(buf, 4, left, 1, NULL, &st), MPR_ERR_ARG);
    EXPECT(mpr_irecv(buf, 4, left, 1, NULL, &req), MPR_ERR_ARG);
    EXPECT(mpr_probe(left, 1, NULL, &st), MPR_ERR_ARG);
    EXPECT(mpr_iprobe(left, 1, NULL, &flag, &st), MPR_ERR_ARG);
    EXPECT(mpr_sendrecv(buf, 4, right, 1, buf + 32, 4, left, 1, NULL, &st), MPR_ERR_ARG);
    EXPECT(mpr_bcast(buf, 4, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier(NULL), MPR_ERR_ARG);
    EXPECT(mpr_abort(NULL, 3), MPR_ERR_ARG);
    CHECK(req == SENTINEL, "a failing isend/irecv wrote *req");
    CHECK(flag == 777, "a failing mpr_iprobe wrote *flag");
    /* NULL output pointers */
    EXPECT(mpr_comm_rank(MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_comm_size(MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_isend(buf, 4, right, 1, MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_irecv(buf, 4, left, 1, MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_wait(NULL, &st), MPR_ERR_ARG);
    EXPECT(mpr_get_processor_name(NULL, 10), MPR_ERR_ARG);

    /* the largest tag is valid */
    int v = me, got = -1;
    MUST(mpr_send(&v, sizeof v, right, MPR_TAG_UB, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_recv(&got, sizeof got, left, MPR_TAG_UB, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    CHECK(got == left && st.tag == MPR_TAG_UB, "tag MPR_TAG_UB: got %d with tag %d", got, st.tag);
}

/*
 * Nothing was sent by the failing calls: each rank now sends a marker with
 * tag 1 to its right; the first tag-1 message from the left must be that
 * marker (messages of one tag arrive in order, so a stray message sent with
 * tag 1 above would come first). NULL-buffer and NULL-comm sends above used
 * tag 1 towards the right.
 */
static void nothing_sent(void)
{
    char marker[8] = "marker", in[64];
    mpr_status st;
    int flag;

    MUST(mpr_send(marker, sizeof marker, right, 1, MPR_COMM_WORLD), MPR_SUCCESS);
    memset(in, 0, sizeof in);
    MUST(mpr_recv(in, sizeof in, left, 1, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    CHECK(st.count == sizeof marker && strcmp(in, "marker") == 0,
          "a failing call sent something: first tag-1 message from %d has %zu bytes \"%.8s\"",
          left, st.count, in);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    /* any message still waiting now was sent by a call that should have failed */
    flag = -1;
    MUST(mpr_iprobe(MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &flag, &st), MPR_SUCCESS);
    CHECK(flag == 0, "a message nobody sent is waiting: source %d tag %d count %zu", st.source,
          st.tag, st.count);
}

int main(int argc, char **argv)
{
    int flag = -1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* pure functions and flags work at any time */
    strings();
    EXPECT(mpr_initialized(&flag), MPR_SUCCESS);
    CHECK(flag == 0, "mpr_initialized before mpr_init: %d", flag);
    flag = -1;
    EXPECT(mpr_finalized(&flag), MPR_SUCCESS);
    CHECK(flag == 0, "mpr_finalized before mpr_init: %d", flag);
    double t = mpr_wtime();
    CHECK(t == t && mpr_wtick() > 0.0, "mpr_wtime/mpr_wtick before mpr_init");

    all_calls(MPR_ERR_NOT_INIT, "before mpr_init");

    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    EXPECT(mpr_init(&argc, &argv), MPR_ERR_ALREADY_INIT);
    EXPECT(mpr_init(NULL, NULL), MPR_ERR_ALREADY_INIT);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    left = (me + size - 1) % size;
    right = (me + 1) % size;
    strings();
    bad_arguments();
    nothing_sent();

    MUST(mpr_finalize(), MPR_SUCCESS);
    flag = -1;
    EXPECT(mpr_finalized(&flag), MPR_SUCCESS);
    CHECK(flag == 1, "mpr_finalized after mpr_finalize: %d", flag);
    flag = -1;
    EXPECT(mpr_initialized(&flag), MPR_SUCCESS);
    CHECK(flag == 0, "mpr_initialized after mpr_finalize: %d", flag);
    all_calls(MPR_ERR_FINALIZED, "after mpr_finalize");
    EXPECT(mpr_init(&argc, &argv), MPR_ERR_FINALIZED);
    strings();
    return failures ? 1 : 0;
}
