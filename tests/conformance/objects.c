/*
 * objects.c - the shared objects: created and freed collectively, used in
 * patterns whose outcome every rank can check:
 *
 * queue      every item put is got exactly once (rank 0 of the
 *            communicator tallies everybody's list, sent point-to-point),
 *            intact, in each producer's order; task_done for each, join;
 *            afterwards the queue is empty and one more task_done is
 *            refused. Either every rank puts its items then gets its share
 *            ("bulk", within the capacity) or puts and gets in turn
 *            ("ping-pong", at most one item per rank in the queue).
 * event      one rank sets it, all see it; it clears; nobody sees it.
 * semaphore  releases and acquires that balance leave the count where
 *            it started; a bounded one refuses to go beyond it.
 * lock       each rank takes it, owns it, cannot take it twice, gives it
 *            back; then nobody owns it.
 *
 * (rlock, condition and barrier object: objects_sync.c; array and value:
 * objects_array.c; pipe: objects_pipe.c.)
 *
 * Between the phases, group_sync (point-to-point, not a collective under
 * test) orders the ranks. Blocking calls get a timeout: running out of it
 * is reported as a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"

#define TAG_TALLY 800

static double obj_timeout(void)
{
    return opt.hang_seconds > 0 ? 0.75 * opt.hang_seconds : MPR_WAIT_FOREVER;
}

static uint64_t ohash(const struct call *c, uint64_t a, uint64_t b)
{
    return key4(cur_seed, (uint64_t)c->index, a, b ^ 0x0b1ec7);
}

static void pause_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* ---- create / free ---- */

void obj_create(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    int n = s->size;
    int rc = MPR_SUCCESS;
    switch (c->obj) {
    case OBJ_QUEUE: {
        static const size_t item_max[] = { 0, 8, 64, 1024, 16384 };
        uint64_t m = c->raw[1] % 4;
        o->queue_maxsize = m == 0 ? 0 : m == 3 && n <= 64 ? 64 : (size_t)n + c->raw[2] % 5;
        o->queue_item_max = item_max[c->raw[3] % 5];
        rc = mpr_queue_create(s->comm, o->queue_maxsize, o->queue_item_max, &o->queue);
        check_rc(c, rc, "mpr_queue_create");
        break;
    }
    case OBJ_EVENT:
        rc = mpr_event_create(s->comm, &o->event);
        check_rc(c, rc, "mpr_event_create");
        break;
    case OBJ_SEMAPHORE:
        o->sem_value = (int)(c->raw[1] % (uint64_t)(n + 1));
        o->sem_bounded = c->raw[2] % 2;
        rc = mpr_semaphore_create(s->comm, o->sem_value, o->sem_bounded, &o->sem);
        check_rc(c, rc, "mpr_semaphore_create");
        break;
    case OBJ_LOCK:
        rc = mpr_lock_create(s->comm, &o->lock);
        check_rc(c, rc, "mpr_lock_create");
        break;
    case OBJ_RLOCK:
    case OBJ_CONDITION:
    case OBJ_BARRIER:
        rc = sync_obj_create(c, s);
        break;
    case OBJ_ARRAY:
        rc = array_obj_create(c, s);
        break;
    case OBJ_PIPE:
        rc = pipe_obj_create(c, s);
        break;
    case OBJ_NKINDS:
        abort();
    }
    o->live[c->obj] = rc == MPR_SUCCESS;
}

void obj_free(const struct call *c, struct slot *s, enum obj_kind k)
{
    struct objects *o = &s->obj;
    if (!o->live[k])
        return;
    switch (k) {
    case OBJ_QUEUE:
        check_rc(c, mpr_queue_free(&o->queue), "mpr_queue_free");
        break;
    case OBJ_EVENT:
        check_rc(c, mpr_event_free(&o->event), "mpr_event_free");
        break;
    case OBJ_SEMAPHORE:
        check_rc(c, mpr_semaphore_free(&o->sem), "mpr_semaphore_free");
        break;
    case OBJ_LOCK:
        check_rc(c, mpr_lock_free(&o->lock), "mpr_lock_free");
        break;
    case OBJ_RLOCK:
    case OBJ_CONDITION:
    case OBJ_BARRIER:
        sync_obj_free(c, s, k);
        break;
    case OBJ_ARRAY:
        array_obj_free(c, s);
        break;
    case OBJ_PIPE:
        pipe_obj_free(c, s);
        break;
    case OBJ_NKINDS:
        abort();
    }
    o->live[k] = false;
}

/* ---- queue ---- */

struct qplan {
    int n;
    bool bulk;
    int rounds;      /* ping-pong: put/get pairs per rank */
    int *puts;       /* items each rank puts */
    int *gets;       /* items each rank gets (bulk) */
    size_t item_max; /* the largest item the queue takes */
};

static size_t item_len(const struct call *c, const struct qplan *p, int src, int seq)
{
    uint64_t h = ohash(c, 1 + (uint64_t)src, (uint64_t)seq);
    uint64_t r = h % 100, x = h >> 8;
    size_t len;
    if (r < 5)
        return 0; /* anonymous: only counted */
    if (r < 70)
        len = 4 + x % 61;
    else if (r < 95)
        len = 4 + x % 4093;
    else
        len = 4 + x % (p->item_max - 3);
    return len < p->item_max ? len : p->item_max;
}

static void make_item(const struct call *c, const struct qplan *p, int src, int seq, unsigned char *buf,
                      size_t *len)
{
    *len = item_len(c, p, src, seq);
    if (*len == 0)
        return;
    uint32_t id = (uint32_t)src << 16 | (uint32_t)seq;
    memcpy(buf, &id, 4);
    fill_bytes(buf + 4, *len - 4, data_key(c, 0x10000 + src, seq));
}

static void plan_queue(const struct call *c, const struct slot *s, struct qplan *p)
{
    const struct objects *o = &s->obj;
    int n = s->size;
    p->n = n;
    p->item_max = o->queue_item_max ? o->queue_item_max : MPR_QUEUE_ITEM_DEFAULT;
    p->bulk = c->raw[1] % 2;
    p->rounds = 1 + (int)(c->raw[2] % 4);
    p->puts = xmalloc(sizeof(int) * (size_t)n);
    p->gets = xmalloc(sizeof(int) * (size_t)n);
    size_t cap = o->queue_maxsize ? o->queue_maxsize : 8 * (size_t)n;
    int per = (int)(cap / (size_t)n);
    int total = 0;
    for (int r = 0; r < n; r++) {
        p->puts[r] = p->bulk ? (int)(ohash(c, 0x9075, (uint64_t)r) % (uint64_t)(per + 1)) : p->rounds;
        total += p->puts[r];
        p->gets[r] = p->bulk ? 0 : p->rounds;
    }
    if (p->bulk)
        for (int t = 0; t < total; t++)
            p->gets[ohash(c, 0x6e75, (uint64_t)t) % (uint64_t)n]++;
}

struct got {
    uint32_t *ids; /* in the order got */
    int count, anonymous;
    int *last_seq; /* per producer: the last seq got, -1 */
};

static bool take_item(const struct call *c, const struct slot *s, const struct qplan *p,
                      struct got *g, unsigned char *buf)
{
    const struct objects *o = &s->obj;
    size_t len = 0;
    int rc;
    /* sometimes first a look with no room: empty, too long (left in the
     * queue), or an empty item taken */
    if (ohash(c, 0x7e3e, (uint64_t)(s->rank * 1000 + g->count + g->anonymous)) % 4 == 0) {
        rc = mpr_queue_get_nowait(o->queue, NULL, 0, &len);
        if (rc == MPR_SUCCESS && len == 0) {
            g->anonymous++;
            return true;
        }
        if (rc != MPR_ERR_EMPTY && !(rc == MPR_ERR_TRUNCATE && len > 0)) {
            fail(c, "mpr_queue_get_nowait with no room returned %s, len %zu", mpr_error_name(rc), len);
            return false;
        }
    }
    rc = mpr_queue_get(o->queue, buf, p->item_max, &len, obj_timeout());
    if (rc != MPR_SUCCESS) {
        fail(c, "mpr_queue_get returned %s%s", mpr_error_name(rc),
             rc == MPR_ERR_TIMEOUT ? " (an item never came: a hang)" : "");
        return false;
    }
    if (len == 0) {
        g->anonymous++;
        return true;
    }
    if (len < 4) {
        fail(c, "got an item of %zu bytes; none was put", len);
        return false;
    }
    uint32_t id;
    memcpy(&id, buf, 4);
    int src = (int)(id >> 16), seq = (int)(id & 0xffff);
    if (src >= p->n || seq >= p->puts[src]) {
        fail(c, "got an item that was never put (id 0x%08x, %zu bytes)", id, len);
        return false;
    }
    size_t want = item_len(c, p, src, seq);
    if (len != want) {
        fail(c, "item %d of rank %d: %zu bytes, expected %zu", seq, src, len, want);
        return false;
    }
    char what[64];
    snprintf(what, sizeof(what), "item %d of rank %d", seq, src);
    check_bytes(c, buf + 4, len - 4, data_key(c, 0x10000 + src, seq), what);
    if (seq <= g->last_seq[src])
        fail(c, "item %d of rank %d got after its item %d (a producer's order)", seq, src,
             g->last_seq[src]);
    g->last_seq[src] = seq;
    g->ids[g->count++] = id;
    return true;
}

static bool put_item(const struct call *c, const struct slot *s, const struct qplan *p, int seq,
                     unsigned char *buf)
{
    size_t len;
    make_item(c, p, s->rank, seq, buf, &len);
    int rc = mpr_queue_put(s->obj.queue, len ? buf : NULL, len, obj_timeout());
    if (rc != MPR_SUCCESS) {
        fail(c, "mpr_queue_put of item %d (%zu bytes) returned %s%s", seq, len, mpr_error_name(rc),
             rc == MPR_ERR_TIMEOUT ? " (no room came: a hang)" : "");
        return false;
    }
    return true;
}

/* rank 0 of the group: every item put was got exactly once */
static void tally(const struct call *c, const struct slot *s, const struct qplan *p, const struct got *mine)
{
    int n = s->size;
    int total = 0, anonymous_put = 0, anonymous_got = mine->anonymous;
    int *first = xmalloc(sizeof(int) * (size_t)(n + 1));
    for (int r = 0; r < n; r++) {
        first[r] = total;
        total += p->puts[r];
        for (int q = 0; q < p->puts[r]; q++)
            anonymous_put += item_len(c, p, r, q) == 0;
    }
    first[n] = total;
    int *times = calloc((size_t)total + 1, sizeof(int));
    uint32_t *ids = xmalloc(sizeof(uint32_t) * ((size_t)total + 1));
    if (!times)
        abort();
    for (int r = 0; r < n; r++) {
        int counts[2] = { mine->count, mine->anonymous };
        const uint32_t *list = mine->ids;
        if (r != 0) {
            check_rc(c, mpr_recv(counts, sizeof(counts), r, TAG_TALLY, s->comm, MPR_STATUS_IGNORE),
                     "mpr_recv of a rank's item count");
            if (counts[0] < 0 || counts[0] > total) {
                fail(c, "rank %d of the group says it got %d items of %d", r, counts[0], total);
                counts[0] = 0;
            }
            check_rc(c, mpr_recv(ids, sizeof(uint32_t) * (size_t)counts[0], r, TAG_TALLY, s->comm,
                                 MPR_STATUS_IGNORE),
                     "mpr_recv of a rank's item list");
            list = ids;
            anonymous_got += counts[1];
        }
        for (int i = 0; i < counts[0]; i++) {
            int src = (int)(list[i] >> 16), seq = (int)(list[i] & 0xffff);
            times[first[src] + seq]++;
        }
    }
    int reported = 0;
    for (int r = 0; r < n; r++)
        for (int q = 0; q < p->puts[r]; q++) {
            int t = times[first[r] + q];
            if (item_len(c, p, r, q) > 0 && t != 1 && reported++ < 3)
                fail(c, "item %d of rank %d (%zu bytes) was got %d times", q, r, item_len(c, p, r, q), t);
        }
    if (anonymous_got != anonymous_put)
        fail(c, "%d empty items were got, %d were put", anonymous_got, anonymous_put);
    free(first);
    free(times);
    free(ids);
}

static void use_queue(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    struct qplan p;
    plan_queue(c, s, &p);
    int n = s->size, me = s->rank;
    int total = 0;
    for (int r = 0; r < n; r++)
        total += p.puts[r];
    struct got g = { xmalloc(sizeof(uint32_t) * ((size_t)total + 1)), 0, 0,
                     xmalloc(sizeof(int) * (size_t)n) };
    for (int r = 0; r < n; r++)
        g.last_seq[r] = -1;
    unsigned char *buf = xmalloc(p.item_max);
    bool ok = true;
    if (p.bulk) {
        for (int q = 0; q < p.puts[me] && ok; q++)
            ok = put_item(c, s, &p, q, buf);
        while (ok && g.count + g.anonymous < p.gets[me])
            ok = take_item(c, s, &p, &g, buf);
    } else {
        for (int q = 0; q < p.rounds && ok; q++) {
            int had = g.count + g.anonymous;
            ok = put_item(c, s, &p, q, buf);
            while (ok && g.count + g.anonymous == had)
                ok = take_item(c, s, &p, &g, buf);
        }
    }
    for (int i = 0; ok && i < g.count + g.anonymous; i++)
        check_rc(c, mpr_queue_task_done(o->queue), "mpr_queue_task_done");
    if (ok) {
        int rc = mpr_queue_join(o->queue, obj_timeout());
        if (rc != MPR_SUCCESS)
            fail(c, "mpr_queue_join returned %s", mpr_error_name(rc));
    }
    if (ok && me == 0) {
        tally(c, s, &p, &g);
    } else if (ok) {
        int counts[2] = { g.count, g.anonymous };
        check_rc(c, mpr_send(counts, sizeof(counts), 0, TAG_TALLY, s->comm), "mpr_send of the item count");
        check_rc(c, mpr_send(g.ids, sizeof(uint32_t) * (size_t)g.count, 0, TAG_TALLY, s->comm),
                 "mpr_send of the item list");
    }
    if (ok) {
        group_sync(c, s); /* every get and task_done of every rank is over */
        size_t qsize = 99;
        int empty = -1;
        check_rc(c, mpr_queue_qsize(o->queue, &qsize), "mpr_queue_qsize");
        check_rc(c, mpr_queue_empty(o->queue, &empty), "mpr_queue_empty");
        if (qsize != 0 || empty != 1)
            fail(c, "after everything was got: qsize %zu, empty %d", qsize, empty);
        int rc = mpr_queue_get_nowait(o->queue, buf, p.item_max, NULL);
        if (rc != MPR_ERR_EMPTY)
            fail(c, "mpr_queue_get_nowait on the drained queue returned %s", mpr_error_name(rc));
        rc = mpr_queue_task_done(o->queue);
        if (rc != MPR_ERR_VALUE)
            fail(c, "a task_done more than items got returned %s, expected MPR_ERR_VALUE",
                 mpr_error_name(rc));
        group_sync(c, s); /* nobody puts again before everyone looked */
    }
    free(buf);
    free(g.ids);
    free(g.last_seq);
    free(p.puts);
    free(p.gets);
}

/* ---- event ---- */

static void use_event(const struct call *c, struct slot *s)
{
    mpr_event ev = s->obj.event;
    int setter = (int)(c->raw[1] % (uint64_t)s->size);
    int flag = -1, rc;
    if (s->rank == setter) {
        pause_us((long)(c->raw[2] % 2000));
        check_rc(c, mpr_event_set(ev), "mpr_event_set");
    }
    rc = mpr_event_wait(ev, s->rank == setter ? MPR_NO_WAIT : obj_timeout());
    if (rc != MPR_SUCCESS)
        fail(c, "mpr_event_wait for rank %d's set returned %s", setter, mpr_error_name(rc));
    check_rc(c, mpr_event_is_set(ev, &flag), "mpr_event_is_set");
    if (flag != 1)
        fail(c, "mpr_event_is_set says %d after the set (nobody clears before the sync)", flag);
    group_sync(c, s);
    if (s->rank == setter)
        check_rc(c, mpr_event_clear(ev), "mpr_event_clear");
    group_sync(c, s);
    check_rc(c, mpr_event_is_set(ev, &flag), "mpr_event_is_set");
    if (flag != 0)
        fail(c, "mpr_event_is_set says %d after the clear", flag);
    rc = mpr_event_wait(ev, MPR_NO_WAIT);
    if (rc != MPR_ERR_TIMEOUT)
        fail(c, "mpr_event_wait(0) on a clear event returned %s", mpr_error_name(rc));
    group_sync(c, s);
}

/* ---- semaphore ---- */

static void use_semaphore(const struct call *c, struct slot *s)
{
    const struct objects *o = &s->obj;
    int n = s->size, me = s->rank, v = o->sem_value, rc, value = -1;
    if (o->sem_bounded && v == 0) {
        rc = mpr_semaphore_try_acquire(o->sem);
        if (rc != MPR_ERR_BUSY)
            fail(c, "try_acquire on a semaphore at 0 returned %s", mpr_error_name(rc));
        rc = mpr_semaphore_release(o->sem);
        if (rc != MPR_ERR_VALUE)
            fail(c, "release of a bounded semaphore at its initial 0 returned %s", mpr_error_name(rc));
    } else if (v > 0 && (o->sem_bounded || c->raw[1] % 2)) {
        /* acquire, release: never more than v holders */
        int rounds = 1 + (int)(c->raw[2] % 3);
        for (int i = 0; i < rounds; i++) {
            rc = mpr_semaphore_try_acquire(o->sem);
            if (rc == MPR_ERR_BUSY)
                rc = mpr_semaphore_acquire(o->sem, obj_timeout());
            if (rc != MPR_SUCCESS) {
                fail(c, "acquire returned %s", mpr_error_name(rc));
                return;
            }
            check_rc(c, mpr_semaphore_release(o->sem), "mpr_semaphore_release after an acquire");
        }
    } else {
        /* unbounded hand-off: releases first, then acquires that balance them */
        int total = 0, mine_release = 0, mine_acquire = 0;
        for (int r = 0; r < n; r++) {
            int k = (int)(ohash(c, 0x5e3a, (uint64_t)r) % 4);
            total += k;
            if (r == me)
                mine_release = k;
        }
        for (int t = 0; t < total; t++)
            mine_acquire += (int)(ohash(c, 0x5e3b, (uint64_t)t) % (uint64_t)n) == me;
        for (int i = 0; i < mine_release; i++)
            check_rc(c, mpr_semaphore_release(o->sem), "mpr_semaphore_release");
        for (int i = 0; i < mine_acquire; i++) {
            rc = mpr_semaphore_acquire(o->sem, obj_timeout());
            if (rc != MPR_SUCCESS) {
                fail(c, "acquire %d of %d returned %s", i + 1, mine_acquire, mpr_error_name(rc));
                return;
            }
        }
    }
    group_sync(c, s);
    check_rc(c, mpr_semaphore_value(o->sem, &value), "mpr_semaphore_value");
    if (value != v)
        fail(c, "the semaphore counts %d after balanced use, expected %d", value, v);
    group_sync(c, s);
    if (o->sem_bounded && v > 0 && me == (int)(c->raw[3] % (uint64_t)n)) {
        rc = mpr_semaphore_release(o->sem);
        if (rc != MPR_ERR_VALUE)
            fail(c, "a release beyond the bound %d returned %s", v, mpr_error_name(rc));
    }
    group_sync(c, s);
}

/* ---- lock ---- */

static void use_lock(const struct call *c, struct slot *s)
{
    mpr_lock lock = s->obj.lock;
    int rounds = 1 + (int)(c->raw[1] % 3), owner = -2, rc;
    for (int i = 0; i < rounds; i++) {
        rc = mpr_lock_try_acquire(lock);
        if (rc == MPR_ERR_BUSY)
            rc = mpr_lock_acquire(lock, obj_timeout());
        if (rc != MPR_SUCCESS) {
            fail(c, "lock acquire returned %s", mpr_error_name(rc));
            return;
        }
        check_rc(c, mpr_lock_owner(lock, &owner), "mpr_lock_owner");
        if (owner != s->rank)
            fail(c, "holding the lock, mpr_lock_owner says %d", owner);
        rc = mpr_lock_acquire(lock, obj_timeout());
        if (rc != MPR_ERR_DEADLOCK)
            fail(c, "acquiring the lock held returned %s, expected MPR_ERR_DEADLOCK", mpr_error_name(rc));
        if (ohash(c, 0x10c3, (uint64_t)(s->rank * 8 + i)) % 4 == 0)
            pause_us(200);
        check_rc(c, mpr_lock_release(lock), "mpr_lock_release");
        rc = mpr_lock_release(lock);
        if (rc != MPR_ERR_NOT_OWNER)
            fail(c, "a second release returned %s, expected MPR_ERR_NOT_OWNER", mpr_error_name(rc));
    }
    group_sync(c, s);
    check_rc(c, mpr_lock_owner(lock, &owner), "mpr_lock_owner");
    if (owner != -1)
        fail(c, "after every rank released the lock, mpr_lock_owner says %d", owner);
    group_sync(c, s);
}

void obj_use(const struct call *c, struct slot *s)
{
    if (!s->obj.live[c->obj])
        return; /* its creation failed (already reported) */
    switch (c->obj) {
    case OBJ_QUEUE:
        use_queue(c, s);
        break;
    case OBJ_EVENT:
        use_event(c, s);
        break;
    case OBJ_SEMAPHORE:
        use_semaphore(c, s);
        break;
    case OBJ_LOCK:
        use_lock(c, s);
        break;
    case OBJ_RLOCK:
    case OBJ_CONDITION:
    case OBJ_BARRIER:
        sync_obj_use(c, s);
        break;
    case OBJ_ARRAY:
        array_obj_use(c, s);
        break;
    case OBJ_PIPE:
        pipe_obj_use(c, s);
        break;
    case OBJ_NKINDS:
        abort();
    }
}
