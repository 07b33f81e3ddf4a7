/*
 * coll_shm.c - the fast collectives' state per communicator, and barrier
 * and bcast through a segment shared by the communicator's members on
 * this host (layout in coll_shm.h, protocols in docs/ARCHITECTURE.md).
 *
 * The state is made at the first collective that needs it: the members
 * allgather which host they run on; on each host the lowest member
 * creates the segment and tells the others, who map it; the last to map
 * it unlinks the name. A second allgather makes every member agree
 * whether every host got its segment, so all take the same path.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "coll/coll_shm.h"
#include "core/env.h"
#include "core/cpu_relax.h"
#include "core/segment.h"

#define SEG_MAGIC 0x6d70722d636f6c31ull /* "mpr-col1" */
#define LINE MPR__COLL_LINE
#define FAST_POLLS 64 /* direct looks before the general wait */
#define BCAST_BIG_LANE_BYTES (4 << 20) /* where ranks share cores */
/* A bcast slot: a header line, then the data. The header holds the
 * chunk's stamp (its number in the lane + 1, stored last: members poll
 * it), the first large slot, the data's shift and the root's length. A
 * bcast of at most SLOT_INLINE_MAX bytes travels in the header line
 * itself, so a member fetches one line. Longer data starts in the next
 * line, as far into it as the root's buffer is into its own (so the root
 * copies aligned alike: see mpr__coll_copy). */
#define SLOT_HEADER LINE
#define SLOT_STAMP 0     /* u32 */
#define SLOT_BIG_SLOT0 4 /* u32 */
#define SLOT_SHIFT 8     /* u32 */
#define SLOT_LEN 16      /* u64 */
#define SLOT_INLINE 24
#define SLOT_INLINE_MAX (SLOT_HEADER - SLOT_INLINE)

static size_t round_up(size_t v, size_t to)
{
    return (v + to - 1) / to * to;
}

/* ---- Segment sizes and layout ------------------------------------------- */

static size_t env_size(const char *name, size_t dflt, size_t min, size_t max)
{
    long long x; /* checked at mpr_init (mpr__coll_env_check) */
    mpr__env_ll(name, (long long)min, (long long)max, (long long)dflt, true, &x);
    return round_up((size_t)x, LINE);
}

static void layout(struct mpr__coll_seg *geo, int n)
{
    geo->n = (uint32_t)n;
    long long slots; /* checked at mpr_init (mpr__coll_env_check) */
    mpr__env_ll("MPR_COLL_SHM_SLOTS", 2, 64, 8, false, &slots);
    geo->nslots = (uint32_t)slots;
    geo->slot_bytes = env_size("MPR_COLL_SHM_SLOT", 65536, 1024, 4u << 20);
    /* Ranks that share cores fall behind a bcast's root whenever they are
     * not scheduled; with room for a whole large message the root leaves
     * instead of waiting for each of them in turn. A lane of its own keeps
     * small bcasts in the first slots, which stay in cache. */
    long long big_bytes = mpr__g.oversubscribed ? BCAST_BIG_LANE_BYTES : 0;
    long long big = big_bytes / (long long)geo->slot_bytes;
    if (big > MPR__COLL_BIG_SLOTS_MAX)
        big = MPR__COLL_BIG_SLOTS_MAX;
    mpr__env_ll("MPR_COLL_SHM_BIG_SLOTS", 0, MPR__COLL_BIG_SLOTS_MAX, big, false, &big);
    geo->nbig = (uint32_t)big;
    size_t red = n <= 8 ? 65536 : round_up(524288 / (size_t)n, 4096);
    geo->red_bytes = red < 8192 ? 8192 : red;
}

static size_t ctl_offset(void)
{
    return round_up(sizeof(struct mpr__coll_seg), LINE);
}

static size_t slot_stride(const struct mpr__coll_seg *geo)
{
    return round_up(SLOT_HEADER + (LINE - 1) + geo->slot_bytes, LINE);
}

static size_t slots_offset(const struct mpr__coll_seg *geo)
{
    return ctl_offset() + geo->n * LINE;
}

static size_t red_offset(const struct mpr__coll_seg *geo)
{
    return round_up(slots_offset(geo) + (geo->nslots + geo->nbig) * slot_stride(geo), 4096);
}

static size_t flat_offset(const struct mpr__coll_seg *geo)
{
    return red_offset(geo) + (2 * (size_t)geo->n + 2) * geo->red_bytes;
}

static size_t total_bytes(const struct mpr__coll_seg *geo)
{
    size_t flat = 2 * (size_t)geo->n * MPR__COLL_FLAT_BYTES;
    return round_up(flat_offset(geo) + flat, (size_t)sysconf(_SC_PAGESIZE));
}

/* ---- Making and freeing the state --------------------------------------- */

static void state_free(struct mpr__coll_state *st)
{
    if (!st)
        return;
    if (st->seg)
        munmap(st->seg, st->seg_bytes);
    free(st->host_of);
    free(st->leaders);
    free(st->local);
    free(st->world_local);
    free(st);
}

void mpr__coll_comm_free(mpr_comm comm)
{
    state_free(comm->coll);
    comm->coll = NULL;
}

/* Hosts as this rank sees them: the lowest world rank on my host names it.
 * Without shared memory (MPR_TRANSPORT=tcp), every rank is a host of its own. */
static int32_t my_host_key(void)
{
    if (!mpr__g.use_shm)
        return mpr__g.rank;
    for (int w = 0; w < mpr__g.size; w++)
        if (mpr__g.peers[w].local_index >= 0)
            return w;
    return mpr__g.rank;
}

static int partition(mpr_comm comm, struct mpr__coll_state *st)
{
    int size = comm->size;
    int32_t key = my_host_key();
    int32_t *keys = malloc((size_t)size * sizeof(*keys));
    st->host_of = malloc((size_t)size * sizeof(int));
    st->leaders = malloc((size_t)size * sizeof(int));
    st->local = malloc((size_t)size * sizeof(int));
    st->world_local = malloc((size_t)size * sizeof(int));
    if (!keys || !st->host_of || !st->leaders || !st->local || !st->world_local) {
        free(keys);
        return MPR_ERR_NO_MEM;
    }
    int rc = size > 1 ? mpr__allgather(comm, &key, sizeof(key), keys) : MPR_SUCCESS;
    if (size == 1)
        keys[0] = key;
    if (rc != MPR_SUCCESS) {
        free(keys);
        return rc;
    }
    st->nhosts = 0;
    for (int r = 0; r < size; r++) {
        int h = -1;
        for (int k = 0; k < st->nhosts && h < 0; k++)
            if (keys[st->leaders[k]] == keys[r])
                h = k;
        if (h < 0) {
            h = st->nhosts++;
            st->leaders[h] = r;
        }
        st->host_of[r] = h;
        if (keys[r] == key) {
            if (r == comm->rank)
                st->lrank = st->nlocal;
            st->world_local[st->nlocal] = mpr__world_rank(comm, r);
            st->local[st->nlocal++] = r;
        }
    }
    free(keys);
    return MPR_SUCCESS;
}

static void segment_name(char *out, size_t cap, int creator_world, uint32_t ctx)
{
    char suffix[48];
    snprintf(suffix, sizeof(suffix), "coll-%d-%u", creator_world, ctx);
    mpr__segment_name(out, cap, suffix);
}

static void attach(struct mpr__coll_state *st, void *mem)
{
    struct mpr__coll_seg *seg = mem;
    mpr__segment_prefault(mem, seg->bytes); /* no page fault inside a collective */
    st->seg = seg;
    st->seg_bytes = seg->bytes;
    st->consumed = (char *)mem + ctl_offset();
    st->slots = (char *)mem + slots_offset(seg);
    st->slot_stride = slot_stride(seg);
    st->red = (char *)mem + red_offset(seg);
    st->flat = (char *)mem + flat_offset(seg);
}

/* The lowest member of this host creates the segment and sends each other
 * local member the outcome; they map it. Returns this rank's outcome. */
static int make_segment(mpr_comm comm, struct mpr__coll_state *st, int *p2p_rc)
{
    char name[NAME_MAX];
    segment_name(name, sizeof(name), st->world_local[0], comm->ctx_coll);
    struct mpr__coll_seg geo = {0};
    layout(&geo, st->nlocal);
    size_t bytes = total_bytes(&geo);
    void *mem = NULL;
    int32_t made = MPR_SUCCESS;
    int32_t word[2]; /* the outcome and the creator's large lane, which other members use */
    *p2p_rc = MPR_SUCCESS;
    if (st->lrank == 0) {
        made = mpr__segment_create(name, bytes, "collectives", &mem);
        if (made == MPR_SUCCESS) {
            struct mpr__coll_seg *seg = mem;
            *seg = geo;
            seg->bytes = bytes;
            atomic_store_explicit((_Atomic uint64_t *)&seg->magic, SEG_MAGIC, memory_order_release);
        }
        word[0] = made;
        word[1] = (int32_t)geo.nbig;
        for (int i = 1; i < st->nlocal && *p2p_rc == MPR_SUCCESS; i++) {
            struct mpr_request *req;
            *p2p_rc = mpr__send_start(word, sizeof(word), st->local[i], MPR__TAG_SHM_SETUP, comm,
                                      comm->ctx_coll, &req);
            if (*p2p_rc == MPR_SUCCESS)
                *p2p_rc = mpr__wait_request(req, NULL);
        }
    } else {
        struct mpr_request *req;
        *p2p_rc = mpr__recv_start(word, sizeof(word), st->local[0], MPR__TAG_SHM_SETUP, comm,
                                  comm->ctx_coll, &req);
        if (*p2p_rc == MPR_SUCCESS)
            *p2p_rc = mpr__wait_request(req, NULL);
        if (*p2p_rc != MPR_SUCCESS)
            return *p2p_rc;
        made = word[0];
        geo.nbig = (uint32_t)word[1];
        if (geo.nbig > MPR__COLL_BIG_SLOTS_MAX) /* another build of libmpr made it */
            made = MPR_ERR_INTERNAL;
        bytes = total_bytes(&geo);
        if (made == MPR_SUCCESS) {
            made = mpr__segment_open(name, bytes, "collectives", &mem);
            if (made == MPR_SUCCESS &&
                atomic_load_explicit((_Atomic uint64_t *)mem, memory_order_acquire) != SEG_MAGIC) {
                munmap(mem, bytes);
                made = MPR_ERR_SHM;
            }
            if (made == MPR_SUCCESS &&
                atomic_fetch_add(&((struct mpr__coll_seg *)mem)->attached, 1) + 1 ==
                    (uint32_t)st->nlocal - 1)
                shm_unlink(name); /* every member has it mapped */
        }
    }
    if (mem)
        attach(st, mem);
    return made;
}

int mpr__coll_state(mpr_comm comm, struct mpr__coll_state **out)
{
    if (comm->coll) {
        *out = comm->coll;
        return MPR_SUCCESS;
    }
    struct mpr__coll_state *st = calloc(1, sizeof(*st));
    if (!st)
        return MPR_ERR_NO_MEM;
    st->release_root = -1;
    int rc = partition(comm, st);
    if (rc != MPR_SUCCESS) {
        state_free(st);
        return rc;
    }
    int32_t ok = 1;
    if (st->nlocal > 1) {
        int p2p_rc;
        ok = make_segment(comm, st, &p2p_rc) == MPR_SUCCESS;
        if (p2p_rc != MPR_SUCCESS) {
            state_free(st);
            return p2p_rc;
        }
    }
    /* after this every member of every host has tried to map its segment */
    int32_t *oks = malloc((size_t)comm->size * sizeof(*oks));
    rc = !oks ? MPR_ERR_NO_MEM
         : comm->size > 1 ? mpr__allgather(comm, &ok, sizeof(ok), oks) : MPR_SUCCESS;
    if (st->nlocal > 1 && st->lrank == 0) {
        char name[NAME_MAX];
        segment_name(name, sizeof(name), st->world_local[0], comm->ctx_coll);
        shm_unlink(name); /* gone already unless a member failed to map it */
    }
    if (rc != MPR_SUCCESS) {
        free(oks);
        state_free(st);
        return rc;
    }
    st->shm = true;
    for (int r = 0; r < comm->size; r++)
        if (comm->size > 1 && !oks[r])
            st->shm = false;
    free(oks);
    if (!st->shm && st->seg) {
        munmap(st->seg, st->seg_bytes);
        st->seg = NULL;
    }
    comm->coll = st;
    *out = st;
    return MPR_SUCCESS;
}

int mpr__coll_cores_shared(mpr_comm comm, bool *shared)
{
    *shared = false;
    if (comm->size <= 2 || !mpr__g.oversubscribed)
        return MPR_SUCCESS;
    struct mpr__coll_state *st;
    int rc = mpr__coll_state(comm, &st);
    if (rc == MPR_SUCCESS)
        *shared = mpr__coll_shm_serves(st);
    return rc;
}

int mpr__coll_choose_if_cores_shared(mpr_comm comm, int choice, int *alg)
{
    bool shared = false;
    int rc = *alg < 0 ? mpr__coll_cores_shared(comm, &shared) : MPR_SUCCESS;
    if (shared)
        *alg = choice;
    return rc;
}

/* ---- Waiting -------------------------------------------------------------
 * A wait ends with MPR_ERR_PROC_FAILED only when a member whose step it
 * still awaits has ended. A member that finalized (or died) has made every
 * step it will make, and what it published stays readable here (the
 * segment stays mapped until this rank frees it), so a wait for steps it
 * made already, or for other members' steps, goes on: a rank that left a
 * collective and called mpr_finalize fails nobody still inside it. */

static bool member_ended(const struct mpr__coll_state *st, int i)
{
    int w = st->world_local[i];
    return w != mpr__g.rank && (mpr__peer_ended(w) || mpr__peer_gone(w));
}

struct coll_wait {
    struct mpr__coll_state *st;
    mpr__coll_done_fn done;
    mpr__coll_needs_fn needs;
    uint32_t arg;
};

static int coll_poll(void *arg)
{
    struct coll_wait *cw = arg;
    return cw->done(cw->st, cw->arg) ? MPR_SUCCESS : MPR__PENDING;
}

static int coll_needed_members_ok(void *arg)
{
    struct coll_wait *cw = arg;
    for (int i = 0; i < cw->st->nlocal; i++)
        if (member_ended(cw->st, i) && cw->needs(cw->st, cw->arg, i))
            return MPR_ERR_PROC_FAILED; /* it will never make that step */
    return MPR_SUCCESS;
}

/* Wait until done(st, arg) with mpr__wait, sleeping on the segment's bell
 * and moving point-to-point traffic all along. Returns MPR_SUCCESS, or
 * MPR_ERR_PROC_FAILED when a member of this host that needs(st, arg, i)
 * has ended. */
static int coll_wait_at(struct mpr__coll_state *st, struct mpr__waitpoint *wp,
                        mpr__coll_done_fn done, mpr__coll_needs_fn needs, uint32_t arg)
{
    /* The peer is usually a cache-line transfer behind: look directly for
     * a while first (the general wait polls through two indirect calls,
     * which cost a small bcast 10% on 2 ranks). */
    for (unsigned i = 0; i < FAST_POLLS && i < mpr__g.spin_polls; i++) {
        if (done(st, arg))
            return MPR_SUCCESS;
        mpr__cpu_relax();
    }
    struct coll_wait cw = { st, done, needs, arg };
    struct mpr__wait w = {
        .poll = coll_poll,
        .arg = &cw,
        .wp = wp,
        .deadline = INFINITY,
        .peers_ok = coll_needed_members_ok,
    };
    return mpr__wait(&w);
}

static int coll_wait(struct mpr__coll_state *st, mpr__coll_done_fn done, mpr__coll_needs_fn needs,
                     uint32_t arg)
{
    return coll_wait_at(st, &st->seg->bell, done, needs, arg);
}

int mpr__coll_shm_wait(struct mpr__coll_state *st, mpr__coll_done_fn done,
                       mpr__coll_needs_fn needs, uint32_t arg)
{
    return coll_wait(st, done, needs, arg);
}

/* ---- Barrier ------------------------------------------------------------- */

_Static_assert(MPR__COLL_ARRIVAL_OFFSET + sizeof(uint32_t) <= MPR__COLL_LEFT_OFFSET &&
                   MPR__COLL_LEFT_OFFSET + sizeof(uint32_t) <= LINE,
               "a member's last arrival and departure fit in its line, after its reduction counts");

/* the last barrier member i arrived at (in its own line) */
static _Atomic uint32_t *arrival_of(struct mpr__coll_state *st, int i)
{
    return (_Atomic uint32_t *)(st->consumed + (size_t)i * LINE + MPR__COLL_ARRIVAL_OFFSET);
}

/* everyone arrived at barrier `epoch` */
static bool all_arrived(struct mpr__coll_state *st, uint32_t epoch)
{
    return mpr__seq_ge(atomic_load_explicit(&st->seg->arrived, memory_order_acquire),
                       epoch * (uint32_t)st->nlocal);
}

static bool arrival_needed(struct mpr__coll_state *st, uint32_t epoch, int i)
{
    return !mpr__seq_ge(atomic_load_explicit(arrival_of(st, i), memory_order_acquire), epoch);
}

/* `arrived` sums the arrivals of every barrier, so reaching e x n proves
 * "everyone arrived at e" only while nobody has arrived at e + 1. A member
 * may leave barrier e without waiting for it (the non-root of a reduce
 * does), so it first waits for e to be complete before counting itself in
 * e + 1: otherwise its early arrival stands in for a late member's and the
 * count reaches e x n with that member missing. */
static int arrive(struct mpr__coll_state *st, struct mpr__waitpoint *wp, int wake)
{
    int rc = mpr__coll_shm_arrive_wait(st);
    if (rc != MPR_SUCCESS)
        return rc;
    st->epoch++;
    atomic_store_explicit(arrival_of(st, st->lrank), st->epoch, memory_order_release);
    uint32_t target = st->epoch * (uint32_t)st->nlocal;
    uint32_t now = atomic_fetch_add_explicit(&st->seg->arrived, 1, memory_order_acq_rel) + 1;
    if (now == target)
        mpr__waitpoint_signal(wp, wake); /* the last to arrive wakes whoever sleeps */
    return MPR_SUCCESS;
}

int mpr__coll_shm_arrive(struct mpr__coll_state *st)
{
    return arrive(st, &st->seg->bell, INT_MAX);
}

int mpr__coll_shm_arrive_wait(struct mpr__coll_state *st)
{
    return coll_wait(st, all_arrived, arrival_needed, st->epoch);
}

/* the last barrier member i left (in its own line) */
static _Atomic uint32_t *left_of(struct mpr__coll_state *st, int i)
{
    return (_Atomic uint32_t *)(st->consumed + (size_t)i * LINE + MPR__COLL_LEFT_OFFSET);
}

/* the releaser left barrier `epoch`: everyone arrived at it */
static bool releaser_left(struct mpr__coll_state *st, uint32_t epoch)
{
    return mpr__seq_ge(atomic_load_explicit(left_of(st, st->releaser), memory_order_acquire), epoch);
}

/* the releaser, and a member that has not arrived (the releaser would
 * fail and never leave) */
static bool releaser_needed(struct mpr__coll_state *st, uint32_t epoch, int i)
{
    return i == st->releaser || arrival_needed(st, epoch, i);
}

int mpr__coll_shm_barrier(struct mpr__coll_state *st, int releaser)
{
    if (st->nlocal == 1)
        return MPR_SUCCESS;
    int rc;
    if (releaser < 0) {
        rc = mpr__coll_shm_arrive(st);
        if (rc == MPR_SUCCESS)
            rc = mpr__coll_shm_arrive_wait(st);
    } else {
        /* Only the releaser waits for the arrivals, on a bell of its own:
         * the others sleep on until it leaves (woken by the last arrival
         * they would look and sleep again, a context switch each where
         * cores are shared). */
        st->releaser = releaser;
        rc = arrive(st, &st->seg->releaser_bell, 1);
        if (rc == MPR_SUCCESS)
            rc = st->lrank == releaser
                     ? coll_wait_at(st, &st->seg->releaser_bell, all_arrived, arrival_needed,
                                    st->epoch)
                     : coll_wait(st, releaser_left, releaser_needed, st->epoch);
    }
    if (rc != MPR_SUCCESS)
        return rc;
    /* Every member says it left, whichever way it waited: one that took
     * another member for the releaser (members that noted different calls)
     * gets its word even from a member that did not. */
    atomic_store_explicit(left_of(st, st->lrank), st->epoch, memory_order_release);
    if (st->lrank == releaser)
        mpr__coll_ring(st);
    return MPR_SUCCESS;
}

/* ---- Bcast ---------------------------------------------------------------
 * A stream of chunks through a lane of slots. The root waits until every
 * other member has read what was last in the slot, copies in, and
 * publishes the chunk by storing g + 1 (g counts the lane's chunks) in
 * the slot's stamp, which members poll: the line they wait on is the one
 * that carries a small bcast. They copy out and advance their own
 * `consumed` word of the lane.
 * Every bcast takes at least one chunk, in the first lane (slot g %
 * nslots), whose slot header holds the root's length; the rest goes on in
 * the large messages' lane when the segment has one, else in the first.
 * In the large lane the root starts at its first slot when every member
 * has read everything there (those slots are still in cache: walking a
 * 4 MiB lane made 128 KiB bcasts 7x slower), else after the last slot
 * used (so it can run ahead of members that lag); the first chunk's
 * header says which, and every member keeps the same account of what
 * each slot holds. */

static _Atomic uint32_t *consumed_of(struct mpr__coll_state *st, int lrank, bool big)
{
    return (_Atomic uint32_t *)(st->consumed + (size_t)lrank * LINE + (big ? 4 : 0));
}

/* the lane's chunk counter: chunks passed through it so far */
static uint32_t *lane_chunks(struct mpr__coll_state *st, bool big)
{
    return big ? &st->big_chunks : &st->chunks;
}

/* the large lane's slot of chunk g of the current bcast */
static uint32_t big_slot(const struct mpr__coll_state *st, uint32_t g)
{
    return (st->big_slot0 + (g - st->big_start)) % st->seg->nbig;
}

static char *slot_of(struct mpr__coll_state *st, bool big, uint32_t g)
{
    size_t k = big ? st->seg->nslots + big_slot(st, g) : g % st->seg->nslots;
    return st->slots + k * st->slot_stride;
}

static _Atomic uint32_t *stamp_of(char *slot)
{
    return (_Atomic uint32_t *)(slot + SLOT_STAMP);
}

/* Where a chunk's data sits in its slot: in the header line when the
 * whole bcast fits there, else from the next line on, `shift` into it. */
static char *slot_data(char *slot, size_t root_len, uint32_t shift)
{
    return root_len <= SLOT_INLINE_MAX ? slot + SLOT_INLINE : slot + SLOT_HEADER + shift;
}

/* chunk g of the current lane published */
static bool chunk_ready(struct mpr__coll_state *st, uint32_t g)
{
    char *slot = slot_of(st, st->bcast_big, g);
    if (atomic_load_explicit(stamp_of(slot), memory_order_acquire) == g + 1)
        return true;
    /* the data's first line, so that it arrives with the stamp */
    __builtin_prefetch(slot + SLOT_HEADER);
    return false;
}

/* Has member i read what chunk g's slot held last? */
static bool consumed_enough(struct mpr__coll_state *st, int i, uint32_t g)
{
    bool big = st->bcast_big;
    uint32_t need = big ? st->big_held[big_slot(st, g)] : g + 1 - st->seg->nslots;
    if (big && need == 0)
        return true; /* the slot never held a chunk */
    return mpr__seq_ge(atomic_load_explicit(consumed_of(st, i, big), memory_order_acquire), need);
}

/* slot of chunk g free: every member but me has read what it held */
static bool slot_free(struct mpr__coll_state *st, uint32_t g)
{
    for (int i = 0; i < st->nlocal; i++)
        if (i != st->lrank && !consumed_enough(st, i, g))
            return false;
    return true;
}

static bool root_needed(struct mpr__coll_state *st, uint32_t g, int i)
{
    (void)g;
    return i == st->bcast_lroot;
}

/* a member that has not read what chunk g's slot held yet */
static bool reader_needed(struct mpr__coll_state *st, uint32_t g, int i)
{
    return i != st->lrank && !consumed_enough(st, i, g);
}

/* The lane of a bcast's chunk after its first `done` chunks. */
static bool lane_for(const struct mpr__coll_state *st, unsigned done)
{
    return done > 0 && st->seg->nbig > 0;
}

/* The root's first large slot: 0 when every member has read the whole
 * lane, else the one after the last used. */
static uint32_t first_big_slot(struct mpr__coll_state *st)
{
    for (int i = 0; i < st->nlocal; i++)
        if (i != st->lrank &&
            atomic_load_explicit(consumed_of(st, i, true), memory_order_acquire) != st->big_chunks)
            return st->big_next;
    return 0;
}

/* A chunk of the current bcast went through lane `big` as chunk g. */
static void chunk_passed(struct mpr__coll_state *st, bool big, uint32_t g)
{
    if (big) {
        uint32_t k = big_slot(st, g);
        st->big_held[k] = g + 1;
        st->big_next = (k + 1) % st->seg->nbig;
    }
    *lane_chunks(st, big) = g + 1;
}

static int bcast_send(struct mpr__coll_state *st, const void *buf, size_t len)
{
    size_t cap = st->seg->slot_bytes;
    size_t off = 0;
    unsigned done = 0;
    st->big_start = st->big_chunks;
    st->big_slot0 = st->seg->nbig > 0 && len > cap ? first_big_slot(st) : 0;
    uint32_t shift = mpr__line_offset(buf);
    do {
        bool big = st->bcast_big = lane_for(st, done++);
        uint32_t g = *lane_chunks(st, big);
        int rc = coll_wait(st, slot_free, reader_needed, g);
        if (rc != MPR_SUCCESS)
            return rc;
        char *slot = slot_of(st, big, g);
        size_t n = len - off < cap ? len - off : cap;
        memcpy(slot + SLOT_BIG_SLOT0, &st->big_slot0, sizeof(uint32_t));
        memcpy(slot + SLOT_SHIFT, &shift, sizeof(uint32_t));
        memcpy(slot + SLOT_LEN, &(uint64_t){ len }, sizeof(uint64_t));
        if (n)
            mpr__coll_copy(slot_data(slot, len, shift), (const char *)buf + off, n);
        off += n;
        chunk_passed(st, big, g);
        atomic_store_explicit(stamp_of(slot), g + 1, memory_order_release);
        mpr__coll_ring(st);
    } while (off < len);
    atomic_store_explicit(consumed_of(st, st->lrank, false), st->chunks, memory_order_release);
    atomic_store_explicit(consumed_of(st, st->lrank, true), st->big_chunks, memory_order_release);
    return MPR_SUCCESS;
}

static int bcast_recv(struct mpr__coll_state *st, void *buf, size_t len)
{
    size_t cap = st->seg->slot_bytes;
    size_t root_len = 0, off = 0;
    uint32_t shift = 0;
    unsigned done = 0;
    st->big_start = st->big_chunks;
    do {
        bool big = st->bcast_big = lane_for(st, done);
        uint32_t g = *lane_chunks(st, big);
        int rc = coll_wait(st, chunk_ready, root_needed, g);
        if (rc != MPR_SUCCESS)
            return rc;
        char *slot = slot_of(st, big, g);
        if (done++ == 0) {
            uint64_t l;
            memcpy(&st->big_slot0, slot + SLOT_BIG_SLOT0, sizeof(uint32_t));
            memcpy(&shift, slot + SLOT_SHIFT, sizeof(uint32_t));
            memcpy(&l, slot + SLOT_LEN, sizeof(l));
            root_len = (size_t)l;
        }
        size_t n = root_len - off < cap ? root_len - off : cap;
        if (off < len)
            mpr__coll_copy((char *)buf + off, slot_data(slot, root_len, shift),
                           len - off < n ? len - off : n);
        off += n;
        chunk_passed(st, big, g);
        atomic_store_explicit(consumed_of(st, st->lrank, big), g + 1, memory_order_release);
        mpr__coll_ring(st); /* a root may sleep waiting for this slot */
    } while (off < root_len);
    return len < root_len ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
}

int mpr__coll_shm_bcast(struct mpr__coll_state *st, void *buf, size_t len, int lroot)
{
    if (st->nlocal == 1)
        return MPR_SUCCESS;
    st->bcast_lroot = lroot;
    return st->lrank == lroot ? bcast_send(st, buf, len) : bcast_recv(st, buf, len);
}
