/*
 * objects_sync.c - the synchronisation objects built on the lock: rlock,
 * condition and barrier object, in patterns whose outcome every rank can
 * check:
 *
 * rlock      each rank takes it 1-3 levels deep (the first level may have
 *            to wait, the others never do), sees itself as the owner at
 *            the right depth throughout, gives every level back, and
 *            cannot give back one more; then nobody owns it.
 * condition  a bounded-buffer hand-off: the item count lives in a
 *            semaphore changed only under the condition's lock. Some
 *            ranks produce items, with pauses (each followed by notify(1),
 *            notify(2) or notify_all), the others consume their share,
 *            waiting with wait_for until an item is there; an item must
 *            be there when wait_for returns, a notification lost is a
 *            hang. Over an
 *            rlock the waiter holds it 1-2 levels deep and must get every
 *            level back. Waiting or notifying without the lock is refused.
 *            Then, half of the time, a wake-up of a group: k ranks wait
 *            (each tells the notifier, point-to-point, while holding the
 *            lock, so all are waiting once the notifier has the lock);
 *            one notify(k), notify(k + more) or notify_all must wake them
 *            all, or notify(m < k) exactly the m that began waiting first,
 *            then notify(k - m) the rest. Waits are bounded: a waiter
 *            nobody woke reports MPR_ERR_TIMEOUT, not a hang.
 * barrier    `parties` ranks of the communicator (any subset) meet for a
 *            few rounds; in every round their arrival indices are 0 ..
 *            parties-1, once each. Then, maybe, one rank aborts it or a
 *            lone waiter times out: every later wait is refused as broken
 *            until a reset, after which a round works again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"

#define TAG_ARRIVALS 802
#define TAG_WAITING 806 /* a waiter's arrival index, sent holding the lock */
#define TAG_WOKEN 807   /* a waiter's arrival index and result, after its wait */

static double obj_timeout(void)
{
    return opt.hang_seconds > 0 ? 0.75 * opt.hang_seconds : MPR_WAIT_FOREVER;
}

static uint64_t shash(const struct call *c, uint64_t a, uint64_t b)
{
    return key4(cur_seed, (uint64_t)c->index, a, b ^ 0x5c0b1ec7);
}

static void pause_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* ---- create / free ---- */

enum cond_over { OVER_OWN_RLOCK, OVER_LOCK, OVER_RLOCK };

static int create_condition(const struct call *c, struct objects *o, mpr_comm comm)
{
    int rc;
    o->cond_over = (int)(c->raw[1] % 3);
    o->cond_lock = NULL;
    o->cond_rlock = NULL;
    switch (o->cond_over) {
    case OVER_LOCK:
        rc = mpr_lock_create(comm, &o->cond_lock);
        check_rc(c, rc, "mpr_lock_create (for a condition)");
        if (rc == MPR_SUCCESS) {
            rc = mpr_condition_create_lock(o->cond_lock, &o->cond);
            check_rc(c, rc, "mpr_condition_create_lock");
        }
        break;
    case OVER_RLOCK:
        rc = mpr_rlock_create(comm, &o->cond_rlock);
        check_rc(c, rc, "mpr_rlock_create (for a condition)");
        if (rc == MPR_SUCCESS) {
            rc = mpr_condition_create_rlock(o->cond_rlock, &o->cond);
            check_rc(c, rc, "mpr_condition_create_rlock");
        }
        break;
    default:
        rc = mpr_condition_create(comm, &o->cond);
        check_rc(c, rc, "mpr_condition_create");
        break;
    }
    if (rc == MPR_SUCCESS) {
        rc = mpr_semaphore_create(comm, 0, 0, &o->cond_items);
        check_rc(c, rc, "mpr_semaphore_create (the condition's item count)");
    }
    return rc;
}

int sync_obj_create(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    int rc = MPR_ERR_ARG;
    switch (c->obj) {
    case OBJ_RLOCK:
        rc = mpr_rlock_create(s->comm, &o->rlock);
        check_rc(c, rc, "mpr_rlock_create");
        break;
    case OBJ_CONDITION:
        rc = create_condition(c, o, s->comm);
        break;
    case OBJ_BARRIER:
        o->barrier_parties = 1 + (int)(c->raw[1] % (uint64_t)s->size);
        rc = mpr_barrier_object_create(s->comm, o->barrier_parties, &o->barrier);
        check_rc(c, rc, "mpr_barrier_object_create");
        break;
    default:
        abort();
    }
    return rc;
}

void sync_obj_free(const struct call *c, struct slot *s, enum obj_kind k)
{
    struct objects *o = &s->obj;
    switch (k) {
    case OBJ_RLOCK:
        check_rc(c, mpr_rlock_free(&o->rlock), "mpr_rlock_free");
        break;
    case OBJ_CONDITION:
        check_rc(c, mpr_condition_free(&o->cond), "mpr_condition_free");
        if (o->cond_lock)
            check_rc(c, mpr_lock_free(&o->cond_lock), "mpr_lock_free (of a condition)");
        if (o->cond_rlock)
            check_rc(c, mpr_rlock_free(&o->cond_rlock), "mpr_rlock_free (of a condition)");
        check_rc(c, mpr_semaphore_free(&o->cond_items), "mpr_semaphore_free (of a condition)");
        break;
    case OBJ_BARRIER:
        check_rc(c, mpr_barrier_object_free(&o->barrier), "mpr_barrier_object_free");
        break;
    default:
        abort();
    }
}

/* ---- rlock ---- */

static bool rlock_is_mine(const struct call *c, mpr_rlock rl, unsigned depth, const char *when)
{
    int owner = -2;
    unsigned count = 0;
    check_rc(c, mpr_rlock_owner(rl, &owner, &count), "mpr_rlock_owner");
    if (owner != world_rank || count != depth) {
        fail(c, "%s: mpr_rlock_owner says rank %d at depth %u, expected %d at %u", when, owner,
             count, world_rank, depth);
        return false;
    }
    return true;
}

static void use_rlock(const struct call *c, struct slot *s)
{
    mpr_rlock rl = s->obj.rlock;
    int rounds = 1 + (int)(c->raw[1] % 3), rc;
    for (int i = 0; i < rounds; i++) {
        unsigned depth = 1 + (unsigned)(shash(c, 0x71c0, (uint64_t)(s->rank * 8 + i)) % 3);
        rc = mpr_rlock_try_acquire(rl);
        if (rc == MPR_ERR_BUSY)
            rc = mpr_rlock_acquire(rl, obj_timeout());
        if (rc != MPR_SUCCESS) {
            fail(c, "rlock acquire returned %s", mpr_error_name(rc));
            return;
        }
        for (unsigned d = 2; d <= depth; d++) {
            rc = d % 2 ? mpr_rlock_acquire(rl, obj_timeout()) : mpr_rlock_try_acquire(rl);
            if (rc != MPR_SUCCESS)
                fail(c, "taking the rlock held to depth %u returned %s", d, mpr_error_name(rc));
        }
        if (!rlock_is_mine(c, rl, depth, "holding it"))
            return;
        if (shash(c, 0x71c1, (uint64_t)(s->rank * 8 + i)) % 4 == 0) {
            pause_us(200);
            if (!rlock_is_mine(c, rl, depth, "still holding it after a pause"))
                return;
        }
        for (unsigned d = depth; d >= 1; d--) {
            check_rc(c, mpr_rlock_release(rl), "mpr_rlock_release");
            if (d > 1 && !rlock_is_mine(c, rl, d - 1, "after a release"))
                return;
        }
        rc = mpr_rlock_release(rl);
        if (rc != MPR_ERR_NOT_OWNER)
            fail(c, "one release too many returned %s, expected MPR_ERR_NOT_OWNER",
                 mpr_error_name(rc));
    }
    group_sync(c, s);
    int owner = -2;
    unsigned count = 1;
    check_rc(c, mpr_rlock_owner(rl, &owner, &count), "mpr_rlock_owner");
    if (owner != -1 || count != 0)
        fail(c, "after every rank released the rlock, owner %d depth %u", owner, count);
    group_sync(c, s);
}

/* ---- condition ---- */

struct items_ready {
    const struct call *c;
    mpr_semaphore items;
};

static int items_there(void *arg)
{
    struct items_ready *r = arg;
    int value = -1;
    check_rc(r->c, mpr_semaphore_value(r->items, &value), "mpr_semaphore_value (in wait_for)");
    return value > 0;
}

/* With two or more ranks, some only produce and the others only consume,
 * so consumers are often waiting when an item comes and a lost
 * notification shows as a hang. One rank does both (producing first). */
static bool is_producer(const struct call *c, int r, int n)
{
    int first = (int)(c->raw[2] % (uint64_t)n);
    if (n == 1 || r == first)
        return true;
    if (r == (first + 1) % n)
        return false;
    return shash(c, 0xc0d6, (uint64_t)r) % 2;
}

static bool is_consumer(const struct call *c, int r, int n)
{
    return n == 1 || !is_producer(c, r, n);
}

/* How many items rank r produces (1-4 for producers) */
static int produced_by(const struct call *c, int r, int n)
{
    return is_producer(c, r, n) ? 1 + (int)(shash(c, 0xc0d0, (uint64_t)r) % 4) : 0;
}

/* The consumer of an item: drawn among the consumers */
static int consumer_of(const struct call *c, int item, int n)
{
    int consumers = 0, k;
    for (int r = 0; r < n; r++)
        consumers += is_consumer(c, r, n);
    k = (int)(shash(c, 0xc0d1, (uint64_t)item) % (uint64_t)consumers);
    for (int r = 0; r < n; r++)
        if (is_consumer(c, r, n) && k-- == 0)
            return r;
    abort();
}

static void produce(const struct call *c, const struct objects *o, int me, int k)
{
    static const int notify_n[] = { 1, 2, 0 }; /* 0: notify_all */
    int n = notify_n[shash(c, 0xc0d2, (uint64_t)(me * 16 + k)) % 3];
    int rc = mpr_condition_acquire(o->cond, obj_timeout());
    if (rc != MPR_SUCCESS) {
        fail(c, "condition acquire (to produce) returned %s", mpr_error_name(rc));
        return;
    }
    check_rc(c, mpr_semaphore_release(o->cond_items), "mpr_semaphore_release (an item)");
    check_rc(c, n ? mpr_condition_notify(o->cond, n) : mpr_condition_notify_all(o->cond),
             n ? "mpr_condition_notify" : "mpr_condition_notify_all");
    check_rc(c, mpr_condition_release(o->cond), "mpr_condition_release (after producing)");
}

static void consume(const struct call *c, const struct objects *o, int me, int k)
{
    uint64_t h = shash(c, 0xc0d3, (uint64_t)(me * 16 + k));
    bool deep = o->cond_over != OVER_LOCK && h % 2;
    int rc = mpr_condition_acquire(o->cond, obj_timeout());
    if (rc == MPR_SUCCESS && deep)
        rc = mpr_condition_acquire(o->cond, obj_timeout());
    if (rc != MPR_SUCCESS) {
        fail(c, "condition acquire (to consume) returned %s", mpr_error_name(rc));
        return;
    }
    if (h % 8 < 2) {
        /* a zero wait gives the lock up and takes it back: nothing else */
        rc = mpr_condition_wait(o->cond, MPR_NO_WAIT);
        if (rc != MPR_SUCCESS && rc != MPR_ERR_TIMEOUT)
            fail(c, "mpr_condition_wait(0) returned %s", mpr_error_name(rc));
    }
    struct items_ready ready = { c, o->cond_items };
    rc = mpr_condition_wait_for(o->cond, items_there, &ready, obj_timeout());
    if (rc != MPR_SUCCESS)
        fail(c, "mpr_condition_wait_for an item returned %s", mpr_error_name(rc));
    else if ((rc = mpr_semaphore_try_acquire(o->cond_items)) != MPR_SUCCESS)
        fail(c, "wait_for saw an item, but taking it under the lock returned %s",
             mpr_error_name(rc));
    if (o->cond_over != OVER_LOCK) {
        mpr_rlock rl = o->cond_rlock;
        int owner = -2;
        unsigned count = 0;
        if (rl)
            check_rc(c, mpr_rlock_owner(rl, &owner, &count), "mpr_rlock_owner");
        if (rl && (owner != world_rank || count != (deep ? 2u : 1u)))
            fail(c, "after waiting, the condition's rlock is held by %d at depth %u, expected "
                 "%d at %u", owner, count, world_rank, deep ? 2u : 1u);
    }
    if (deep)
        check_rc(c, mpr_condition_release(o->cond), "mpr_condition_release (inner level)");
    check_rc(c, mpr_condition_release(o->cond), "mpr_condition_release (after consuming)");
}

/* Is comm rank r one of the k waiters of the group wake-up? (Ranks
 * notifier + 1, notifier + 2, ...: k of the others.) */
static bool is_group_waiter(int r, int n, int notifier, int k)
{
    int off = (r - notifier + n) % n;
    return off >= 1 && off <= k;
}

/* The notifier: collects `count` wake-up reports; with `below` >= 0, each
 * must come from a waiter that began waiting among the first `below`. */
static void collect_woken(const struct call *c, const struct slot *s, int count, int below,
                          int *bad, const char *after)
{
    for (int i = 0; i < count; i++) {
        int msg[2] = { -1, -1 };
        mpr_status st;
        check_rc(c, mpr_recv(msg, sizeof(msg), MPR_ANY_SOURCE, TAG_WOKEN, s->comm, &st),
                 "mpr_recv of a wake-up report");
        if (msg[1] != MPR_SUCCESS && (*bad)++ < 3)
            fail(c, "rank %d (waiter %d in arrival order) was not woken by %s: its wait "
                 "returned %s", st.source, msg[0], after, mpr_error_name(msg[1]));
        else if (below >= 0 && msg[0] >= below && (*bad)++ < 3)
            fail(c, "%s woke rank %d, waiter %d in arrival order; the first %d waiters "
                 "must go first", after, st.source, msg[0], below);
    }
}

static void group_wake(const struct call *c, struct slot *s)
{
    const struct objects *o = &s->obj;
    int n = s->size, me = s->rank, rc;
    int notifier = (int)(shash(c, 0xc0e0, 0) % (uint64_t)n);
    int k = 1 + (int)(shash(c, 0xc0e1, 0) % (uint64_t)(n - 1));
    if (k < n - 1 && shash(c, 0xc0e2, 0) % 2)
        k = n - 1; /* often everybody else */
    int how = (int)(shash(c, 0xc0e3, 0) % 4); /* notify(k), notify(k+), notify_all, notify(m < k) */
    if (how == 3 && k < 2)
        how = 0;
    int m = how == 3 ? 1 + (int)(shash(c, 0xc0e4, 0) % (uint64_t)(k - 1)) : k;
    double T = obj_timeout();
    if (is_group_waiter(me, n, notifier, k)) {
        if (shash(c, 0xc0e5, (uint64_t)me) % 3 == 0)
            pause_us((long)(shash(c, 0xc0e6, (uint64_t)me) % 1000));
        if ((rc = mpr_condition_acquire(o->cond, T)) != MPR_SUCCESS) {
            fail(c, "condition acquire (to wait in a group) returned %s", mpr_error_name(rc));
            return;
        }
        int msg[2] = { -1, -1 };
        check_rc(c, mpr_semaphore_value(o->cond_items, &msg[0]), "mpr_semaphore_value");
        check_rc(c, mpr_semaphore_release(o->cond_items), "mpr_semaphore_release (an arrival)");
        check_rc(c, mpr_send(&msg[0], sizeof(int), notifier, TAG_WAITING, s->comm),
                 "mpr_send of an arrival");
        msg[1] = mpr_condition_wait(o->cond, T);
        if (msg[1] != MPR_SUCCESS && msg[1] != MPR_ERR_TIMEOUT)
            fail(c, "a wait in a group returned %s", mpr_error_name(msg[1]));
        check_rc(c, mpr_send(msg, sizeof(msg), notifier, TAG_WOKEN, s->comm),
                 "mpr_send of a wake-up report");
        check_rc(c, mpr_condition_release(o->cond), "mpr_condition_release (after a group wait)");
    } else if (me == notifier) {
        for (int i = 0; i < k; i++) {
            int idx = -1;
            check_rc(c, mpr_recv(&idx, sizeof(idx), MPR_ANY_SOURCE, TAG_WAITING, s->comm,
                                 MPR_STATUS_IGNORE), "mpr_recv of an arrival");
        }
        if ((rc = mpr_condition_acquire(o->cond, T)) != MPR_SUCCESS) {
            fail(c, "condition acquire (to notify a group) returned %s", mpr_error_name(rc));
            return;
        }
        int arrived = -1, bad = 0;
        check_rc(c, mpr_semaphore_value(o->cond_items, &arrived), "mpr_semaphore_value");
        if (arrived != k)
            fail(c, "%d arrivals counted under the lock, %d waiters told", arrived, k);
        char after[64];
        if (how == 2) {
            snprintf(after, sizeof(after), "notify_all (%d waiting)", k);
            rc = mpr_condition_notify_all(o->cond);
        } else {
            int nn = how == 1 ? k + 1 + (int)(shash(c, 0xc0e7, 0) % 3) : m;
            snprintf(after, sizeof(after), "notify(%d) (%d waiting)", nn, k);
            rc = mpr_condition_notify(o->cond, nn);
        }
        check_rc(c, rc, after);
        check_rc(c, mpr_condition_release(o->cond), "mpr_condition_release (after notifying)");
        collect_woken(c, s, m, how == 3 ? m : -1, &bad, after);
        if (how == 3) {
            check_rc(c, mpr_condition_acquire(o->cond, T), "condition acquire (to notify the rest)");
            snprintf(after, sizeof(after), "a second notify(%d) (%d waiting)", k - m, k - m);
            check_rc(c, mpr_condition_notify(o->cond, k - m), after);
            check_rc(c, mpr_condition_release(o->cond), "mpr_condition_release (after notifying)");
            collect_woken(c, s, k - m, -1, &bad, after);
        }
        for (int i = 0; i < k; i++) /* the count back to 0 for the hand-off */
            check_rc(c, mpr_semaphore_try_acquire(o->cond_items), "mpr_semaphore_try_acquire");
    }
    group_sync(c, s);
}

static void use_condition(const struct call *c, struct slot *s)
{
    const struct objects *o = &s->obj;
    int n = s->size, me = s->rank, total = 0, rc;
    for (int r = 0; r < n; r++)
        total += produced_by(c, r, n);
    if (me == (int)(c->raw[3] % (uint64_t)n)) {
        rc = mpr_condition_wait(o->cond, MPR_NO_WAIT);
        if (rc != MPR_ERR_NOT_OWNER)
            fail(c, "waiting without the lock returned %s, expected MPR_ERR_NOT_OWNER",
                 mpr_error_name(rc));
        rc = mpr_condition_notify(o->cond, 1);
        if (rc != MPR_ERR_NOT_OWNER)
            fail(c, "notifying without the lock returned %s, expected MPR_ERR_NOT_OWNER",
                 mpr_error_name(rc));
    }
    for (int k = 0; k < produced_by(c, me, n); k++) {
        if (shash(c, 0xc0d4, (uint64_t)(me * 16 + k)) % 2)
            pause_us((long)(shash(c, 0xc0d5, (uint64_t)(me * 16 + k)) % 1500));
        produce(c, o, me, k);
    }
    for (int item = 0, k = 0; item < total; item++)
        if (consumer_of(c, item, n) == me)
            consume(c, o, me, k++);
    group_sync(c, s);
    int value = -1;
    check_rc(c, mpr_semaphore_value(o->cond_items, &value), "mpr_semaphore_value");
    if (value != 0)
        fail(c, "%d items left after every rank consumed its share of %d", value, total);
    group_sync(c, s);
    if (n >= 2 && c->raw[0] % 2)
        group_wake(c, s);
}

/* ---- barrier object ---- */

/* Is comm rank r one of the parties? The parties are the first `parties`
 * ranks of a permutation drawn for the call. */
static bool is_party(const struct call *c, int r, int n, int parties)
{
    int *perm = xmalloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(shash(c, 0xba00, (uint64_t)i) % (uint64_t)(i + 1));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    bool party = false;
    for (int i = 0; i < parties; i++)
        party |= perm[i] == r;
    free(perm);
    return party;
}

/* Rank 0 of the communicator checks that in every round the indices of
 * the parties were 0..parties-1, once each. */
static void tally_arrivals(const struct call *c, const struct slot *s, int parties, int rounds,
                           const int *mine)
{
    size_t bytes = sizeof(int) * (size_t)rounds;
    if (s->rank != 0) {
        if (is_party(c, s->rank, s->size, parties))
            check_rc(c, mpr_send(mine, bytes, 0, TAG_ARRIVALS, s->comm), "mpr_send of arrivals");
        return;
    }
    int *seen = xmalloc(sizeof(int) * (size_t)(rounds * parties));
    int *got = xmalloc(bytes);
    memset(seen, 0, sizeof(int) * (size_t)(rounds * parties));
    for (int r = 0; r < s->size; r++) {
        if (!is_party(c, r, s->size, parties))
            continue;
        if (r == 0)
            memcpy(got, mine, bytes);
        else
            check_rc(c, mpr_recv(got, bytes, r, TAG_ARRIVALS, s->comm, MPR_STATUS_IGNORE),
                     "mpr_recv of arrivals");
        for (int k = 0; k < rounds; k++) {
            if (got[k] < 0 || got[k] >= parties)
                fail(c, "rank %d's arrival index in round %d is %d (parties %d)", r, k, got[k],
                     parties);
            else if (seen[k * parties + got[k]]++)
                fail(c, "arrival index %d given twice in round %d", got[k], k);
        }
    }
    free(seen);
    free(got);
}

static void expect_broken(const struct call *c, mpr_barrier_object b, bool party, const char *why)
{
    int flag = -1;
    check_rc(c, mpr_barrier_object_broken(b, &flag), "mpr_barrier_object_broken");
    if (flag != 1)
        fail(c, "after %s, mpr_barrier_object_broken says %d", why, flag);
    if (party) {
        int rc = mpr_barrier_object_wait(b, obj_timeout(), NULL);
        if (rc != MPR_ERR_BROKEN)
            fail(c, "a wait after %s returned %s, expected MPR_ERR_BROKEN", why,
                 mpr_error_name(rc));
    }
}

static void use_barrier(const struct call *c, struct slot *s)
{
    mpr_barrier_object b = s->obj.barrier;
    int parties = s->obj.barrier_parties, rounds = 1 + (int)(c->raw[2] % 3), rc;
    bool party = is_party(c, s->rank, s->size, parties);
    int mine[3] = { -1, -1, -1 };
    for (int k = 0; party && k < rounds; k++) {
        if (shash(c, 0xba01, (uint64_t)(s->rank * 4 + k)) % 3 == 0)
            pause_us((long)(shash(c, 0xba02, (uint64_t)(s->rank * 4 + k)) % 2000));
        rc = mpr_barrier_object_wait(b, obj_timeout(), &mine[k]);
        if (rc != MPR_SUCCESS) {
            fail(c, "barrier object wait in round %d returned %s", k, mpr_error_name(rc));
            return;
        }
    }
    tally_arrivals(c, s, parties, rounds, mine);
    group_sync(c, s);
    int waiting = -1, broken = -1;
    check_rc(c, mpr_barrier_object_n_waiting(b, &waiting), "mpr_barrier_object_n_waiting");
    check_rc(c, mpr_barrier_object_broken(b, &broken), "mpr_barrier_object_broken");
    if (waiting != 0 || broken != 0)
        fail(c, "after the rounds, %d waiting and broken=%d", waiting, broken);
    group_sync(c, s);

    /* 0: leave it; 1: one rank aborts it; 2: a lone party times out */
    int breaker = (int)(c->raw[3] % (uint64_t)s->size), how = (int)(c->raw[3] / 7 % 3);
    if (how == 2 && (parties < 2 || !is_party(c, breaker, s->size, parties)))
        how = 1;
    if (how == 0)
        return;
    if (s->rank == breaker) {
        if (how == 1) {
            check_rc(c, mpr_barrier_object_abort(b), "mpr_barrier_object_abort");
        } else {
            rc = mpr_barrier_object_wait(b, MPR_NO_WAIT, NULL);
            if (rc != MPR_ERR_TIMEOUT)
                fail(c, "a lone wait with timeout 0 returned %s, expected MPR_ERR_TIMEOUT",
                     mpr_error_name(rc));
        }
    }
    group_sync(c, s);
    expect_broken(c, b, party, how == 1 ? "an abort" : "a timeout");
    group_sync(c, s);
    if (s->rank == breaker)
        check_rc(c, mpr_barrier_object_reset(b), "mpr_barrier_object_reset");
    group_sync(c, s);
    check_rc(c, mpr_barrier_object_broken(b, &broken), "mpr_barrier_object_broken");
    if (broken != 0)
        fail(c, "after a reset, mpr_barrier_object_broken says %d", broken);
    if (party && (rc = mpr_barrier_object_wait(b, obj_timeout(), NULL)) != MPR_SUCCESS)
        fail(c, "the first wait after a reset returned %s", mpr_error_name(rc));
    group_sync(c, s);
}

void sync_obj_use(const struct call *c, struct slot *s)
{
    switch (c->obj) {
    case OBJ_RLOCK:
        use_rlock(c, s);
        break;
    case OBJ_CONDITION:
        use_condition(c, s);
        break;
    case OBJ_BARRIER:
        use_barrier(c, s);
        break;
    default:
        abort();
    }
}
