/*
 * mpi_internal.h - the MPI layer's objects and the helpers its files share.
 * The layer sits on libmpr's public API (mpr.h) only.
 */
#ifndef MPI_INTERNAL_H
#define MPI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <mpi.h>
#include <mpr.h>

#define MPI__MAGIC_COMM 0x4d43u /* "MC" */
#define MPI__MAGIC_TYPE 0x4d54u
#define MPI__MAGIC_GROUP 0x4d47u
#define MPI__MAGIC_REQ 0x4d52u

/* User tags are 0..MPI__TAG_UB; the communicator's hidden twin uses the
 * space above for Ssend acknowledgements and the layer's own collectives. */
#define MPI__TAG_UB ((1 << 28) - 1)
#define MPI__TAG_ACK (1 << 28)
#define MPI__TAG_COLL (2 << 28)

/* Counts of messages per (peer, tag): the n-th Ssend notification from a
 * peer names the n-th message it sent with that tag (seqmap.c). */
struct mpi__seqmap {
    uint64_t *keys; /* (peer << 32 | tag) + 1; 0 = empty */
    uint32_t *vals;
    size_t cap, used;
};
uint32_t mpi__seqmap_bump(struct mpi__seqmap *m, int peer, int tag);
void mpi__seqmap_release(struct mpi__seqmap *m);

/* A notification taken off the wire before its message was received. */
struct mpi__sync_note {
    struct mpi__sync_note *next;
    int peer, tag;
    uint32_t seq;
};

/*
 * The predefined objects are data the programs link against (MPI_INT is
 * &mpi__type_int), copied into each executable at link time: their sizes
 * are part of the ABI. Each object is padded to a fixed size so that
 * fields can be added without breaking programs already built.
 */
#define MPI__PAD_COMM 512
#define MPI__PAD_TYPE 256
#define MPI__PAD_SMALL 64

struct mpi__comm {
    union {
        struct {
            unsigned magic;
            mpr_comm comm; /* user traffic and libmpr collectives */
            mpr_comm sys;  /* hidden twin: Ssend notes and acks, the layer's own collectives */
            int rank, size;
            int *world; /* world rank of each member */
            MPI_Errhandler errhandler;
            struct mpi__seqmap sent, received;
            struct mpi__sync_note *notes;
            unsigned long quiet_epoch; /* sys had no message at all in this epoch */
        };
        char mpi__pad[MPI__PAD_COMM];
    };
};

struct mpi__group {
    union {
        struct {
            unsigned magic;
            int size;
            int rank; /* this process's rank in the group, or MPI_UNDEFINED */
            int *world;
            bool predefined;
        };
        char mpi__pad[MPI__PAD_SMALL];
    };
};

struct mpi__errhandler {
    union {
        struct {
            int fatal;
        };
        char mpi__pad[MPI__PAD_SMALL];
    };
};

/* C element kinds the reduction kernels know. */
enum mpi__kind {
    MPI__K_NONE, MPI__K_CHAR, MPI__K_SCHAR, MPI__K_UCHAR, MPI__K_SHORT, MPI__K_USHORT,
    MPI__K_INT, MPI__K_UINT, MPI__K_LONG, MPI__K_ULONG, MPI__K_LLONG, MPI__K_ULLONG,
    MPI__K_INT8, MPI__K_UINT8, MPI__K_INT16, MPI__K_UINT16, MPI__K_INT32, MPI__K_UINT32,
    MPI__K_INT64, MPI__K_UINT64, MPI__K_WCHAR, MPI__K_BOOL, MPI__K_FLOAT, MPI__K_DOUBLE,
    MPI__K_LDOUBLE, MPI__K_CFLOAT, MPI__K_CDOUBLE, MPI__K_CLDOUBLE, MPI__K_BYTE,
    MPI__K_FLOAT_INT, MPI__K_DOUBLE_INT, MPI__K_LONG_INT, MPI__K_2INT, MPI__K_SHORT_INT,
    MPI__K_LDOUBLE_INT
};

/* A contiguous run of bytes of a datatype, relative to the buffer. */
struct mpi__block {
    MPI_Aint disp;
    size_t len;
};

/*
 * A datatype: its typemap flattened into byte blocks (in typemap order,
 * adjacent ones merged). Packing copies the blocks of element i, found at
 * buf + i * extent, one after the other.
 */
struct mpi__datatype {
    union {
        struct {
            unsigned magic;
            bool predefined, committed;
            const char *name;
            size_t size;        /* bytes of data in one element */
            size_t align;       /* the strictest C alignment of its parts (pads struct extents) */
            MPI_Aint lb, extent; /* the element's span; consecutive elements are extent apart */
            MPI_Aint true_lb, true_ub;
            int nblocks;
            struct mpi__block *blocks;
            bool contiguous;    /* one block at 0 of extent bytes: send and receive in place */
            /* Homogeneous types: every element is nprim copies of one predefined
             * type prim (NULL otherwise); predefined ops reduce on prims. */
            struct mpi__datatype *prim;
            size_t nprim;
            enum mpi__kind kind; /* predefined only */
            mpr_datatype mpr;   /* libmpr's equal type, or 0 */
            struct mpi__block one; /* the single block of a predefined type */
        };
        char mpi__pad[MPI__PAD_TYPE];
    };
};

struct mpi__op {
    union {
        struct {
            int builtin; /* MPR_SUM.. for the arithmetic and logical ones, or the values below */
            MPI_User_function *fn;
            bool commute;
        };
        char mpi__pad[MPI__PAD_SMALL];
    };
};
#define MPI__OP_MAXLOC 100
#define MPI__OP_MINLOC 101

_Static_assert(sizeof(struct mpi__comm) == MPI__PAD_COMM, "struct mpi__comm outgrew its pad");
_Static_assert(sizeof(struct mpi__datatype) == MPI__PAD_TYPE, "struct mpi__datatype outgrew its pad");
_Static_assert(sizeof(struct mpi__group) == MPI__PAD_SMALL, "struct mpi__group outgrew its pad");
_Static_assert(sizeof(struct mpi__op) == MPI__PAD_SMALL, "struct mpi__op outgrew its pad");
_Static_assert(sizeof(struct mpi__errhandler) == MPI__PAD_SMALL, "struct mpi__errhandler outgrew its pad");

/* A non-blocking operation. parts[0] moves the data; parts[1] is the
 * acknowledgement of an Issend. */
struct mpi__request {
    unsigned magic;
    bool recv;
    mpr_request parts[2];
    int part_rc[2];
    mpr_status data_status;
    MPI_Comm comm;
    void *ubuf;           /* receive: where to unpack a non-contiguous type */
    int count;
    MPI_Datatype type;
    void *tmp;            /* packed copy (freed on completion) */
    uint32_t ack;         /* the acknowledgement's payload lands here */
    size_t capacity;      /* receive: bytes the buffer holds */
    bool proc_null;
    bool marked;          /* scratch flag of request.c's waits */
    bool freed;           /* MPI_Request_free'd while in flight */
    struct mpi__request *prev, *next; /* receives in flight (request.c) */
};

/* ---- errors.c ---- */
/* Hand rc (an MPI code) to comm's error handler (world's when comm is
 * NULL or bad); returns rc when the handler returns. */
int mpi__error(MPI_Comm comm, int rc, const char *call);
int mpi__from_mpr(int mpr_rc);
int mpi__ready(void);
extern bool mpi__running; /* between MPI_Init and MPI_Finalize */
#define MPI__RET(comm, rc, call) \
    do { int mpi__rc_ = (rc); \
         return mpi__rc_ == MPI_SUCCESS ? MPI_SUCCESS : mpi__error((comm), mpi__rc_, (call)); \
    } while (0)

/* ---- comm.c ---- */
bool mpi__comm_ok(MPI_Comm comm);
int mpi__check_comm(MPI_Comm comm); /* MPI_SUCCESS or the class for a bad one */
int mpi__comm_wrap(mpr_comm comm, MPI_Comm *out);
int mpi__world_start(void);
void mpi__world_end(void);
/* MPI_IDENT, MPI_SIMILAR or MPI_UNEQUAL for two lists of world ranks. */
int mpi__compare_members(const int *a, int na, const int *b, int nb);

/* ---- datatype.c ---- */
int mpi__check_type(MPI_Datatype type);
void mpi__pack(const void *buf, int count, MPI_Datatype type, void *out);
/* Unpack at most bytes bytes of packed data. */
void mpi__unpack(const void *packed, size_t bytes, void *buf, int count, MPI_Datatype type);
size_t mpi__bytes(int count, MPI_Datatype type);

/* ---- op.c ---- */
int mpi__check_op(MPI_Op op, MPI_Datatype type);
/* inout[i] = in[i] op inout[i] for count elements of type in user layout. */
void mpi__op_apply(MPI_Op op, MPI_Datatype type, const void *in, void *inout, int count);
bool mpi__op_native(MPI_Op op, MPI_Datatype type, mpr_op *mop);

/* ---- p2p.c ---- */
void mpi__sync_received(MPI_Comm comm, int source, int tag);
void mpi__bsend_release_all(void);

/* ---- request.c ---- */
/* Bumped after every libmpr call that may complete receives: the
 * receives completed by one call form a batch (see mpi__sync_received). */
extern unsigned long mpi__epoch;
MPI_Request mpi__request_alloc(void);
void mpi__request_release(MPI_Request req);
void mpi__active_add(MPI_Request req);
bool mpi__active_any(void);
/* Wait for *req (not MPI_REQUEST_NULL), free it, set it to NULL; returns its
 * error (no error handler called). */
int mpi__request_finish(MPI_Request *req, MPI_Status *status);
/* Wait for a libmpr request while finishing receives in flight. */
int mpi__wait_mpr(mpr_request *req, mpr_status *status);
void mpi__status_empty(MPI_Status *status, int source);
void mpi__requests_release_all(void);

#endif /* MPI_INTERNAL_H */
