/*
 * mprun - start the ranks of an mpr job on this host.
 * See mprun --help, and docs/ARCHITECTURE.md for how it works inside.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "job.h"
#include "spawn.h"

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

int main(int argc, char **argv)
{
    struct mprun_options opts;
    char err[512];
    char *program_path;
    int code;

    open_missing_std_fds();
    if (mprun_cli_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
        mprun_cli_free(&opts);
        return usage_error(err);
    }
    if (opts.action == MPRUN_ACTION_HELP) {
        mprun_cli_print_usage(stdout);
        mprun_cli_free(&opts);
        return 0;
    }
    if (opts.action == MPRUN_ACTION_VERSION) {
        printf("mprun (mpr) %s\n", PACKAGE_VERSION);
        mprun_cli_free(&opts);
        return 0;
    }
    program_path = mprun_find_program(opts.prog_argv[0], err, sizeof(err));
    if (program_path == NULL) {
        mprun_cli_free(&opts);
        return usage_error(err);
    }
    code = mprun_job_run(&opts, program_path);
    free(program_path);
    mprun_cli_free(&opts);
    return code;
}
