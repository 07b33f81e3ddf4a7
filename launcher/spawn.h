/*
 * spawn.h - find the program, build the ranks' environment, fork and exec.
 */
#ifndef MPRUN_SPAWN_H
#define MPRUN_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "binding.h"
#include "cli.h"

/* mprun_find_program - the path to execute for `name`: itself when it has
 * a slash, else the first executable match in PATH. Returns a malloc'd path,
 * or NULL with a one-line reason in err. */
char *mprun_find_program(const char *name, char *err, size_t errlen);

/* mprun_env_prepare_launcher - make mprun's own environment fit to start a
 * PMIx server: drop PMIX_* variables of an outer job (PMIX_MCA_* settings
 * stay) and default PMIX_MCA_gds=hash, PMIX_MCA_psec=native. */
void mprun_env_prepare_launcher(void);

/* mprun_env_make_base - the environment every rank starts from: mprun's,
 * with the -x settings (exports: "VAR", kept as mprun has it, or
 * "VAR=value"; the last of a name wins), MPR_OVERSUBSCRIBED=1 when
 * oversubscribed, and MPR_OUTPUT_FORWARDED=1 (their stdout goes through
 * our pipes: libmpr line-buffers it) unless the user set it. The array is
 * malloc'd; its strings belong to environ or exports. NULL if out of
 * memory. */
char **mprun_env_make_base(const char *const *exports, int nexports, bool oversubscribed);

/* mprun_env_copy - a deep copy (malloc'd array of malloc'd strings), the
 * form PMIx_server_setup_fork needs. NULL if out of memory. */
char **mprun_env_copy(char *const *env);

/* mprun_env_free - release a copy made by mprun_env_copy. */
void mprun_env_free(char **env);

/* What every child restores or sets up between fork and exec. */
struct mprun_child_setup {
    pid_t launcher_pid;          /* to detect a launcher that died already */
    sigset_t signal_mask;        /* mprun's mask before it blocked signals */
    bool sighup_ignored;         /* keep SIGHUP ignored (mprun runs under nohup) */
    bool restore_nofile;
    struct rlimit nofile;        /* the open-file limit mprun started with */
};

/* mprun_signals_take - block SIGCHLD, SIGINT, SIGTERM and SIGHUP (unless
 * SIGHUP is ignored, as under nohup), ignore SIGPIPE, and return a
 * non-blocking signalfd that reports them; record in setup what children
 * must restore. Call before any thread starts, so threads inherit the mask.
 * Returns -1 with errno set on failure. */
int mprun_signals_take(struct mprun_child_setup *setup);

struct mprun_spawn_request {
    const char *path;            /* from mprun_find_program */
    char *const *argv;
    char *const *env;
    int stdin_fd;                /* becomes the rank's stdin */
    const struct mprun_rank_binding *binding;
    const struct mprun_child_setup *setup;
};

/* What a child reports through its status pipe when it cannot become the
 * program. */
enum mprun_child_stage {
    MPRUN_CHILD_BIND,
    MPRUN_CHILD_EXEC,
};

struct mprun_child_failure {
    int stage;                   /* enum mprun_child_stage */
    int error;                   /* errno */
};

struct mprun_spawned {
    pid_t pid;                   /* also the rank's process group */
    int stdout_fd;               /* read ends, non-blocking, close-on-exec */
    int stderr_fd;
    int pidfd;                   /* readable when the rank ends; -1 if the kernel
                                    has no pidfd_open */
    bool failed;                 /* the child could not exec: see failure; it
                                    exits with 127 and must still be reaped */
    struct mprun_child_failure failure;
};

/* mprun_spawn - start one rank; returns once it runs the program or has
 * failed to. Returns 0 when a process was created (check out->failed), or
 * -1 with a reason in err when none was. */
int mprun_spawn(const struct mprun_spawn_request *req, struct mprun_spawned *out,
                char *err, size_t errlen);

#endif
