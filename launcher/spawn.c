/*
 * spawn.c - program lookup, rank environments, fork and exec.
 *
 * A rank is started the way posix_spawn does it: clone(CLONE_VM |
 * CLONE_VFORK) on a stack of its own, so the child shares mprun's memory
 * until it execs and mprun waits until then. Copying mprun's page tables for
 * every rank, as fork does, made starting thousands of ranks quadratic.
 * Between clone and exec the child only makes system calls, on data the
 * parent prepared, and writes nothing but its own stack.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* 0 when path is an executable regular file, else an errno. */
static int check_executable(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
        return EACCES;
    if (access(path, X_OK) != 0)
        return errno;
    return 0;
}

char *mprun_find_program(const char *name, char *err, size_t errlen)
{
    const char *path_var = getenv("PATH");
    const char *dir;
    int first_refusal = 0;
    char *refused = NULL;
    int rc;

    if (name[0] == '\0') {
        snprintf(err, errlen, "the program name is empty");
        return NULL;
    }
    if (strchr(name, '/') != NULL) {
        rc = check_executable(name);
        if (rc != 0) {
            snprintf(err, errlen, "cannot run '%s': %s", name, strerror(rc));
            return NULL;
        }
        return strdup(name);
    }
    if (path_var == NULL)
        path_var = DEFAULT_PATH;
    for (dir = path_var;; dir++) {
        const char *end = strchrnul(dir, ':');
        int dirlen = (int)(end - dir);
        char *candidate;

        /* An empty PATH element means the current directory. */
        if (dirlen == 0 ? asprintf(&candidate, "./%s", name) < 0
                        : asprintf(&candidate, "%.*s/%s", dirlen, dir, name) < 0)
            break;
        rc = check_executable(candidate);
        if (rc == 0) {
            free(refused);
            return candidate;
        }
        if (rc != ENOENT && rc != ENOTDIR && refused == NULL) {
            first_refusal = rc;
            refused = candidate;
        } else {
            free(candidate);
        }
        if (*end == '\0')
            break;
        dir = end;
    }
    if (refused != NULL)
        snprintf(err, errlen, "cannot run '%s': %s", refused, strerror(first_refusal));
    else
        snprintf(err, errlen, "cannot find program '%s' in PATH", name);
    free(refused);
    return NULL;
}

static bool has_name(const char *entry, const char *name, size_t len)
{
    return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

void mprun_env_prepare_launcher(void)
{
    size_t count = 0, n = 0;
    char **names;

    for (char **e = environ; *e != NULL; e++)
        count++;
    names = calloc(count + 1, sizeof(*names));
    /* Collect first: unsetenv rewrites environ under our feet. */
    for (size_t i = 0; names != NULL && i < count; i++) {
        const char *entry = environ[i];

        if (strncmp(entry, "PMIX_", 5) == 0 && strncmp(entry, "PMIX_MCA_", 9) != 0)
            names[n++] = strndup(entry, strcspn(entry, "="));
    }
    for (size_t i = 0; i < n; i++) {
        if (names[i] != NULL)
            unsetenv(names[i]);
        free(names[i]);
    }
    free(names);
    /* Faster launch (see pmix.md); a user's own choice is kept. */
    setenv("PMIX_MCA_gds", "hash", 0);
    setenv("PMIX_MCA_psec", "native", 0);
    /* Every fence reaches our fence_nb, even on one host, where a fence
     * over a rank that has finalized or died is failed (pmix_server.c). */
    setenv("PMIX_MCA_pmix_server_fence_localonly_opt", "0", 0);
}

static bool overridden_by_exports(const char *entry, const char *const *exports, int nexports)
{
    for (int i = 0; i < nexports; i++) {
        const char *x = exports[i];
        size_t len = mprun_cli_export_name_length(x);

        if (x[len] == '=' && has_name(entry, x, len))
            return true;
    }
    return false;
}

char **mprun_env_make_base(const char *const *exports, int nexports, bool oversubscribed)
{
    static char oversubscribed_setting[] = "MPR_OVERSUBSCRIBED=1";
    static char forwarded_setting[] = "MPR_OUTPUT_FORWARDED=1";
    size_t count = 0, n = 0;
    bool forwarded_chosen = false;
    char **env;

    for (char **e = environ; *e != NULL; e++)
        count++;
    env = calloc(count + (size_t)nexports + 3, sizeof(*env));
    if (env == NULL)
        return NULL;
    for (char **e = environ; *e != NULL; e++) {
        if (has_name(*e, "MPR_OVERSUBSCRIBED", strlen("MPR_OVERSUBSCRIBED")) ||
            overridden_by_exports(*e, exports, nexports))
            continue;
        forwarded_chosen |= has_name(*e, "MPR_OUTPUT_FORWARDED", strlen("MPR_OUTPUT_FORWARDED"));
        env[n++] = *e;
    }
    /* "-x VAR" alone keeps VAR as mprun has it: it is in environ already.
     * With a value, the last -x of a name wins. */
    for (int i = 0; i < nexports; i++) {
        const char *x = exports[i];
        size_t len = mprun_cli_export_name_length(x);
        bool later = false;

        if (x[len] != '=')
            continue;
        for (int j = i + 1; j < nexports && !later; j++)
            later = strncmp(exports[j], x, len + 1) == 0;
        if (!later) {
            env[n++] = (char *)x;
            forwarded_chosen |= has_name(x, "MPR_OUTPUT_FORWARDED", len);
        }
    }
    if (oversubscribed)
        env[n++] = oversubscribed_setting;
    /* The ranks' output goes through pipes to us: libmpr makes their
     * stdout line-buffered (runtime/core/output.c), unless the user chose. */
    if (!forwarded_chosen)
        env[n++] = forwarded_setting;
    env[n] = NULL;
    return env;
}

int mprun_signals_take(struct mprun_child_setup *setup)
{
    struct sigaction old;
    sigset_t set;

    sigaction(SIGHUP, NULL, &old);
    setup->sighup_ignored = old.sa_handler == SIG_IGN;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* Under nohup, SIGHUP stays ignored, for mprun and its ranks alike. */
    if (!setup->sighup_ignored)
        sigaddset(&set, SIGHUP);
    /* Blocked before libpmix starts its threads, so they inherit the mask
     * and every such signal reaches the signalfd. */
    sigprocmask(SIG_BLOCK, &set, &setup->signal_mask);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

char **mprun_env_copy(char *const *env)
{
    size_t count = 0;
    char **copy;

    while (env[count] != NULL)
        count++;
    copy = calloc(count + 1, sizeof(*copy));
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        copy[i] = strdup(env[i]);
        if (copy[i] == NULL) {
            mprun_env_free(copy);
            return NULL;
        }
    }
    return copy;
}

void mprun_env_free(char **env)
{
    if (env == NULL)
        return;
    for (char **e = env; *e != NULL; e++)
        free(*e);
    free(env);
}

/* Code run by the child before exec. AddressSanitizer cannot follow a
 * process onto a borrowed stack (it warns at every noreturn call): keep it
 * out of these few functions. */
#define CHILD_CODE __attribute__((no_sanitize_address))

static CHILD_CODE __attribute__((noreturn)) void
report_child_failure(int fd, enum mprun_child_stage stage, int error)
{
    struct mprun_child_failure failure = {.stage = stage, .error = error};

    if (write(fd, &failure, sizeof(failure)) < 0) {
        /* The parent learns of the failure from the exit code alone. */
    }
    _exit(127);
}

static CHILD_CODE void move_fd(int from, int to)
{
    if (from != to && dup2(from, to) < 0)
        _exit(127);
}

/* Between clone and exec: system calls only, nothing written but the stack. */
static CHILD_CODE __attribute__((noreturn)) void
run_child(const struct mprun_spawn_request *req, int out_fd, int err_fd, int status_fd)
{
    const struct mprun_child_setup *setup = req->setup;
    static const int reset_signals[] = {SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGCHLD};
    struct sigaction dfl;
    int rc;

    /* Die with mprun, even if it was SIGKILLed before we got here. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != setup->launcher_pid)
        _exit(127);
    setpgid(0, 0);
    move_fd(req->stdin_fd, STDIN_FILENO);
    move_fd(out_fd, STDOUT_FILENO);
    move_fd(err_fd, STDERR_FILENO);

    rc = mprun_binding_apply(req->binding);
    if (rc != 0)
        report_child_failure(status_fd, MPRUN_CHILD_BIND, rc);

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (size_t i = 0; i < sizeof(reset_signals) / sizeof(reset_signals[0]); i++)
        sigaction(reset_signals[i], &dfl, NULL);
    if (!setup->sighup_ignored)
        sigaction(SIGHUP, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &setup->signal_mask, NULL);
    if (setup->restore_nofile)
        setrlimit(RLIMIT_NOFILE, &setup->nofile);
    /* Whatever libpmix or a library left without close-on-exec stays ours. */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

    execve(req->path, req->argv, req->env);
    report_child_failure(status_fd, MPRUN_CHILD_EXEC, errno);
}

struct child_start {
    const struct mprun_spawn_request *req;
    int out_fd, err_fd, status_fd;
};

static CHILD_CODE int child_main(void *arg)
{
    const struct child_start *start = arg;

    run_child(start->req, start->out_fd, start->err_fd, start->status_fd);
}

/* Used by one child at a time: mprun is suspended until that child execs. */
#define CHILD_STACK_SIZE (64 * 1024)
static char child_stack[CHILD_STACK_SIZE] __attribute__((aligned(64)));

static void close_pair(int fds[2])
{
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
}

int mprun_spawn(const struct mprun_spawn_request *req, struct mprun_spawned *out, char *err,
                size_t errlen)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, status_pipe[2] = {-1, -1};
    struct child_start start;
    ssize_t n;
    pid_t pid;

    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
        pipe2(status_pipe, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot create pipes: %s", strerror(errno));
        goto fail;
    }
    start = (struct child_start){req, out_pipe[1], err_pipe[1], status_pipe[1]};
    pid = clone(child_main, child_stack + sizeof(child_stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
                &start);
    if (pid < 0) {
        snprintf(err, errlen, "cannot start a process: %s", strerror(errno));
        goto fail;
    }
    /* The child has exec'd (its end of the status pipe closed with it) or
     * has written why it could not. */
    close(status_pipe[1]);
    n = read(status_pipe[0], &out->failure, sizeof(out->failure));
    close(status_pipe[0]);
    out->failed = n == (ssize_t)sizeof(out->failure);

    /* The child does the same: whichever runs first creates the group, so a
     * signal to the group cannot miss the child. */
    setpgid(pid, pid);
    close(out_pipe[1]);
    close(err_pipe[1]);
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
    out->pid = pid;
    out->stdout_fd = out_pipe[0];
    out->stderr_fd = err_pipe[0];
    out->pidfd = pidfd_open(pid, 0); /* close-on-exec by definition */
    return 0;
fail:
    close_pair(out_pipe);
    close_pair(err_pipe);
    close_pair(status_pipe);
    return -1;
}
