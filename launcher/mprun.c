/*
 * mprun - start the ranks of an mpr job on this host or on several.
 * See mprun --help, and docs/ARCHITECTURE.md for how it works inside.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "daemon.h"
#include "hosts.h"
#include "job.h"
#include "spawn.h"
#include "tuning.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* LeakSanitizer (configure --enable-sanitizers) asks this hook what to
 * ignore: libpmix keeps a few allocations to the end of the process. */
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

/* With 0, 1 or 2 closed, the ranks' pipes could land there. */
static void open_missing_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
            exit(MPRUN_EXIT_FAILURE);
    }
}

static int usage_error(const char *what)
{
    fprintf(stderr, "mprun: %s\nTry 'mprun --help' for more information.\n", what);
    return MPRUN_EXIT_USAGE;
}

static void free_job_hosts(struct mprun_job_hosts *hosts)
{
    for (int h = 0; hosts->labels != NULL && h < hosts->nhosts; h++)
        free(hosts->labels[h]);
    free(hosts->labels);
    free(hosts->slots);
    free(hosts->host_of_rank);
    memset(hosts, 0, sizeof(*hosts));
}

static int read_host_list(const struct mprun_options *opts, struct mprun_host_list *list, char *err,
                          size_t errlen)
{
    if (opts->hostfile != NULL)
        return mprun_hosts_read_file(opts->hostfile, list, err, errlen);
    for (int i = 0; i < opts->nhost_lists; i++) {
        if (mprun_hosts_parse_list(opts->host_lists[i], list, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* Keep the hosts that get ranks, in list order, and renumber. */
static int keep_used_hosts(const struct mprun_host_list *list, int local, int *host_of_rank,
                           struct mprun_job_hosts *hosts)
{
    int *new_index = calloc((size_t)list->nhosts, sizeof(*new_index));
    int rc = -1;

    hosts->labels = calloc((size_t)list->nhosts, sizeof(*hosts->labels));
    hosts->slots = calloc((size_t)list->nhosts, sizeof(*hosts->slots));
    if (new_index == NULL || hosts->labels == NULL || hosts->slots == NULL)
        goto out;
    for (int h = 0; h < list->nhosts; h++)
        new_index[h] = -1;
    for (int r = 0; r < hosts->nranks; r++)
        new_index[host_of_rank[r]] = 0;
    for (int h = 0; h < list->nhosts; h++) {
        if (new_index[h] < 0)
            continue;
        new_index[h] = hosts->nhosts;
        hosts->labels[hosts->nhosts] = strdup(list->hosts[h].name);
        hosts->slots[hosts->nhosts] = list->hosts[h].slots;
        if (hosts->labels[hosts->nhosts++] == NULL)
            goto out;
    }
    for (int r = 0; r < hosts->nranks; r++)
        host_of_rank[r] = new_index[host_of_rank[r]];
    hosts->local_host = local >= 0 ? new_index[local] : -1;
    rc = 0;
out:
    free(new_index);
    return rc;
}

/* Where the ranks go: this host alone, or the hosts of --host/--hostfile. */
static int resolve_hosts(const struct mprun_options *opts, struct mprun_job_hosts *hosts, char *err,
                         size_t errlen)
{
    struct mprun_host_list list = {0};
    struct mprun_local_identity id;
    char name[HOST_NAME_MAX + 1];
    int local, rc = -1;

    memset(hosts, 0, sizeof(*hosts));
    hosts->listed = opts->nhost_lists > 0 || opts->hostfile != NULL;
    if (!hosts->listed) {
        mprun_short_host_name(name, sizeof(name));
        hosts->nhosts = 1;
        hosts->nranks = hosts->total_slots = opts->nranks;
        hosts->labels = calloc(1, sizeof(*hosts->labels));
        hosts->slots = calloc(1, sizeof(*hosts->slots));
        hosts->host_of_rank = calloc((size_t)opts->nranks, sizeof(*hosts->host_of_rank));
        if (hosts->labels == NULL || hosts->slots == NULL || hosts->host_of_rank == NULL ||
            (hosts->labels[0] = strdup(name)) == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        hosts->slots[0] = opts->nranks;
        return 0;
    }
    if (read_host_list(opts, &list, err, errlen) != 0)
        goto out;
    if (mprun_local_identity_load(&id) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    local = mprun_hosts_mark_local(&list, &id);
    mprun_local_identity_free(&id);
    hosts->total_slots = mprun_hosts_total_slots(&list);
    hosts->nranks = opts->nranks_given                     ? opts->nranks
                    : hosts->total_slots < MPRUN_MAX_RANKS ? hosts->total_slots
                                                           : MPRUN_MAX_RANKS;
    hosts->host_of_rank = calloc((size_t)hosts->nranks, sizeof(*hosts->host_of_rank));
    if (hosts->host_of_rank == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    mprun_hosts_place(&list, hosts->nranks, opts->map == MPRUN_MAP_NODE, hosts->host_of_rank);
    if (keep_used_hosts(&list, local, hosts->host_of_rank, hosts) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
out:
    mprun_hosts_free(&list);
    return rc;
}

/* Other hosts run the same path, given to them through a remote shell. */
static char *own_path(char *err, size_t errlen)
{
    char *path = realpath("/proc/self/exe", NULL);

    if (path == NULL) {
        snprintf(err, errlen, "cannot find mprun's own path: %m");
        return NULL;
    }
    if (path[strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                          "/._+-")] != '\0') {
        snprintf(err, errlen,
                 "mprun's path '%s' has characters a remote shell would split or "
                 "expand: install it elsewhere to run on other hosts",
                 path);
        free(path);
        return NULL;
    }
    return path;
}

/* One more -x value, after the user's (so it wins); opts keeps a pointer. */
static int add_export(struct mprun_options *opts, const char *value)
{
    const char **grown = realloc(opts->exports, ((size_t)opts->nexports + 1) * sizeof(*grown));

    if (grown == NULL)
        return -1;
    opts->exports = grown;
    opts->exports[opts->nexports++] = value;
    return 0;
}

int main(int argc, char **argv)
{
    struct mprun_options opts;
    struct mprun_job_hosts hosts;
    char err[512];
    char *program_path = NULL, *mprun_path = NULL, *tuning = NULL;
    int code;

    open_missing_std_fds();
    if (argc >= 2 && strcmp(argv[1], "--daemon") == 0)
        return mprun_daemon_main(argc, argv);
    if (mprun_cli_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
        mprun_cli_free(&opts);
        return usage_error(err);
    }
    if (opts.action == MPRUN_ACTION_HELP) {
        mprun_cli_print_usage(stdout);
        mprun_cli_free(&opts);
        return 0;
    }
    if (opts.action == MPRUN_ACTION_TUNING_PATH) {
        char path[PATH_MAX];
        code = mprun_tuning_default_path(path, sizeof(path), err, sizeof(err));
        if (code == 0)
            printf("%s\n", path);
        else
            fprintf(stderr, "mprun: %s\n", err);
        mprun_cli_free(&opts);
        return code == 0 ? 0 : MPRUN_EXIT_FAILURE;
    }
    if (opts.action == MPRUN_ACTION_VERSION) {
        printf("mprun (mpr) %s\n", PACKAGE_VERSION);
        mprun_cli_free(&opts);
        return 0;
    }
    if (resolve_hosts(&opts, &hosts, err, sizeof(err)) != 0) {
        free_job_hosts(&hosts);
        mprun_cli_free(&opts);
        return usage_error(err);
    }
    /* The program must exist here when this host runs ranks; other hosts
     * look it up themselves (same paths everywhere). */
    if (hosts.local_host >= 0) {
        program_path = mprun_find_program(opts.prog_argv[0], err, sizeof(err));
        if (program_path == NULL) {
            free_job_hosts(&hosts);
            mprun_cli_free(&opts);
            return usage_error(err);
        }
    }
    if (hosts.nhosts > 1 || hosts.local_host < 0) {
        mprun_path = own_path(err, sizeof(err));
        if (mprun_path == NULL) {
            fprintf(stderr, "mprun: %s\n", err);
            free(program_path);
            free_job_hosts(&hosts);
            mprun_cli_free(&opts);
            return MPRUN_EXIT_FAILURE;
        }
    }
    tuning = mprun_tuning_export(&opts, hosts.nhosts == 1 && hosts.local_host >= 0);
    if (tuning != NULL && add_export(&opts, tuning) != 0) {
        fprintf(stderr, "mprun: out of memory\n");
        code = MPRUN_EXIT_FAILURE;
    } else {
        code = mprun_job_run(&opts, &hosts, program_path, mprun_path);
    }
    free(tuning);
    free(mprun_path);
    free(program_path);
    free_job_hosts(&hosts);
    mprun_cli_free(&opts);
    return code;
}
