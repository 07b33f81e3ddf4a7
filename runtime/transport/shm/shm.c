/*
 * shm.c - the shared-memory transport between the ranks of one host.
 *
 * Each rank owns one segment: a header (its futex doorbell, its pid, which
 * peers it can read with CMA) followed by one inbound ring per local rank.
 * A sender writes into its ring inside the receiver's segment, so every ring
 * has exactly one producer and one consumer.
 *
 * Messages up to the eager limit are copied through the ring. Larger ones
 * are streamed through the ring in fragments, the sender copying in while
 * the receiver copies out; or, when ranks share cores (where that pipeline
 * stalls: see cma_preferred) and the kernel allows CMA (checked at start),
 * they go by rendezvous: the sender publishes its buffer address, the
 * receiver copies straight from the sender's memory with process_vm_readv
 * and answers FIN.
 *
 * Segment names are unlinked as soon as every local peer has mapped them,
 * so nothing is left in /dev/shm even if ranks crash later.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/env.h"
#include "core/futex.h"
#include "core/mpr_internal.h"
#include "transport/shm/shm_ring.h"
#include "core/segment.h"
#include "core/peer_copy.h"

#define SHM_MAGIC 0x6d70722d73686d31ull /* "mpr-shm1" */
#define SHM_HEADER_BYTES 4096

enum shm_record_type {
    SHM_EAGER = 1, /* whole message: inline or in the data area */
    SHM_RTS = 2,   /* rendezvous: u.ref.addr/id name the sender's buffer
                      (addr 0: the receiver cannot read it; it answers CTS) */
    SHM_FRAG = 3,  /* a piece of a message streamed through the data area */
    SHM_FIN = 4,   /* the receiver has copied rendezvous u.ref.id */
    SHM_CREDIT = 5, /* the receiver took `len` eager bytes of ours (core/flow.c) */
    SHM_CTS = 6,   /* the receive of rendezvous u.ref.id is posted: stream it */
};
#define SHM_FLAG_FIRST 1u
#define SHM_FLAG_PULLED 2u /* FRAG: answers the oldest CTS, matched already */
#define SHM_FLAG_WIDE 4u   /* EAGER: the payload goes on in the next descriptor */
#define SHM_SEND_PULLED 1u /* mpr_request.tp_state: stream it, a CTS asked for it */

enum cma_state { CMA_UNKNOWN = 0, CMA_OK = 1, CMA_REFUSED = 2 };

struct shm_seg_header {
    uint64_t magic;
    int32_t pid;
    uint32_t local_size;
    uint32_t ndesc;
    uint32_t dsize;
    uint64_t cma_probe_addr; /* a word in the owner's memory holding SHM_MAGIC */
    _Alignas(SHM_CACHE_LINE) _Atomic uint32_t doorbell; /* futex word */
    _Atomic uint32_t sleeping;
    _Atomic uint32_t arms_with_membarrier; /* see kick() */
    _Alignas(SHM_CACHE_LINE) _Atomic uint32_t attached; /* peers that mapped it */
    _Atomic uint32_t cma_done; /* owner has filled can_read[] */
    /* can_read[i]: may the owner read local rank i's memory with CMA? */
    _Alignas(SHM_CACHE_LINE) _Atomic uint8_t can_read[];
};

struct shm_ctl {
    uint16_t type; /* SHM_FIN or SHM_CTS */
    uint64_t id;
};

struct shm_peer {
    int world_rank;
    struct shm_seg_header *hdr;
    size_t seg_bytes;
    struct shm_ring_tx tx; /* my ring inside the peer's segment */
    struct shm_ring_rx rx; /* the peer's ring inside my segment */
    struct mpr__queue sendq;    /* sends not fully pushed yet, in order */
    struct mpr__queue rdv_wait; /* rendezvous sends waiting for FIN or CTS */
    struct mpr__queue pulled;   /* receives that sent a CTS, oldest first */
    struct shm_ctl *ctl_backlog; /* FINs and CTSs the ring had no room for */
    size_t ctl_count, ctl_cap;
    size_t credit_backlog;      /* credit the ring had no room for */
    /* the fragmented message arriving from this peer, if any */
    struct mpr_request *in_req;
    struct mpr__msg *in_msg;
    size_t in_len, in_off;
    int in_tag;
};

static struct {
    struct shm_seg_header *hdr; /* my segment (or `private_header` alone) */
    size_t seg_bytes;
    char name[NAME_MAX];
    struct shm_peer *peers; /* by local index */
    uint32_t ndesc, dsize;
    size_t eager_limit;
    size_t frag_bytes;
    bool cma_allowed; /* may peers read us, may we read them */
    bool prefer_cma;  /* large messages by CMA rather than the pipeline */
    bool cma_forced;  /* MPR_SHM_CMA set: prefer_cma holds whoever is awake */
    long cores;
    bool membarrier_registered; /* a peer's membarrier orders our stores */
    bool arm_lost_guard;        /* this sleep may have lost its wake-up: keep it short */
} shm;

static struct shm_seg_header private_header; /* doorbell when alone on the host */
static volatile uint64_t cma_probe_word = SHM_MAGIC;

static int membarrier(int cmd)
{
    return (int)syscall(SYS_membarrier, cmd, 0, 0);
}

/*
 * Wake the owner of h if it sleeps, after publishing something for it.
 * The publication (a store) and the look at `sleeping` (a load) must not
 * pass each other, nor the owner's store of `sleeping` and its last look
 * for work, or a wake-up is lost. A fence on both sides does it, but the
 * sender's costs a wait for its store to reach the receiver's cache on
 * every message (a third of the two-rank message rate). So when both
 * sides can, the whole cost goes to the side that is about to sleep
 * anyway: it arms with membarrier(GLOBAL_EXPEDITED), which runs a full
 * barrier on every CPU running a registered process (the senders): a
 * sender whose load of `sleeping` came before that barrier had its store
 * drained by it, one whose load came after sees `sleeping` set.
 */
static void kick(struct shm_seg_header *h)
{
    if (!shm.membarrier_registered ||
        !atomic_load_explicit(&h->arms_with_membarrier, memory_order_relaxed))
        atomic_thread_fence(memory_order_seq_cst);
    else
        atomic_signal_fence(memory_order_seq_cst); /* the compiler keeps the order */
    if (atomic_load_explicit(&h->sleeping, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&h->doorbell, 1, memory_order_release);
        mpr__futex_wake(&h->doorbell, INT_MAX);
    }
}

static struct shm_seg_header *my_header(void)
{
    return shm.hdr ? shm.hdr : &private_header;
}

/* membarrier(GLOBAL_EXPEDITED) for kick(), or MPR_SHM_MEMBARRIER=0: every
 * sender fences. Registered before any peer maps our segment. */
static void membarrier_setup(struct shm_seg_header *h)
{
    bool on; /* checked at the start (mpr__env_check_all) */
    mpr__env_flag("MPR_SHM_MEMBARRIER", true, &on);
    int cmds = on ? membarrier(MEMBARRIER_CMD_QUERY) : -1;
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) ||
        membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) != 0 ||
        membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0)
        return;
    shm.membarrier_registered = true;
    atomic_store_explicit(&h->arms_with_membarrier, 1u, memory_order_relaxed);
}

static uint32_t shm_arm(void)
{
    struct shm_seg_header *h = my_header();
    uint32_t seen = atomic_load_explicit(&h->doorbell, memory_order_acquire);
    atomic_store_explicit(&h->sleeping, 1u, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&h->arms_with_membarrier, memory_order_relaxed) &&
        membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0) {
        /* Never seen: senders that skipped their fence may have lost this
         * sleep's wake-up, so it is short; they fence from now on. */
        atomic_store_explicit(&h->arms_with_membarrier, 0u, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
        shm.arm_lost_guard = true;
    }
    return seen;
}

static void shm_disarm(void)
{
    atomic_store_explicit(&my_header()->sleeping, 0u, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
}

/* futex_waitv (Linux 5.16+) lets a rank asleep on another word (an
 * object's, a collective's) be woken by its doorbell too, so point-to-point
 * traffic reaches it at once instead of at the end of its sleep slice.
 * MPR_FUTEX_WAITV=0 turns it off (then such a sleep is a plain futex wait
 * on the word, in slices): valgrind does not know the system call, so
 * tools/check-valgrind sets it to check the plain path. */
static bool sleep_on_both(_Atomic uint32_t *word, uint32_t seen, uint32_t bell_seen,
                          long timeout_ns)
{
#ifdef SYS_futex_waitv
    static bool unavailable, decided;
    if (!decided) {
        bool on; /* checked at the start (mpr__env_check_all) */
        mpr__env_flag("MPR_FUTEX_WAITV", true, &on);
        unavailable = !on;
        decided = true;
    }
    if (unavailable)
        return false;
    struct futex_waitv waiters[2] = {
        { .val = seen, .uaddr = (uintptr_t)word, .flags = FUTEX_32 },
        { .val = bell_seen, .uaddr = (uintptr_t)&my_header()->doorbell, .flags = FUTEX_32 },
    };
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ns / 1000000000L;
    deadline.tv_nsec += timeout_ns % 1000000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    if (syscall(SYS_futex_waitv, waiters, 2, 0, &deadline, CLOCK_MONOTONIC) < 0 &&
        errno == ENOSYS) {
        unavailable = true;
        return false;
    }
    return true;
#else
    (void)word, (void)seen, (void)bell_seen, (void)timeout_ns;
    return false;
#endif
}

static int shm_sleep(uint32_t bell_seen, _Atomic uint32_t *word, uint32_t seen, long timeout_ns)
{
    struct shm_seg_header *h = my_header();
    if (shm.arm_lost_guard) {
        shm.arm_lost_guard = false;
        if (timeout_ns > 1000000L)
            timeout_ns = 1000000L;
    }
    if (!word)
        mpr__futex_wait(&h->doorbell, bell_seen, timeout_ns);
    else if (!sleep_on_both(word, seen, bell_seen, timeout_ns))
        return -1;
    bool rung = atomic_load_explicit(&h->doorbell, memory_order_relaxed) != bell_seen;
    return rung || (word && atomic_load_explicit(word, memory_order_relaxed) != seen);
}

static uint32_t pow2_at_least(uint64_t n)
{
    uint32_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Rings shrink as the host fills so a 64-rank node stays near 96 MiB. */
static int choose_sizes(int local_size)
{
    uint64_t n2 = (uint64_t)local_size * (uint64_t)local_size;
    uint64_t data = (8u << 20) / n2;
    if (data < 16384)
        data = 16384;
    if (data > 262144)
        data = 262144;
    shm.dsize = pow2_at_least(data);
    shm.ndesc = local_size <= 16 ? 256 : 128;
    shm.eager_limit = shm.dsize / 4 < 65536 ? shm.dsize / 4 : 65536;
    shm.frag_bytes = shm.dsize / 4;

    long long v; /* in the table's range: checked at the start (mpr__env_check_all) */
    mpr__env_number("MPR_SHM_EAGER_LIMIT", (long long)shm.eager_limit, &v);
    if (v > (long long)shm.dsize / 2) {
        char allowed[96];
        snprintf(allowed, sizeof(allowed), "at most %u bytes with %d ranks on a host",
                 shm.dsize / 2, local_size);
        return mpr__env_refuse("MPR_SHM_EAGER_LIMIT", getenv("MPR_SHM_EAGER_LIMIT"), allowed);
    }
    shm.eager_limit = (size_t)v;
    /* Two cores copying cache-sized fragments beat one process_vm_readv
     * here, but only while each rank has a core; sharing one, the receiver
     * copying alone (CMA) wins. MPR_SHM_CMA=0/1 forces either. */
    int cma; /* -1 when unset */
    mpr__env_choice("MPR_SHM_CMA", -1, &cma);
    shm.cma_allowed = cma != 0;
    shm.prefer_cma = cma == -1 ? mpr__g.oversubscribed : cma == 1;
    shm.cma_forced = cma != -1;
    shm.cores = sysconf(_SC_NPROCESSORS_ONLN);
    return MPR_SUCCESS;
}

static size_t header_bytes(int local_size)
{
    size_t h = sizeof(struct shm_seg_header) + (size_t)local_size;
    return (h + SHM_HEADER_BYTES - 1) / SHM_HEADER_BYTES * SHM_HEADER_BYTES;
}

static size_t ring_stride(void)
{
    size_t r = shm_ring_bytes(shm.ndesc, shm.dsize);
    return (r + SHM_CACHE_LINE - 1) / SHM_CACHE_LINE * SHM_CACHE_LINE;
}

static void *ring_in(struct shm_seg_header *h, int local_index)
{
    return (char *)h + header_bytes((int)h->local_size) + (size_t)local_index * ring_stride();
}

static void segment_name(char *out, size_t cap, int world_rank)
{
    char suffix[16];
    snprintf(suffix, sizeof(suffix), "%d", world_rank);
    mpr__segment_name(out, cap, suffix);
}

static int shm_init(char *endpoint, size_t cap)
{
    (void)endpoint, (void)cap; /* peers find the segment by name */
    int n = mpr__g.local_size;
    if (n <= 1)
        return MPR_SUCCESS;
    int rc = choose_sizes(n);
    if (rc != MPR_SUCCESS)
        return rc;
    shm.seg_bytes = header_bytes(n) + (size_t)n * ring_stride();
    segment_name(shm.name, sizeof(shm.name), mpr__g.rank);

    void *mem;
    rc = mpr__segment_create(shm.name, shm.seg_bytes, "messages", &mem);
    if (rc != MPR_SUCCESS)
        return rc;
    shm.hdr = mem;
    /* Under Yama's ptrace_scope=1 this lets local peers copy from us with
     * CMA; without Yama it fails harmlessly. */
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    shm.hdr->pid = (int32_t)getpid();
    shm.hdr->local_size = (uint32_t)n;
    shm.hdr->ndesc = shm.ndesc;
    shm.hdr->dsize = shm.dsize;
    shm.hdr->cma_probe_addr = (uint64_t)(uintptr_t)&cma_probe_word;
    membarrier_setup(shm.hdr);
    for (int i = 0; i < n; i++)
        shm_ring_format(ring_in(shm.hdr, i), shm.ndesc, shm.dsize);
    atomic_store_explicit((_Atomic uint64_t *)&shm.hdr->magic, SHM_MAGIC, memory_order_release);
    return MPR_SUCCESS;
}

static bool cma_can_read(pid_t pid, uint64_t addr)
{
    uint64_t word = 0;
    struct iovec local = { &word, sizeof(word) };
    struct iovec remote = { (void *)(uintptr_t)addr, sizeof(word) };
    return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof(word) &&
           word == SHM_MAGIC;
}

/* A fresh ring costs what a warm one does: every page of both rings with
 * this peer mapped now (a first touch is a page fault in the middle of a
 * message, several times its cost for 64-256 B on the first lap), and the
 * data area we write into held in our cache as after a lap
 * (nothing is in it yet: we have published nothing). */
static void warm_rings(struct shm_peer *p)
{
    mpr__segment_prefault(p->rx.ctl, shm_ring_bytes(p->rx.ndesc, p->rx.dsize));
    mpr__segment_prefault(p->tx.ctl, shm_ring_bytes(p->tx.ndesc, p->tx.dsize));
    memset(p->tx.data, 0, p->tx.dsize);
}

static int map_peer(struct shm_peer *p, int local_index)
{
    char name[NAME_MAX];
    segment_name(name, sizeof(name), p->world_rank);
    void *mem;
    int rc = mpr__segment_open(name, shm.seg_bytes, "messages", &mem);
    if (rc != MPR_SUCCESS)
        return rc;
    p->hdr = mem;
    p->seg_bytes = shm.seg_bytes;
    if (atomic_load_explicit((_Atomic uint64_t *)&p->hdr->magic, memory_order_acquire) != SHM_MAGIC ||
        p->hdr->local_size != (uint32_t)mpr__g.local_size) {
        mpr__log("shared memory of rank %d is not an mpr segment of this job", p->world_rank);
        return MPR_ERR_SHM;
    }
    if (atomic_fetch_add(&p->hdr->attached, 1) + 1 == (uint32_t)(mpr__g.local_size - 1))
        shm_unlink(name); /* every peer has it mapped now */
    shm_ring_tx_attach(&p->tx, ring_in(p->hdr, mpr__g.local_index), shm.ndesc, shm.dsize);
    shm_ring_rx_attach(&p->rx, ring_in(shm.hdr, local_index), shm.ndesc, shm.dsize);
    warm_rings(p);
    mpr__g.peers[p->world_rank].pid = p->hdr->pid;
    return MPR_SUCCESS;
}

static int shm_connect(void)
{
    int n = mpr__g.local_size;
    if (n <= 1)
        return MPR_SUCCESS;
    shm.peers = calloc((size_t)n, sizeof(*shm.peers));
    if (!shm.peers)
        return MPR_ERR_NO_MEM;
    for (int i = 0; i < n; i++) {
        struct shm_peer *p = &shm.peers[i];
        p->world_rank = mpr__g.local_ranks[i];
        mpr__queue_init(&p->sendq);
        mpr__queue_init(&p->rdv_wait);
        mpr__queue_init(&p->pulled);
        if (i == mpr__g.local_index)
            continue;
        int rc = map_peer(p, i);
        if (rc != MPR_SUCCESS)
            return rc;
    }
    for (int i = 0; i < n; i++) {
        if (i == mpr__g.local_index)
            continue;
        struct shm_peer *p = &shm.peers[i];
        bool ok = shm.cma_allowed && cma_can_read(p->hdr->pid, p->hdr->cma_probe_addr);
        atomic_store(&shm.hdr->can_read[i], ok ? CMA_OK : CMA_REFUSED);
    }
    atomic_store_explicit(&shm.hdr->cma_done, 1, memory_order_release);
    return MPR_SUCCESS;
}

static void fail_requests(struct mpr__queue *q)
{
    struct mpr__qlink *l;
    while ((l = mpr__queue_pop(q)) != NULL)
        mpr__request_complete(mpr__container_of(l, struct mpr_request, tp_link), MPR_ERR_PROC_FAILED);
}

static void shm_fini(void)
{
    if (!shm.hdr)
        return;
    for (int i = 0; shm.peers && i < mpr__g.local_size; i++) {
        struct shm_peer *p = &shm.peers[i];
        if (p->hdr)
            munmap(p->hdr, p->seg_bytes);
        free(p->ctl_backlog);
    }
    free(shm.peers);
    /* Normally the name is gone already. A peer that has not mapped the
     * segment yet may still be starting (this rank got here early because
     * another rank failed): its name stays for it, and mprun removes it
     * at the end of the job. */
    bool unmapped_peer = atomic_load(&shm.hdr->attached) < (uint32_t)(mpr__g.local_size - 1);
    munmap(shm.hdr, shm.seg_bytes);
    if (!unmapped_peer)
        shm_unlink(shm.name); /* ENOENT is fine */
    memset(&shm, 0, sizeof(shm));
}

static struct shm_peer *peer_of(int world_rank)
{
    return &shm.peers[mpr__g.peers[world_rank].local_index];
}

/* A record without payload (FIN, CTS, CREDIT); false when the ring is full. */
static bool push_record(struct shm_peer *p, uint16_t type, uint64_t len, uint64_t id)
{
    struct shm_desc *d = shm_ring_reserve(&p->tx, 0, NULL);
    if (!d)
        return false;
    d->type = type;
    d->len = len;
    d->u.ref.id = id;
    shm_ring_publish(&p->tx, d);
    return true;
}

static bool push_ctl(struct shm_peer *p, struct shm_ctl c)
{
    return push_record(p, c.type, 0, c.id);
}

/* A FIN or CTS to p, now or, when its ring is full, from flush_sends. */
static int queue_ctl(struct shm_peer *p, uint16_t type, uint64_t id)
{
    struct shm_ctl c = { .type = type, .id = id };
    if (p->ctl_count == 0 && push_ctl(p, c)) {
        kick(p->hdr);
        return MPR_SUCCESS;
    }
    if (p->ctl_count == p->ctl_cap) {
        size_t cap = p->ctl_cap ? p->ctl_cap * 2 : 16;
        struct shm_ctl *grown = realloc(p->ctl_backlog, cap * sizeof(*grown));
        if (!grown)
            return MPR_ERR_NO_MEM;
        p->ctl_backlog = grown;
        p->ctl_cap = cap;
    }
    p->ctl_backlog[p->ctl_count++] = c;
    return MPR_SUCCESS;
}

static bool push_credit(struct shm_peer *p, size_t bytes)
{
    return push_record(p, SHM_CREDIT, bytes, 0);
}

static bool shm_credit(int rank, size_t bytes)
{
    struct shm_peer *p = peer_of(rank);
    if (p->credit_backlog == 0 && push_credit(p, bytes)) {
        kick(p->hdr);
        return true;
    }
    p->credit_backlog += bytes; /* flush_sends pushes it when there is room */
    return true;
}

static enum cma_state peer_reads_me(struct shm_peer *p)
{
    if (!atomic_load_explicit(&p->hdr->cma_done, memory_order_acquire))
        return CMA_UNKNOWN;
    return (enum cma_state)atomic_load(&p->hdr->can_read[mpr__g.local_index]);
}

enum push_result {
    PUSH_BLOCKED,   /* the ring is full (or the peer still starting): retry later */
    PUSH_DONE,      /* all sent, req completed */
    PUSH_AWAIT_FIN, /* rendezvous announced: req completes on the peer's FIN */
};

/* 41-100 bytes: two descriptors, which the receiver fetches together. */
static enum push_result push_wide(struct shm_peer *p, struct mpr_request *req)
{
    struct shm_desc_tail *tail;
    struct shm_desc *d = shm_ring_reserve_wide(&p->tx, &tail);
    if (!d)
        return PUSH_BLOCKED;
    d->type = SHM_EAGER;
    d->flags = SHM_FLAG_WIDE;
    d->ctx = req->match.ctx;
    d->tag = req->match.tag;
    d->len = req->len;
    memcpy(d->u.inline_data, req->buf, SHM_INLINE_MAX);
    memcpy(tail->data, (const char *)req->buf + SHM_INLINE_MAX, req->len - SHM_INLINE_MAX);
    shm_ring_publish_wide(&p->tx, d, tail);
    kick(p->hdr);
    mpr__request_complete(req, MPR_SUCCESS);
    return PUSH_DONE;
}

static enum push_result push_eager(struct shm_peer *p, struct mpr_request *req)
{
    size_t len = req->len;
    if (len > SHM_INLINE_MAX && len <= SHM_WIDE_MAX)
        return push_wide(p, req);
    void *data = NULL;
    struct shm_desc *d = shm_ring_reserve_shifted(&p->tx, len > SHM_INLINE_MAX ? len : 0,
                                                  mpr__line_offset(req->buf), &data);
    if (!d)
        return PUSH_BLOCKED;
    d->type = SHM_EAGER;
    d->flags = 0; /* a descriptor is reused: no flag of an earlier record */
    d->ctx = req->match.ctx;
    d->tag = req->match.tag;
    d->len = len;
    if (len > SHM_INLINE_MAX)
        mpr__peer_copy(data, req->buf, len);
    else if (len > 0)
        memcpy(d->u.inline_data, req->buf, len);
    shm_ring_publish(&p->tx, d);
    kick(p->hdr);
    mpr__request_complete(req, MPR_SUCCESS);
    return PUSH_DONE;
}

/* by_cma: the peer reads the buffer itself; else it answers with a CTS and
 * the message is streamed to its receive. */
static enum push_result push_rts(struct shm_peer *p, struct mpr_request *req, bool by_cma)
{
    struct shm_desc *d = shm_ring_reserve(&p->tx, 0, NULL);
    if (!d)
        return PUSH_BLOCKED;
    d->type = SHM_RTS;
    d->ctx = req->match.ctx;
    d->tag = req->match.tag;
    d->len = req->len;
    d->u.ref.addr = by_cma ? (uint64_t)(uintptr_t)req->buf : 0;
    d->u.ref.id = (uint64_t)(uintptr_t)req;
    shm_ring_publish(&p->tx, d);
    kick(p->hdr);
    return PUSH_AWAIT_FIN;
}

/* CMA when ranks share cores: the pipeline needs both ends copying at
 * once. Unless the two ends plus the other local ranks that are awake
 * (not asleep in a wait) are no more than the cores: then the two have a
 * core each and the pipeline wins (4 ranks on 2 cores, 2 of them asleep
 * in a barrier: one-way 2 MiB 223 -> 66 us, 4 MiB 415 -> 132 us). The
 * receiver counts as awake even when it sleeps: this message's kick wakes
 * it, a few us against the hundreds CMA would lose. Decided per message,
 * by the sender. Never for a message the ring to the receiver has room for
 * now: the sender streams it and goes on without waiting for the receiver
 * to be scheduled, which CMA would make it do. Never when the receiver gathers
 * from many at once (MPR__COPIER_SENDER): it would copy every message
 * alone, each slower per byte than fragments out of the ring. But when
 * the sender scatters to many (MPR__COPIER_RECEIVER) even one that fits:
 * the receivers then copy in parallel, not the sender each in turn. */
static bool cma_preferred(const struct shm_peer *to, const struct mpr_request *req)
{
    if (!shm.prefer_cma || shm.cma_forced)
        return shm.prefer_cma;
    if (req->copier == MPR__COPIER_SENDER ||
        (req->copier != MPR__COPIER_RECEIVER && req->len <= shm_ring_data_free(&to->tx)))
        return false;
    long awake = 2; /* this rank and the receiver */
    for (int i = 0; i < mpr__g.local_size; i++) {
        const struct shm_peer *q = &shm.peers[i];
        if (q->hdr && q != to && q->world_rank != mpr__g.rank &&
            !atomic_load_explicit(&q->hdr->sleeping, memory_order_relaxed))
            awake++;
    }
    return awake > shm.cores;
}

/* Push as much of req as the ring takes. A message goes eagerly (small) or
 * streamed in fragments (large) while the receiver has credit for it
 * (core/flow.c); by rendezvous when it is large and ranks share cores, or
 * when the credit is spent: the receiver copies it with CMA when it may
 * (a large one only if CMA is preferred: else the two ends have a core
 * each and the pipeline wins, one-way 4 MiB 333 -> 140 us), else it
 * answers CTS once its receive is posted and the message is streamed then
 * (SHM_FLAG_PULLED), so the credit bound holds without CMA too. A large
 * message that wanted CMA but cannot have it is streamed unasked while the
 * credit lasts. */
static enum push_result push_request(struct shm_peer *p, struct mpr_request *req)
{
    const unsigned char *buf = req->buf;
    size_t len = req->len;
    bool large = len > shm.eager_limit;
    bool pulled = req->tp_state == SHM_SEND_PULLED;
    bool wants_cma = large && req->progressed == 0 && cma_preferred(p, req);
    if (!pulled && (wants_cma || !mpr__flow_eager_allowed(req))) {
        enum cma_state cma = shm.cma_allowed ? peer_reads_me(p) : CMA_REFUSED;
        if (cma == CMA_UNKNOWN)
            return PUSH_BLOCKED; /* the peer is still starting */
        if (cma == CMA_OK && (wants_cma || !large))
            return push_rts(p, req, true);
        if (!wants_cma || !mpr__flow_eager_allowed(req))
            return push_rts(p, req, false);
    }
    if (!large && !pulled)
        return push_eager(p, req);

    struct shm_desc *d;
    void *data = NULL;
    bool pushed = false;
    while (req->progressed < len) {
        size_t chunk = len - req->progressed;
        if (chunk > shm.frag_bytes)
            chunk = shm.frag_bytes;
        d = shm_ring_reserve_shifted(&p->tx, chunk, mpr__line_offset(buf + req->progressed),
                                     &data);
        if (!d)
            break;
        d->type = SHM_FRAG;
        d->flags = (req->progressed == 0 ? SHM_FLAG_FIRST : 0) | (pulled ? SHM_FLAG_PULLED : 0);
        d->ctx = req->match.ctx;
        d->tag = req->match.tag;
        d->len = len;
        mpr__peer_copy(data, buf + req->progressed, chunk);
        shm_ring_publish(&p->tx, d);
        req->progressed += chunk;
        pushed = true;
    }
    if (pushed)
        kick(p->hdr);
    if (req->progressed < len)
        return PUSH_BLOCKED;
    mpr__request_complete(req, MPR_SUCCESS);
    return PUSH_DONE;
}

static int shm_send(struct mpr_request *req)
{
    struct shm_peer *p = peer_of(req->peer);
    enum push_result r = mpr__queue_empty(&p->sendq) ? push_request(p, req) : PUSH_BLOCKED;
    if (r == PUSH_BLOCKED)
        mpr__queue_push(&p->sendq, &req->tp_link);
    else if (r == PUSH_AWAIT_FIN)
        mpr__queue_push(&p->rdv_wait, &req->tp_link);
    return MPR_SUCCESS;
}

static int flush_sends(struct shm_peer *p)
{
    int events = 0;
    size_t sent = 0;
    while (sent < p->ctl_count && push_ctl(p, p->ctl_backlog[sent]))
        sent++;
    if (p->credit_backlog && push_credit(p, p->credit_backlog)) {
        p->credit_backlog = 0;
        events++;
        kick(p->hdr);
    }
    if (sent) {
        memmove(p->ctl_backlog, p->ctl_backlog + sent, (p->ctl_count - sent) * sizeof(*p->ctl_backlog));
        p->ctl_count -= sent;
        kick(p->hdr);
        events++;
    }
    while (!mpr__queue_empty(&p->sendq)) {
        struct mpr_request *req = mpr__container_of(p->sendq.head.next, struct mpr_request, tp_link);
        enum push_result r = push_request(p, req);
        if (r == PUSH_BLOCKED)
            break;
        mpr__queue_remove(&p->sendq, &req->tp_link);
        if (r == PUSH_AWAIT_FIN)
            mpr__queue_push(&p->rdv_wait, &req->tp_link);
        events++;
    }
    return events;
}

/* The receive req takes rendezvous message msg: copied now with CMA, or
 * asked for with a CTS (its fragments come to the oldest pulled receive). */
static int shm_pull(struct mpr_request *req, struct mpr__msg *msg)
{
    struct shm_peer *p = peer_of(msg->match.source);
    if (msg->rdv_addr == 0) {
        req->status.source = msg->match.source;
        req->status.tag = msg->match.tag;
        req->status.count = msg->len;
        int rc = queue_ctl(p, SHM_CTS, msg->rdv_id);
        if (rc != MPR_SUCCESS)
            mpr__request_complete(req, rc);
        else
            mpr__queue_push(&p->pulled, &req->tp_link);
        return MPR_SUCCESS;
    }
    size_t n = msg->len < req->len ? msg->len : req->len;
    size_t done = 0;
    int rc = MPR_SUCCESS;
    while (done < n) {
        struct iovec local = { (char *)req->buf + done, n - done };
        struct iovec remote = { (void *)(uintptr_t)(msg->rdv_addr + done), n - done };
        ssize_t got = process_vm_readv(p->hdr->pid, &local, 1, &remote, 1, 0);
        if (got <= 0) {
            if (got < 0 && errno == EINTR)
                continue;
            mpr__log("copy from rank %d failed: %s", msg->match.source, got < 0 ? strerror(errno) : "no progress");
            rc = MPR_ERR_PROC_FAILED;
            break;
        }
        done += (size_t)got;
    }
    int fin_rc = queue_ctl(p, SHM_FIN, msg->rdv_id);
    if (rc == MPR_SUCCESS && fin_rc != MPR_SUCCESS)
        rc = fin_rc;
    req->status.source = msg->match.source;
    req->status.tag = msg->match.tag;
    req->status.count = msg->len;
    if (rc == MPR_SUCCESS && msg->len > req->len)
        rc = MPR_ERR_TRUNCATE;
    mpr__request_complete(req, rc);
    return MPR_SUCCESS;
}

static void finish_fragmented(struct shm_peer *p)
{
    if (p->in_req) {
        struct mpr_request *req = p->in_req;
        req->status.source = p->world_rank;
        req->status.tag = p->in_tag;
        req->status.count = p->in_len;
        mpr__request_complete(req, p->in_len > req->len ? MPR_ERR_TRUNCATE : MPR_SUCCESS);
    } else {
        p->in_msg->complete = true;
        mpr__msg_completed(p->in_msg);
    }
    p->in_req = NULL;
    p->in_msg = NULL;
}

/* Handle one record; false leaves it in the ring to retry (out of memory). */
static bool handle_record(struct shm_peer *p, const struct shm_desc *d)
{
    int src = p->world_rank;
    switch (d->type) {
    case SHM_EAGER: {
        if (d->flags & SHM_FLAG_WIDE) {
            unsigned char whole[SHM_WIDE_MAX];
            memcpy(whole, d->u.inline_data, SHM_INLINE_MAX);
            memcpy(whole + SHM_INLINE_MAX, shm_ring_wide_tail(&p->rx)->data,
                   d->len - SHM_INLINE_MAX);
            return mpr__deliver_eager(src, d->tag, d->ctx, whole, d->len) == MPR_SUCCESS;
        }
        const void *data = d->len > SHM_INLINE_MAX ? shm_ring_payload(&p->rx, d) : d->u.inline_data;
        return mpr__deliver_eager(src, d->tag, d->ctx, data, d->len) == MPR_SUCCESS;
    }
    case SHM_RTS: {
        struct mpr_request *req;
        struct mpr__msg *msg;
        mpr__deliver_start(src, d->tag, d->ctx, d->len, true, d->u.ref.addr, d->u.ref.id, &req, &msg);
        if (!req && !msg)
            return false;
        if (req) {
            struct mpr__msg rdv = { .match = { .source = src, .tag = d->tag, .ctx = d->ctx },
                                    .len = d->len, .rendezvous = true,
                                    .rdv_addr = d->u.ref.addr, .rdv_id = d->u.ref.id };
            shm_pull(req, &rdv);
        }
        return true;
    }
    case SHM_FRAG: {
        if ((d->flags & SHM_FLAG_FIRST) && (d->flags & SHM_FLAG_PULLED)) {
            struct mpr__qlink *l = mpr__queue_pop(&p->pulled);
            if (!l) {
                mpr__log("unasked rendezvous data from rank %d ignored", src);
                return true;
            }
            p->in_req = mpr__container_of(l, struct mpr_request, tp_link);
            p->in_msg = NULL;
            p->in_len = d->len;
            p->in_off = 0;
            p->in_tag = d->tag;
        } else if (d->flags & SHM_FLAG_FIRST) {
            mpr__deliver_start(src, d->tag, d->ctx, d->len, false, 0, 0, &p->in_req, &p->in_msg);
            if (!p->in_req && !p->in_msg)
                return false;
            p->in_len = d->len;
            p->in_off = 0;
            p->in_tag = d->tag;
        } else if (!p->in_req && !p->in_msg) {
            mpr__log("stray fragment from rank %d ignored", src);
            return true;
        }
        const unsigned char *chunk = shm_ring_payload(&p->rx, d);
        size_t n = d->u.ref.dlen;
        if (p->in_off + n > p->in_len)
            n = p->in_len - p->in_off;
        if (p->in_req) {
            size_t room = p->in_off < p->in_req->len ? p->in_req->len - p->in_off : 0;
            size_t fit = n < room ? n : room;
            if (fit) /* a receive of 0 bytes may have no buffer */
                memcpy((char *)p->in_req->buf + p->in_off, chunk, fit);
        } else {
            memcpy((char *)p->in_msg->data + p->in_off, chunk, n);
            p->in_msg->arrived = p->in_off + n;
        }
        p->in_off += n;
        if (p->in_off >= p->in_len)
            finish_fragmented(p);
        return true;
    }
    case SHM_FIN:
    case SHM_CTS: {
        for (struct mpr__qlink *l = p->rdv_wait.head.next; l != &p->rdv_wait.head; l = l->next) {
            struct mpr_request *req = mpr__container_of(l, struct mpr_request, tp_link);
            if ((uint64_t)(uintptr_t)req != d->u.ref.id)
                continue;
            mpr__queue_remove(&p->rdv_wait, l);
            if (d->type == SHM_FIN) {
                mpr__request_complete(req, MPR_SUCCESS);
            } else { /* streamed after what is queued already, in CTS order */
                req->tp_state = SHM_SEND_PULLED;
                req->progressed = 0;
                mpr__queue_push(&p->sendq, &req->tp_link);
            }
            return true;
        }
        mpr__log("unknown %s from rank %d ignored", d->type == SHM_FIN ? "FIN" : "CTS", src);
        return true;
    }
    case SHM_CREDIT:
        mpr__flow_credit_arrived(src, d->len);
        return true;
    default:
        mpr__log("bad record type %u from rank %d ignored", d->type, src);
        return true;
    }
}

static int drain(struct shm_peer *p)
{
    int events = 0;
    struct shm_desc *d;
    while (events < 64 && (d = shm_ring_peek(&p->rx)) != NULL) {
        if (!handle_record(p, d))
            break;
        if (d->type == SHM_EAGER && (d->flags & SHM_FLAG_WIDE)) {
            shm_ring_release_wide(&p->rx);
        } else {
            bool has_data = d->type == SHM_FRAG || (d->type == SHM_EAGER && d->len > SHM_INLINE_MAX);
            shm_ring_release(&p->rx, d, has_data);
        }
        events++;
    }
    if (events)
        kick(p->hdr); /* it may be waiting for room */
    return events;
}

static int shm_progress(void)
{
    int events = 0;
    for (int i = 0; i < mpr__g.local_size; i++) {
        struct shm_peer *p = &shm.peers[i];
        if (!p->hdr || mpr__g.peers[p->world_rank].dead)
            continue;
        events += drain(p);
        if (p->ctl_count || p->credit_backlog || !mpr__queue_empty(&p->sendq))
            events += flush_sends(p);
    }
    return events;
}

static void shm_check_peers(void)
{
    for (int i = 0; shm.peers && i < mpr__g.local_size; i++) {
        struct shm_peer *p = &shm.peers[i];
        struct mpr__peer *gp = &mpr__g.peers[p->world_rank];
        if (!p->hdr || gp->dead || !mpr__peer_gone(p->world_rank))
            continue;
        while (drain(p) > 0) /* what it sent before dying is still good */
            ;
        fail_requests(&p->sendq);
        fail_requests(&p->rdv_wait);
        fail_requests(&p->pulled);
        p->ctl_count = 0;
        p->credit_backlog = 0;
        if (p->in_req)
            mpr__request_complete(p->in_req, MPR_ERR_PROC_FAILED);
        if (p->in_msg)
            mpr__msg_abandoned(p->in_msg);
        p->in_req = NULL;
        p->in_msg = NULL;
        mpr__peer_failed(p->world_rank);
    }
}

const struct mpr__transport mpr__shm_transport = {
    .name = "shm",
    .init = shm_init,
    .connect = shm_connect,
    .fini = shm_fini,
    .send = shm_send,
    .pull = shm_pull,
    .credit = shm_credit,
    .progress = shm_progress,
    .arm = shm_arm,
    .disarm = shm_disarm,
    .sleep = shm_sleep,
    .check_peers = shm_check_peers,
};
