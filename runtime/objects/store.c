/*
 * store.c - the Manager containers' lock and heap (see store.h).
 *
 * The lock is a word holding 0 or its holder's pid, taken by a CAS.
 * Waiters go through mpr__wait (spin, yield, then sleep on `released`,
 * which each unlock signals when somebody sleeps); between tries, at most
 * every HOLDER_CHECK_NS, a waiter asks the kernel whether the holder still
 * lives. A dead holder (gone, or a zombie not reaped yet) turns the word
 * into STORE_BROKEN, and every waiter wakes to MPR_ERR_PROC_FAILED.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "objects/store.h"

#define STORE_BROKEN (-1)
#define HOLDER_CHECK_NS 10000000 /* 10 ms */
#define HEAP_MIN_SHIFT 5         /* the smallest record: 32 bytes */

void mpr__store_lock_init(struct mpr__store_lock *l)
{
    atomic_init(&l->released.seq, 0);
    atomic_init(&l->released.sleepers, 0);
    atomic_init(&l->holder, 0);
}

static int32_t my_pid(void)
{
    static _Thread_local int32_t pid; /* the service's threads share the rank's */
    if (!pid)
        pid = (int32_t)getpid();
    return pid;
}

/* Gone, or a zombie its parent has not reaped yet? */
static bool process_dead(int32_t pid)
{
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return true;
    char path[64], stat[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT;
    ssize_t n = read(fd, stat, sizeof(stat) - 1);
    close(fd);
    if (n <= 0)
        return false;
    stat[n] = '\0';
    const char *close_paren = strrchr(stat, ')');
    return close_paren && (close_paren[1] == ' ') &&
           (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct lock_try {
    struct mpr__store_lock *lock;
    int32_t me;
    int64_t next_check;
    const struct mpr__obj_waiter *service;
};

static int try_lock(void *arg)
{
    struct lock_try *t = arg;
    int32_t seen = atomic_load_explicit(&t->lock->holder, memory_order_relaxed);
    if (seen == 0 && atomic_compare_exchange_strong_explicit(&t->lock->holder, &seen, t->me,
                                                             memory_order_acquire,
                                                             memory_order_relaxed))
        return MPR_SUCCESS;
    if (seen == STORE_BROKEN)
        return MPR_ERR_PROC_FAILED;
    int64_t now = now_ns();
    if (seen == 0 || now < t->next_check)
        return MPR__PENDING;
    t->next_check = now + HOLDER_CHECK_NS;
    if (!process_dead(seen))
        return MPR__PENDING;
    if (atomic_compare_exchange_strong(&t->lock->holder, &seen, STORE_BROKEN)) {
        mpr__log("process %d died holding a shared container's lock: the container is "
                 "unusable now", (int)seen);
        mpr__waitpoint_signal(&t->lock->released, INT32_MAX);
    }
    return MPR_ERR_PROC_FAILED;
}

static int service_gone(void *arg)
{
    const struct mpr__obj_waiter *w = ((struct lock_try *)arg)->service;
    return w->cancelled(w->arg) ? MPR_ERR_PROC_FAILED : MPR_SUCCESS;
}

int mpr__store_lock(struct mpr__store_lock *l, const struct mpr__obj_waiter *w)
{
    int32_t free_word = 0, me = my_pid();
    if (atomic_compare_exchange_strong_explicit(&l->holder, &free_word, me, memory_order_acquire,
                                                memory_order_relaxed))
        return MPR_SUCCESS;
    struct lock_try t = { l, me, now_ns() + HOLDER_CHECK_NS, w };
    struct mpr__wait wait = {
        .poll = try_lock,
        .arg = &t,
        .wp = &l->released,
        .deadline = INFINITY,
        .peers_ok = w ? service_gone : NULL,
        .other_thread = w != NULL,
    };
    return mpr__wait(&wait);
}

void mpr__store_unlock(struct mpr__store_lock *l)
{
    atomic_store_explicit(&l->holder, 0, memory_order_release);
    mpr__waitpoint_signal(&l->released, 1);
}

int mpr__store_same_sizes(mpr_comm comm, const char *call, size_t a, size_t b)
{
    int64_t mine[4] = { (int64_t)a, -(int64_t)a, (int64_t)b, -(int64_t)b };
    int64_t most[4];
    int rc = mpr_allreduce(mine, most, 4, MPR_INT64, MPR_MAX, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (most[0] != -most[1] || most[2] != -most[3]) {
        if (mpr__g.rank == mpr__world_rank(comm, 0))
            mpr__log("%s: the ranks passed different sizes", call);
        return MPR_ERR_ARG;
    }
    return MPR_SUCCESS;
}

/* ---- the heap ------------------------------------------------------------- */

static int heap_class(uint64_t bytes)
{
    for (int c = 0; c < MPR__HEAP_CLASSES; c++) {
        if (bytes <= (uint64_t)1 << (c + HEAP_MIN_SHIFT))
            return c;
    }
    return -1;
}

uint64_t mpr__heap_block_bytes(uint64_t bytes)
{
    int c = heap_class(bytes);
    return c < 0 ? 0 : (uint64_t)1 << (c + HEAP_MIN_SHIFT);
}

void mpr__heap_init(struct mpr__heap *h, uint64_t base, uint64_t end, uint64_t grown)
{
    memset(h, 0, sizeof(*h));
    h->base = h->top = base;
    h->end = end;
    h->grown = grown;
}

void mpr__heap_reset(struct mpr__heap *h)
{
    h->top = h->base;
    h->used = 0;
    memset(h->free_head, 0, sizeof(h->free_head));
}

int mpr__heap_alloc(struct mpr__heap *h, const struct mpr__obj *obj, uint64_t bytes,
                    uint64_t *off)
{
    int c = heap_class(bytes);
    if (c < 0)
        return MPR_ERR_ARG;
    uint64_t block = (uint64_t)1 << (c + HEAP_MIN_SHIFT);
    if (h->free_head[c]) {
        *off = h->free_head[c];
        memcpy(&h->free_head[c], mpr__store_at(obj->state, *off), sizeof(uint64_t));
        h->used += block;
        return MPR_SUCCESS;
    }
    if (block > h->end - h->top)
        return MPR_ERR_FULL;
    if (h->top + block > h->grown) {
        uint64_t want = h->top + block - h->grown;
        uint64_t chunk = want > MPR__HEAP_GROW_CHUNK ? want : MPR__HEAP_GROW_CHUNK;
        if (chunk > h->end - h->grown)
            chunk = h->end - h->grown;
        int err = mpr__obj_grow(obj, (size_t)h->grown, (size_t)chunk);
        if (err != 0) {
            static bool said;
            mpr__log_once(&said, "a shared container cannot grow: %s", strerror(err));
            return MPR_ERR_SHM;
        }
        h->grown += chunk;
    }
    *off = h->top;
    h->top += block;
    h->used += block;
    return MPR_SUCCESS;
}

void mpr__heap_release(struct mpr__heap *h, void *state, uint64_t off, uint64_t bytes)
{
    int c = heap_class(bytes);
    memcpy(mpr__store_at(state, off), &h->free_head[c], sizeof(uint64_t));
    h->free_head[c] = off;
    h->used -= (uint64_t)1 << (c + HEAP_MIN_SHIFT);
}
