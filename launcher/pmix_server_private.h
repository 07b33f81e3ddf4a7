/*
 * pmix_server_private.h - what pmix_server.c (life cycle, fences,
 * finalize) and pmix_requests.c (publish, lookup, unpublish, query, log)
 * share. Nothing else includes it.
 */
#ifndef MPRUN_PMIX_SERVER_PRIVATE_H
#define MPRUN_PMIX_SERVER_PRIVATE_H

#include <pmix.h>
#include <pmix_server.h>

#include "pmix_server.h"

struct mprun_pmix_completion {
    pmix_modex_cbfunc_t modex_cbfunc;   /* FENCE */
    pmix_op_cbfunc_t op_cbfunc;         /* FINALIZED, LOG, NAMES publish/unpublish */
    pmix_lookup_cbfunc_t lookup_cbfunc; /* NAMES lookup */
    pmix_info_cbfunc_t info_cbfunc;     /* QUERY */
    void *cbdata;
    pmix_query_t *queries;              /* QUERY: a copy */
    size_t nqueries;
    /* Taken fences not completed yet (main thread only), so that stopping
     * the server can fail them before PMIx_server_finalize. */
    struct mprun_pmix_event *owner;
    struct mprun_pmix_completion *prev, *next;
};

/* Callbacks' side (libpmix's thread). */
struct mprun_pmix_event *mprun_pmix__new_event(enum mprun_pmix_event_kind kind);
void mprun_pmix__queue_event(struct mprun_pmix_event *ev);
const char *mprun_pmix__nspace(void);

pmix_status_t mprun_pmix__on_publish(const pmix_proc_t *proc, const pmix_info_t info[],
                                     size_t ninfo, pmix_op_cbfunc_t cbfunc, void *cbdata);
pmix_status_t mprun_pmix__on_lookup(const pmix_proc_t *proc, char **keys,
                                    const pmix_info_t info[], size_t ninfo,
                                    pmix_lookup_cbfunc_t cbfunc, void *cbdata);
pmix_status_t mprun_pmix__on_unpublish(const pmix_proc_t *proc, char **keys,
                                       const pmix_info_t info[], size_t ninfo,
                                       pmix_op_cbfunc_t cbfunc, void *cbdata);
pmix_status_t mprun_pmix__on_query(pmix_proc_t *proc, pmix_query_t *queries, size_t nqueries,
                                   pmix_info_cbfunc_t cbfunc, void *cbdata);
void mprun_pmix__on_log(const pmix_proc_t *client, const pmix_info_t data[], size_t ndata,
                        const pmix_info_t directives[], size_t ndirs, pmix_op_cbfunc_t cbfunc,
                        void *cbdata);

/* Main thread. */
struct mprun_pmix_job_facts {
    uint32_t nranks, nhosts, nlocal;
    char *local_peers; /* "0,1,4" */
};
void mprun_pmix__set_job_facts(const struct mprun_pmix_job_facts *facts);

/* A request taken from the queue: answer it here (QUERY, LOG: true, freed)
 * or note it until its reply (NAMES: false, given to the owner). */
bool mprun_pmix__take_request(struct mprun_pmix_event *ev);

/* Answer every request still open with status (the server stops). */
void mprun_pmix__answer_open_requests(pmix_status_t status);
void mprun_pmix__requests_reset(void);

#endif
