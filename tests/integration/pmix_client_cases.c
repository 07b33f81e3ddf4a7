/*
 * pmix_client_cases - single cases of mprun's PMIx server, with the PMIx
 * client API alone (no libmpr). Each rank prints "rank R: <what>: ok" for
 * each thing it checked and exits 0, or says what failed and exits 1.
 *
 *   nofinalize R [SECS]  rank R returns from main without PMIx_Finalize;
 *                        the others sleep SECS (default 0) and finalize
 *   fence-gone [SECS]    rank 0 finalizes and exits; the others fence (after
 *                        SECS, default 0), which must fail, not hang
 *   fence-die            as fence-gone, but rank 0 exits with code 3 without
 *                        finalizing (run it with --enable-recovery)
 *   publish              rank 0 publishes, all look it up after a fence,
 *                        rank 0 unpublishes, and then nobody finds it
 *   lookup-wait          ranks > 0 look up with PMIX_WAIT a key that rank 0
 *                        publishes after a pause
 *   query                PMIx_Query_info: what mprun answers, and an
 *                        unsupported key refused at once
 *   log                  PMIx_Log of a line to stderr
 *   unsupported          calls mprun does not serve (spawn, groups,
 *                        allocation, job control, monitoring) each return an
 *                        error at once; PMIx_Connect within the job, which
 *                        libpmix completes itself, returns
 */
#include <pmix.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pmix_proc_t me;

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libpmix.so\n";
}

static int fail(const char *what, pmix_status_t rc)
{
    fprintf(stderr, "pmix_client_cases rank %d: %s: %s\n", (int)me.rank, what,
            PMIx_Error_string(rc));
    return 1;
}

static void ok(const char *what)
{
    printf("rank %u: %s: ok\n", me.rank, what);
    fflush(stdout);
}

static uint32_t job_size(void)
{
    pmix_proc_t job;
    pmix_value_t *val = NULL;
    uint32_t size = 0;

    PMIX_LOAD_PROCID(&job, me.nspace, PMIX_RANK_WILDCARD);
    if (PMIx_Get(&job, PMIX_JOB_SIZE, NULL, 0, &val) == PMIX_SUCCESS) {
        if (val->type == PMIX_UINT32)
            size = val->data.uint32;
        PMIX_VALUE_RELEASE(val);
    }
    return size;
}

static pmix_status_t fence(void)
{
    return PMIx_Fence(NULL, 0, NULL, 0);
}

static int finalize(int failed)
{
    pmix_status_t rc = PMIx_Finalize(NULL, 0);

    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Finalize", rc);
    return failed;
}

static int case_nofinalize(int argc, char **argv)
{
    unsigned long who = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    unsigned seconds = argc > 3 ? (unsigned)atoi(argv[3]) : 0;

    if (me.rank == who) {
        ok("leaving without PMIx_Finalize");
        return 0;
    }
    sleep(seconds);
    ok("finalizing");
    return finalize(0);
}

static int case_fence_gone(int argc, char **argv)
{
    pmix_status_t rc;

    if (me.rank == 0 && strcmp(argv[1], "fence-die") == 0)
        _exit(3);
    if (me.rank == 0)
        return finalize(0);
    if (argc > 2)
        sleep((unsigned)atoi(argv[2]));
    rc = fence();
    if (rc == PMIX_SUCCESS) {
        fprintf(stderr, "pmix_client_cases rank %u: a fence without rank 0 succeeded\n",
                me.rank);
        return finalize(1);
    }
    ok("the fence failed without rank 0");
    return finalize(0);
}

static int publish_string(const char *key, const char *value)
{
    pmix_info_t info;
    pmix_status_t rc;

    PMIX_INFO_CONSTRUCT(&info);
    PMIx_Info_load(&info, key, value, PMIX_STRING);
    rc = PMIx_Publish(&info, 1);
    PMIX_INFO_DESTRUCT(&info);
    return rc == PMIX_SUCCESS ? 0 : fail("PMIx_Publish", rc);
}

/* Look key up (waiting for it if wait); 0 if found with the value wanted
 * and published by rank 0, else the status (or PMIX_ERROR). */
static pmix_status_t lookup_string(const char *key, const char *want, bool wait)
{
    pmix_pdata_t pdata;
    pmix_info_t info;
    pmix_status_t rc;

    PMIX_PDATA_CONSTRUCT(&pdata);
    PMIX_LOAD_KEY(pdata.key, key);
    PMIX_INFO_CONSTRUCT(&info);
    PMIx_Info_load(&info, PMIX_WAIT, &wait, PMIX_BOOL);
    rc = PMIx_Lookup(&pdata, 1, &info, 1);
    PMIX_INFO_DESTRUCT(&info);
    if (rc == PMIX_SUCCESS &&
        (pdata.value.type != PMIX_STRING || strcmp(pdata.value.data.string, want) != 0 ||
         pdata.proc.rank != 0 || !PMIX_CHECK_NSPACE(pdata.proc.nspace, me.nspace))) {
        fprintf(stderr, "pmix_client_cases rank %u: lookup of %s: wrong value or publisher\n",
                me.rank, key);
        rc = PMIX_ERROR;
    }
    PMIX_PDATA_DESTRUCT(&pdata);
    return rc;
}

static int case_publish(void)
{
    char *keys[] = {"cases.service", NULL};
    pmix_status_t rc;

    if (me.rank == 0 && publish_string("cases.service", "port-4711") != 0)
        return finalize(1);
    if ((rc = fence()) != PMIX_SUCCESS)
        return finalize(fail("fence after publish", rc));
    rc = lookup_string("cases.service", "port-4711", false);
    if (rc != PMIX_SUCCESS)
        return finalize(fail("PMIx_Lookup of a published key", rc));
    ok("lookup of a published key");
    rc = lookup_string("cases.never", "", false);
    if (rc != PMIX_ERR_NOT_FOUND)
        return finalize(fail("PMIx_Lookup of a key never published", rc));
    ok("lookup of a key never published");
    if ((rc = fence()) != PMIX_SUCCESS)
        return finalize(fail("fence after lookup", rc));
    if (me.rank == 0 && (rc = PMIx_Unpublish(keys, NULL, 0)) != PMIX_SUCCESS)
        return finalize(fail("PMIx_Unpublish", rc));
    if ((rc = fence()) != PMIX_SUCCESS)
        return finalize(fail("fence after unpublish", rc));
    rc = lookup_string("cases.service", "", false);
    if (rc != PMIX_ERR_NOT_FOUND)
        return finalize(fail("PMIx_Lookup of an unpublished key", rc));
    ok("lookup of an unpublished key");
    return finalize(0);
}

static int case_lookup_wait(void)
{
    pmix_status_t rc;

    if (me.rank == 0) {
        usleep(200000); /* most likely after the others asked; either order must work */
        if (publish_string("cases.late", "late-value") != 0)
            return finalize(1);
    } else {
        rc = lookup_string("cases.late", "late-value", true);
        if (rc != PMIX_SUCCESS)
            return finalize(fail("PMIx_Lookup with PMIX_WAIT", rc));
        ok("lookup with PMIX_WAIT");
    }
    if ((rc = fence()) != PMIX_SUCCESS)
        return finalize(fail("fence", rc));
    return finalize(0);
}

static const pmix_info_t *find_result(const pmix_info_t *results, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (PMIX_CHECK_KEY(&results[i], key))
            return &results[i];
    }
    return NULL;
}

/* One query of one key (with our namespace as qualifier); the results. */
static pmix_status_t query_one(const char *key, pmix_info_t **results, size_t *nresults)
{
    pmix_query_t query;
    pmix_status_t rc;

    PMIX_QUERY_CONSTRUCT(&query);
    query.keys = calloc(2, sizeof(char *));
    query.keys[0] = strdup(key);
    query.nqual = 1;
    PMIX_INFO_CREATE(query.qualifiers, 1);
    PMIx_Info_load(&query.qualifiers[0], PMIX_NSPACE, me.nspace, PMIX_STRING);
    *results = NULL;
    *nresults = 0;
    rc = PMIx_Query_info(&query, 1, results, nresults);
    PMIX_QUERY_DESTRUCT(&query);
    return rc;
}

static int case_query(void)
{
    uint32_t size = job_size();
    pmix_info_t *res;
    size_t nres;
    const pmix_info_t *r;
    pmix_status_t rc;

    rc = query_one(PMIX_QUERY_NAMESPACES, &res, &nres);
    r = find_result(res, nres, PMIX_QUERY_NAMESPACES);
    if (rc != PMIX_SUCCESS || r == NULL || r->value.type != PMIX_STRING ||
        strcmp(r->value.data.string, me.nspace) != 0)
        return finalize(fail("query of the namespaces", rc != PMIX_SUCCESS ? rc : PMIX_ERROR));
    PMIX_INFO_FREE(res, nres);
    ok("query of the namespaces");

    rc = query_one(PMIX_JOB_SIZE, &res, &nres);
    r = find_result(res, nres, PMIX_JOB_SIZE);
    if (rc != PMIX_SUCCESS || r == NULL || r->value.type != PMIX_UINT32 ||
        r->value.data.uint32 != size)
        return finalize(fail("query of the job size", rc != PMIX_SUCCESS ? rc : PMIX_ERROR));
    PMIX_INFO_FREE(res, nres);
    ok("query of the job size");

    rc = query_one(PMIX_QUERY_NUM_PSETS, &res, &nres);
    if (rc == PMIX_SUCCESS)
        return finalize(fail("query of something mprun does not serve succeeded", rc));
    if (res != NULL)
        PMIX_INFO_FREE(res, nres);
    ok("query of something mprun does not serve");
    return finalize(0);
}

static int case_log(void)
{
    pmix_info_t data;
    char line[128];
    pmix_status_t rc;

    snprintf(line, sizeof(line), "a log line from rank %u", me.rank);
    PMIX_INFO_CONSTRUCT(&data);
    PMIx_Info_load(&data, PMIX_LOG_STDERR, line, PMIX_STRING);
    rc = PMIx_Log(&data, 1, NULL, 0);
    PMIX_INFO_DESTRUCT(&data);
    if (rc != PMIX_SUCCESS)
        return finalize(fail("PMIx_Log", rc));
    ok("PMIx_Log");
    return finalize(0);
}

/* Each call must come back with an error; one that hangs is caught by
 * the test's timeout, after the line naming it. */
static int refused(const char *what, pmix_status_t rc)
{
    if (rc == PMIX_SUCCESS)
        return fail(what, rc);
    printf("rank %u: %s refused (%s): ok\n", me.rank, what, PMIx_Error_string(rc));
    fflush(stdout);
    return 0;
}

static int case_unsupported(void)
{
    pmix_app_t app;
    pmix_proc_t all;
    pmix_info_t info, *results = NULL;
    size_t nresults = 0;
    char nspace[PMIX_MAX_NSLEN + 1];
    char *argv[] = {"/bin/true", NULL};
    bool yes = true;
    int failed = 0;

    PMIX_LOAD_PROCID(&all, me.nspace, PMIX_RANK_WILDCARD);
    PMIX_INFO_CONSTRUCT(&info);

    printf("rank %u: trying PMIx_Spawn\n", me.rank);
    fflush(stdout);
    PMIX_APP_CONSTRUCT(&app);
    app.cmd = strdup("/bin/true");
    app.argv = argv;
    app.maxprocs = 1;
    failed |= refused("PMIx_Spawn", PMIx_Spawn(NULL, 0, &app, 1, nspace));
    app.argv = NULL;
    PMIX_APP_DESTRUCT(&app);

    printf("rank %u: trying PMIx_Connect\n", me.rank);
    fflush(stdout);
    printf("rank %u: PMIx_Connect returned (%s): ok\n", me.rank,
           PMIx_Error_string(PMIx_Connect(&all, 1, NULL, 0)));

    printf("rank %u: trying PMIx_Allocation_request\n", me.rank);
    fflush(stdout);
    PMIx_Info_load(&info, PMIX_ALLOC_NUM_NODES, &(uint64_t){1}, PMIX_UINT64);
    failed |= refused("PMIx_Allocation_request",
                      PMIx_Allocation_request(PMIX_ALLOC_NEW, &info, 1, &results, &nresults));
    PMIX_INFO_DESTRUCT(&info);

    printf("rank %u: trying PMIx_Job_control\n", me.rank);
    fflush(stdout);
    PMIX_INFO_CONSTRUCT(&info);
    PMIx_Info_load(&info, PMIX_JOB_CTRL_PAUSE, &yes, PMIX_BOOL);
    failed |= refused("PMIx_Job_control", PMIx_Job_control(&all, 1, &info, 1, &results, &nresults));
    PMIX_INFO_DESTRUCT(&info);

    printf("rank %u: trying PMIx_Process_monitor\n", me.rank);
    fflush(stdout);
    PMIX_INFO_CONSTRUCT(&info);
    PMIx_Info_load(&info, PMIX_MONITOR_HEARTBEAT, &yes, PMIX_BOOL);
    failed |= refused("PMIx_Process_monitor",
                      PMIx_Process_monitor(&info, PMIX_MONITOR_HEARTBEAT_ALERT, NULL, 0, &results,
                                           &nresults));
    PMIX_INFO_DESTRUCT(&info);

    printf("rank %u: trying PMIx_Group_construct\n", me.rank);
    fflush(stdout);
    failed |= refused("PMIx_Group_construct",
                      PMIx_Group_construct("cases.group", &all, 1, NULL, 0, &results, &nresults));
    return finalize(failed);
}

int main(int argc, char **argv)
{
    pmix_status_t rc;

    if (argc < 2) {
        fprintf(stderr, "usage: pmix_client_cases CASE [ARGS]\n");
        return 2;
    }
    rc = PMIx_Init(&me, NULL, 0);
    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Init", rc);
    if (strcmp(argv[1], "nofinalize") == 0)
        return case_nofinalize(argc, argv);
    if (strcmp(argv[1], "fence-gone") == 0 || strcmp(argv[1], "fence-die") == 0)
        return case_fence_gone(argc, argv);
    if (strcmp(argv[1], "publish") == 0)
        return case_publish();
    if (strcmp(argv[1], "lookup-wait") == 0)
        return case_lookup_wait();
    if (strcmp(argv[1], "query") == 0)
        return case_query();
    if (strcmp(argv[1], "log") == 0)
        return case_log();
    if (strcmp(argv[1], "unsupported") == 0)
        return case_unsupported();
    fprintf(stderr, "pmix_client_cases: unknown case %s\n", argv[1]);
    return finalize(2);
}
