/*
 * test_wait.c - the one wait (runtime/core/wait.c) against fake transports:
 * what it returns, when it gives up, which transport sleeps and how long,
 * that arming is balanced, that a peer's end stops it, and the object
 * service's mode that must not touch the rank's state.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/mpr_internal.h"

/* ---- What wait.c needs from the rest of the core --------------------- */

struct mpr__state mpr__g;
static int progress_calls, liveness_checks;
static bool liveness_always_due;

int mpr__progress(void)
{
    progress_calls++;
    int events = 0;
    for (int i = 0; i < mpr__g.ntps; i++)
        if (mpr__g.tps[i]->progress)
            events += mpr__g.tps[i]->progress();
    return events;
}

bool mpr__liveness_due(void)
{
    return liveness_always_due;
}

void mpr__liveness_check(void)
{
    liveness_checks++;
}

double mpr_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- Fake transports -------------------------------------------------- */

struct fake {
    int armed;         /* arm minus disarm calls: 0 outside a sleep */
    int max_armed;
    int sleeps;
    long last_timeout_ns;
    _Atomic uint32_t *last_word;
    uint32_t token;
    uint32_t last_token;
    bool refuses_word; /* sleep returns -1 when given a word */
};
static struct fake fa, fb;

static uint32_t a_arm(void) { fa.armed++; fa.max_armed = fa.armed > fa.max_armed ? fa.armed : fa.max_armed; return fa.token; }
static void a_disarm(void) { fa.armed--; }
static uint32_t b_arm(void) { fb.armed++; fb.max_armed = fb.armed > fb.max_armed ? fb.armed : fb.max_armed; return fb.token; }
static void b_disarm(void) { fb.armed--; }

static int fake_sleep(struct fake *f, uint32_t token, _Atomic uint32_t *word, long timeout_ns)
{
    f->sleeps++;
    f->last_token = token;
    f->last_word = word;
    f->last_timeout_ns = timeout_ns;
    if (word && f->refuses_word)
        return -1;
    struct timespec ts = { 0, timeout_ns < 200000 ? timeout_ns : 200000 };
    nanosleep(&ts, NULL);
    return 0;
}
static int a_sleep(uint32_t t, _Atomic uint32_t *w, uint32_t s, long ns) { (void)s; return fake_sleep(&fa, t, w, ns); }
static int b_sleep(uint32_t t, _Atomic uint32_t *w, uint32_t s, long ns) { (void)s; return fake_sleep(&fb, t, w, ns); }

static const struct mpr__transport tp_a = { .name = "a", .arm = a_arm, .disarm = a_disarm, .sleep = a_sleep };
static const struct mpr__transport tp_b = { .name = "b", .arm = b_arm, .disarm = b_disarm, .sleep = b_sleep };
static const struct mpr__transport tp_none = { .name = "none" };

static int setup(void **state)
{
    (void)state;
    memset(&mpr__g, 0, sizeof(mpr__g));
    memset(&fa, 0, sizeof(fa));
    memset(&fb, 0, sizeof(fb));
    fa.token = 11;
    fb.token = 22;
    progress_calls = liveness_checks = 0;
    liveness_always_due = false;
    mpr__g.spin_polls = 50;
    mpr__g.sleep_yields = 2;
    return 0;
}

/* ---- Polls ------------------------------------------------------------ */

static int countdown;
static int settle_after(void *arg)
{
    (void)arg;
    return --countdown > 0 ? MPR__PENDING : MPR_ERR_TRUNCATE;
}

static int never(void *arg)
{
    (void)arg;
    return MPR__PENDING;
}

static void test_result_is_polls(void **state)
{
    (void)state;
    mpr__g.tps[0] = &tp_a;
    mpr__g.ntps = 1;
    countdown = 10; /* settles while spinning */
    struct mpr__wait w = { .poll = settle_after, .by_messages = true, .deadline = INFINITY };
    assert_int_equal(mpr__wait(&w), MPR_ERR_TRUNCATE);
    assert_int_equal(fa.sleeps, 0);
    assert_true(progress_calls >= 8); /* by_messages: progress on every pass */

    countdown = 1; /* already settled: nothing else happens */
    progress_calls = 0;
    assert_int_equal(mpr__wait(&w), MPR_ERR_TRUNCATE);
    assert_int_equal(progress_calls, 0);
}

static void test_progress_sparse_without_messages(void **state)
{
    (void)state;
    mpr__g.tps[0] = &tp_a;
    mpr__g.ntps = 1;
    mpr__g.spin_polls = 320;
    mpr__g.sleep_yields = 0;
    countdown = 321;
    struct mpr__wait w = { .poll = settle_after, .deadline = INFINITY };
    mpr__wait(&w);
    /* one poll of the transports every 32 spins, plus the one before sleeping */
    assert_in_range(progress_calls, 10, 12);
}

static void test_deadline(void **state)
{
    (void)state;
    mpr__g.tps[0] = &tp_a;
    mpr__g.ntps = 1;
    double start = mpr_wtime();
    struct mpr__wait w = { .poll = never, .by_messages = true, .deadline = start + 0.05 };
    assert_int_equal(mpr__wait(&w), MPR_ERR_TIMEOUT);
    assert_true(mpr_wtime() >= start + 0.05);
    assert_true(fa.sleeps > 0);
    assert_int_equal(fa.armed, 0); /* every arm was undone */
    assert_int_equal(fa.max_armed, 1);
    assert_int_equal(fa.last_token, 11); /* sleep got what arm returned */
    assert_null(fa.last_word);
    assert_true(fa.last_timeout_ns <= 50000001L);
}

static void test_last_transport_sleeps_briefly_beside_another(void **state)
{
    (void)state;
    mpr__g.tps[0] = &tp_none;
    mpr__g.tps[1] = &tp_a;
    mpr__g.tps[2] = &tp_b;
    mpr__g.ntps = 3;
    struct mpr__wait w = { .poll = never, .by_messages = true, .deadline = mpr_wtime() + 0.02 };
    assert_int_equal(mpr__wait(&w), MPR_ERR_TIMEOUT);
    assert_int_equal(fa.sleeps, 0);
    assert_true(fb.sleeps > 0);
    assert_int_equal(fb.last_token, 22);
    /* b does not hear a, so it sleeps 1 ms at most; both were armed */
    assert_true(fb.last_timeout_ns <= 1000000L);
    assert_int_equal(fa.max_armed, 1);
    assert_int_equal(fa.armed, 0);
    assert_int_equal(fb.armed, 0);
}

/* A thread that bumps a waitpoint after a while, as a peer would. */
struct bumper {
    struct mpr__waitpoint *wp;
    _Atomic int *flag;
    int delay_ms;
};

static void *bump(void *arg)
{
    struct bumper *b = arg;
    struct timespec ts = { 0, b->delay_ms * 1000000L };
    nanosleep(&ts, NULL);
    atomic_store(b->flag, 1);
    mpr__waitpoint_signal(b->wp, 1);
    return NULL;
}

static _Atomic int flag;
static int flag_set(void *arg)
{
    (void)arg;
    return atomic_load(&flag) ? MPR_SUCCESS : MPR__PENDING;
}

static void test_waitpoint_fallback_when_transport_cannot_watch(void **state)
{
    (void)state;
    fa.refuses_word = true;
    mpr__g.tps[0] = &tp_a;
    mpr__g.ntps = 1;
    static struct mpr__waitpoint wp;
    atomic_store(&flag, 0);
    struct bumper b = { &wp, &flag, 30 };
    pthread_t t;
    pthread_create(&t, NULL, bump, &b);
    struct mpr__wait w = { .poll = flag_set, .wp = &wp, .deadline = mpr_wtime() + 10 };
    assert_int_equal(mpr__wait(&w), MPR_SUCCESS);
    pthread_join(t, NULL);
    assert_true(fa.sleeps > 0);
    assert_ptr_equal(fa.last_word, &wp.seq);
    assert_int_equal(atomic_load(&wp.sleepers), 0);
    assert_int_equal(fa.armed, 0);
}

static int peers_gone(void *arg)
{
    (void)arg;
    return MPR_ERR_PROC_FAILED;
}

static void test_peer_end_stops_the_wait(void **state)
{
    (void)state;
    mpr__g.tps[0] = &tp_a;
    mpr__g.ntps = 1;
    liveness_always_due = true;
    struct mpr__wait w = { .poll = never, .deadline = INFINITY, .peers_ok = peers_gone };
    assert_int_equal(mpr__wait(&w), MPR_ERR_PROC_FAILED);
    assert_int_equal(liveness_checks, 1);
    assert_int_equal(fa.sleeps, 0); /* the check comes before the first sleep */
}

static void test_other_thread_touches_nothing(void **state)
{
    (void)state;
    mpr__g.tps[0] = &tp_a;
    mpr__g.ntps = 1;
    liveness_always_due = true;
    static struct mpr__waitpoint wp;
    atomic_store(&flag, 0);
    struct bumper b = { &wp, &flag, 20 };
    pthread_t t;
    pthread_create(&t, NULL, bump, &b);
    struct mpr__wait w = { .poll = flag_set, .wp = &wp, .deadline = INFINITY, .other_thread = true };
    assert_int_equal(mpr__wait(&w), MPR_SUCCESS);
    pthread_join(t, NULL);
    assert_int_equal(progress_calls, 0);
    assert_int_equal(liveness_checks, 0);
    assert_int_equal(fa.max_armed, 0);
    assert_int_equal(fa.sleeps, 0);

    /* its deadline and its peers_ok still apply */
    struct mpr__wait t1 = { .poll = never, .wp = &wp, .deadline = mpr_wtime() + 0.02, .other_thread = true };
    assert_int_equal(mpr__wait(&t1), MPR_ERR_TIMEOUT);
    struct mpr__wait t2 = { .poll = never, .wp = &wp, .deadline = INFINITY, .other_thread = true,
                            .peers_ok = peers_gone };
    assert_int_equal(mpr__wait(&t2), MPR_ERR_PROC_FAILED);
}

static void test_signal_only_with_sleepers(void **state)
{
    (void)state;
    struct mpr__waitpoint wp;
    atomic_init(&wp.seq, 5);
    atomic_init(&wp.sleepers, 0);
    mpr__waitpoint_signal(&wp, 1);
    assert_int_equal(atomic_load(&wp.seq), 5); /* nobody sleeps: no bump, no system call */
    atomic_store(&wp.sleepers, 1);
    mpr__waitpoint_signal(&wp, 1);
    assert_int_equal(atomic_load(&wp.seq), 6);
}

static void test_configure_defaults(void **state)
{
    (void)state;
    unsetenv("MPR_SPIN");
    unsetenv("MPR_YIELDS");
    mpr__g.oversubscribed = false;
    mpr__wait_configure();
    unsigned spin = mpr__g.spin_polls, yields = mpr__g.sleep_yields;
    mpr__g.oversubscribed = true;
    mpr__wait_configure();
    assert_true(mpr__g.spin_polls < spin); /* sharing cores: hardly spin */
    assert_true(mpr__g.sleep_yields > yields); /* and yield more */
    setenv("MPR_SPIN", "7", 1);
    setenv("MPR_YIELDS", "3", 1);
    mpr__wait_configure();
    assert_int_equal(mpr__g.spin_polls, 7);
    assert_int_equal(mpr__g.sleep_yields, 3);
    unsetenv("MPR_SPIN");
    unsetenv("MPR_YIELDS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_result_is_polls, setup),
        cmocka_unit_test_setup(test_progress_sparse_without_messages, setup),
        cmocka_unit_test_setup(test_deadline, setup),
        cmocka_unit_test_setup(test_last_transport_sleeps_briefly_beside_another, setup),
        cmocka_unit_test_setup(test_waitpoint_fallback_when_transport_cannot_watch, setup),
        cmocka_unit_test_setup(test_peer_end_stops_the_wait, setup),
        cmocka_unit_test_setup(test_other_thread_touches_nothing, setup),
        cmocka_unit_test_setup(test_signal_only_with_sleepers, setup),
        cmocka_unit_test_setup(test_configure_defaults, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
