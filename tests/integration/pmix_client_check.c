/*
 * pmix_client_check - prove mprun's PMIx server with the PMIx client API
 * alone (no libmpr): each rank checks its rank, the job size, its host's
 * ranks (PMIX_LOCAL_PEERS holds it, PMIX_LOCAL_SIZE counts them,
 * PMIX_LOCAL_RANK is its place among them), puts a key, fences with data
 * collection, reads its right neighbour's key (on another host too) and
 * finalizes. Prints "rank R of N: ok" and exits 0, or says what failed and
 * exits 1.
 *
 *   mprun -n 4 pmix_client_check           the wire-up check
 *   mprun -n 2 pmix_client_check hosts     the same, printing
 *                                          "rank R of N on HOST with local peers P: ok"
 *   mprun -n 2 pmix_client_check abort C   the last rank calls PMIx_Abort(C)
 *                                          while the others wait in a fence
 */
#include <pmix.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pmix_proc_t me;

/* For sanitizer builds: libpmix keeps a few allocations to the end. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libpmix.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

static int fail(const char *what, pmix_status_t rc)
{
    fprintf(stderr, "pmix_client_check rank %d: %s: %s\n", (int)me.rank, what,
            PMIx_Error_string(rc));
    return 1;
}

static int get_job_u32(const char *key, uint32_t *value)
{
    pmix_proc_t job;
    pmix_value_t *val = NULL;
    pmix_status_t rc;

    PMIX_LOAD_PROCID(&job, me.nspace, PMIX_RANK_WILDCARD);
    rc = PMIx_Get(&job, key, NULL, 0, &val);
    if (rc != PMIX_SUCCESS)
        return fail(key, rc);
    if (val->type == PMIX_UINT32)
        *value = val->data.uint32;
    else
        rc = PMIX_ERR_TYPE_MISMATCH;
    PMIX_VALUE_RELEASE(val);
    return rc == PMIX_SUCCESS ? 0 : fail(key, rc);
}

/* PMIX_LOCAL_PEERS: "0,1,4"; count the ranks, and find our place. */
static int get_local_peers(char *peers, size_t len, uint32_t *count, int *my_index)
{
    pmix_proc_t job;
    pmix_value_t *val = NULL;
    pmix_status_t rc;

    PMIX_LOAD_PROCID(&job, me.nspace, PMIX_RANK_WILDCARD);
    rc = PMIx_Get(&job, PMIX_LOCAL_PEERS, NULL, 0, &val);
    if (rc != PMIX_SUCCESS)
        return fail(PMIX_LOCAL_PEERS, rc);
    if (val->type != PMIX_STRING || val->data.string == NULL) {
        PMIX_VALUE_RELEASE(val);
        return fail(PMIX_LOCAL_PEERS, PMIX_ERR_TYPE_MISMATCH);
    }
    snprintf(peers, len, "%s", val->data.string);
    PMIX_VALUE_RELEASE(val);
    *count = 0;
    *my_index = -1;
    for (char *p = peers; *p != '\0';) {
        char *end;
        unsigned long r = strtoul(p, &end, 10);

        if (end == p)
            break;
        if (r == me.rank)
            *my_index = (int)*count;
        (*count)++;
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

static int get_local_rank(uint16_t *value)
{
    pmix_value_t *val = NULL;
    pmix_status_t rc = PMIx_Get(&me, PMIX_LOCAL_RANK, NULL, 0, &val);

    if (rc != PMIX_SUCCESS)
        return fail("PMIX_LOCAL_RANK", rc);
    if (val->type == PMIX_UINT16)
        *value = val->data.uint16;
    else
        rc = PMIX_ERR_TYPE_MISMATCH;
    PMIX_VALUE_RELEASE(val);
    return rc == PMIX_SUCCESS ? 0 : fail("PMIX_LOCAL_RANK", rc);
}

static int fence_collect(void)
{
    pmix_info_t info;
    bool collect = true;
    pmix_status_t rc;

    PMIX_INFO_CONSTRUCT(&info);
    PMIx_Info_load(&info, PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
    rc = PMIx_Fence(NULL, 0, &info, 1);
    PMIX_INFO_DESTRUCT(&info);
    return rc == PMIX_SUCCESS ? 0 : fail("PMIx_Fence", rc);
}

static int exchange(uint32_t size)
{
    char mine[64], want[64];
    pmix_value_t value, *got = NULL;
    pmix_proc_t peer;
    pmix_status_t rc;

    snprintf(mine, sizeof(mine), "endpoint-of-%u", me.rank);
    value.type = PMIX_STRING;
    value.data.string = mine;
    rc = PMIx_Put(PMIX_GLOBAL, "check.endpoint", &value);
    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Put", rc);
    rc = PMIx_Commit();
    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Commit", rc);
    if (fence_collect() != 0)
        return 1;

    PMIX_LOAD_PROCID(&peer, me.nspace, (me.rank + 1) % size);
    snprintf(want, sizeof(want), "endpoint-of-%u", peer.rank);
    rc = PMIx_Get(&peer, "check.endpoint", NULL, 0, &got);
    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Get of the neighbour's key", rc);
    if (got->type != PMIX_STRING || strcmp(got->data.string, want) != 0) {
        fprintf(stderr, "pmix_client_check rank %u: neighbour's key is wrong\n", me.rank);
        PMIX_VALUE_RELEASE(got);
        return 1;
    }
    PMIX_VALUE_RELEASE(got);
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t size = 0, local_size = 0, npeers = 0;
    uint16_t local_rank = 0;
    char peers[4096], host[256];
    int my_index = -1;
    pmix_status_t rc;
    int failed;

    rc = PMIx_Init(&me, NULL, 0);
    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Init", rc);
    if (get_job_u32(PMIX_JOB_SIZE, &size) != 0 || get_job_u32(PMIX_LOCAL_SIZE, &local_size) != 0 ||
        get_local_rank(&local_rank) != 0 ||
        get_local_peers(peers, sizeof(peers), &npeers, &my_index) != 0)
        return 1;

    if (argc == 3 && strcmp(argv[1], "abort") == 0) {
        if (me.rank == size - 1) {
            PMIx_Abort(atoi(argv[2]), "pmix_client_check was asked to abort", NULL, 0);
            fprintf(stderr, "pmix_client_check rank %u: PMIx_Abort returned\n", me.rank);
            return 1;
        }
        fence_collect(); /* blocks: the aborting rank never joins */
        return 1;
    }

    failed = size < 1 || me.rank >= size || local_size != npeers || my_index < 0 ||
             local_rank != (uint16_t)my_index;
    if (failed)
        fprintf(stderr,
                "pmix_client_check rank %u: size %u local size %u local rank %u local peers %s\n",
                me.rank, size, local_size, local_rank, peers);
    else
        failed = exchange(size);
    rc = PMIx_Finalize(NULL, 0);
    if (rc != PMIX_SUCCESS)
        return fail("PMIx_Finalize", rc);
    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "?");
    if (!failed && argc == 2 && strcmp(argv[1], "hosts") == 0)
        printf("rank %u of %u on %s with local peers %s: ok\n", me.rank, size, host, peers);
    else if (!failed)
        printf("rank %u of %u: ok\n", me.rank, size);
    return failed;
}
