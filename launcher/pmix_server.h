/*
 * pmix_server.h - the PMIx server embedded in mprun.
 *
 * libpmix runs its own progress thread and calls our module from it. Those
 * callbacks only queue an event and wake the main loop through an eventfd;
 * the main loop takes the events (mprun_pmix_take_event) and completes them.
 * No other function here may be called from a libpmix callback.
 */
#ifndef MPRUN_PMIX_SERVER_H
#define MPRUN_PMIX_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "names.h"

/* Where the ranks of a job run: hosts and, for each rank, its host. Every
 * host has at least one rank; the host index is the PMIx node id. */
struct mprun_layout {
    int nranks;
    int nhosts;
    char **hosts;      /* short host names, nhosts of them */
    int *host_of_rank; /* nranks entries: index into hosts */
    int local_host;    /* index of the host this server runs on */
};

enum mprun_pmix_event_kind {
    MPRUN_PMIX_ABORT, /* a rank called PMIx_Abort */
    MPRUN_PMIX_FENCE, /* this host's part of a fence is in (every fence, since
                         mprun sets PMIX_MCA_pmix_server_fence_localonly_opt=0);
                         status is an error if one of this host's participants
                         has finalized or ended */
    MPRUN_PMIX_NAMES, /* a rank's publish, lookup or unpublish (names): give it
                         to the job's directory, and its reply to
                         mprun_pmix_complete_names */
    MPRUN_PMIX_LOG,   /* a rank's PMIx_Log: message, one line for mprun's stderr */
    /* internal: never returned by mprun_pmix_take_event */
    MPRUN_PMIX_FINALIZED,
    MPRUN_PMIX_QUERY,
};

/* An event from a libpmix callback, owned by the main loop once taken. */
struct mprun_pmix_event {
    enum mprun_pmix_event_kind kind;
    int rank;          /* ABORT, NAMES, LOG: who */
    int status;        /* ABORT: the code; FENCE: local collective status */
    char *message;     /* ABORT: the rank's message, may be NULL; LOG: the line */
    char *data;        /* FENCE: this host's contribution (malloc'd) */
    size_t ndata;
    uint32_t *procs;   /* FENCE: the participants' ranks, sorted, UINT32_MAX
                          for all of them (malloc'd) */
    uint32_t nprocs;
    struct mprun_names_request *names; /* NAMES: the request (id, op, rank, entries) */
    struct mprun_pmix_completion *completion; /* private to pmix_server.c */
    struct mprun_pmix_event *next;
};

/* mprun_pmix_start - start the server with tmpdir as its private directory,
 * as host `host` (a short name, the one used in the layout) with node id
 * `nodeid` (its index in the layout). hwloc_topology, when not NULL, spares
 * libpmix its own discovery; it must outlive the server. Returns the
 * eventfd that becomes readable when events are queued, or -1 with a
 * reason in err. */
int mprun_pmix_start(const char *tmpdir, const char *host, uint32_t nodeid,
                     void *hwloc_topology, char *err, size_t errlen);

/* mprun_pmix_register_job - register the namespace and this host's ranks
 * (blocking). Returns 0 or -1 with a reason in err. */
int mprun_pmix_register_job(const char *nspace, const struct mprun_layout *layout,
                            char *err, size_t errlen);

/* mprun_pmix_setup_rank - register one local rank as a client and add what
 * it needs to *env (a malloc'd array of malloc'd strings; it may be
 * reallocated). Returns 0 or -1 with a reason in err. */
int mprun_pmix_setup_rank(int rank, char ***env, char *err, size_t errlen);

/* mprun_pmix_rank_connected - libpmix has taken the rank's connection
 * request (a rank frozen before that would leave libpmix's listener
 * blocked in the middle of reading it, and finalize waiting forever). */
bool mprun_pmix_rank_connected(int rank);

/* mprun_pmix_rank_left_unfinalized - the rank connected (mpr_init) and has
 * not called PMIx_Finalize: once it has ended, it left without finalizing.
 * Set before libpmix answers the client, so it is true of a rank that
 * already ended. */
bool mprun_pmix_rank_left_unfinalized(int rank);

/* mprun_pmix_rank_ended - a rank of this host ended (main thread). */
void mprun_pmix_rank_ended(int rank);

/* mprun_pmix_set_exit_check - how to tell, when a fence is taken, that a
 * rank of this host has exited though its end is not handled yet (libpmix
 * may see its connection close first). */
void mprun_pmix_set_exit_check(bool (*exited)(void *ctx, int rank), void *ctx);

/* mprun_pmix_take_event - the oldest queued event, or NULL. Clears the
 * eventfd when the queue is empty. */
struct mprun_pmix_event *mprun_pmix_take_event(void);

/* mprun_pmix_complete_fence - give libpmix the data gathered from every host
 * (ownership of data passes to libpmix), or a failure status. A fence taken
 * from the queue and not completed yet is failed by mprun_pmix_stop; it
 * may still be completed (nothing happens) or freed afterwards. */
void mprun_pmix_complete_fence(struct mprun_pmix_event *ev, int status, char *data,
                               size_t ndata);

/* mprun_pmix_complete_names - the directory's reply to a NAMES request
 * (matched by id); nothing happens if it was answered already. */
void mprun_pmix_complete_names(const struct mprun_names_request *reply);

void mprun_pmix_event_free(struct mprun_pmix_event *ev);

/* mprun_pmix_stop - deregister the job and finalize the server. Queued
 * fences fail; ranks blocked in PMIx_Abort stay blocked (they are being
 * killed). Safe to call again, or if never started. */
void mprun_pmix_stop(void);

/* mprun_pmix_gate_close - (pmix_gate.c) let libpmix's listener thread out
 * of a waiting accept() for good: called before PMIx_server_finalize. */
void mprun_pmix_gate_close(void);

#endif
