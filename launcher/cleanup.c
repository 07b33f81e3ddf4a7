/*
 * cleanup.c - remove what a job may leave behind.
 */
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Signal the children listed in /proc/self/task/<tid>/children, for every
 * thread (an orphan may be given to any thread of its subreaper). */
static void kill_listed_children(void)
{
    DIR *tasks = opendir("/proc/self/task");
    struct dirent *de;

    if (tasks == NULL)
        return;
    while ((de = readdir(tasks)) != NULL) {
        char path[300];
        FILE *f;
        long pid;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
        f = fopen(path, "re");
        if (f == NULL)
            continue;
        while (fscanf(f, "%ld", &pid) == 1)
            kill((pid_t)pid, SIGKILL);
        fclose(f);
    }
    closedir(tasks);
}

void mprun_kill_children(int signal_fd, int timeout_ms)
{
    int64_t give_up = now_ms() + timeout_ms;

    for (;;) {
        struct pollfd pfd = {.fd = signal_fd, .events = POLLIN};
        struct signalfd_siginfo si;
        pid_t reaped;
        int64_t left;

        while ((reaped = waitpid(-1, NULL, WNOHANG)) > 0) {
        }
        if (reaped < 0 && errno == ECHILD)
            return;
        kill_listed_children();
        left = give_up - now_ms();
        if (left <= 0 || signal_fd < 0)
            return;
        poll(&pfd, 1, (int)left);
        while (read(signal_fd, &si, sizeof(si)) > 0) {
        }
    }
}

static void remove_tree_at(int parent_fd, const char *name)
{
    int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;

    if (dir != NULL) {
        while ((de = readdir(dir)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (unlinkat(dirfd(dir), de->d_name, 0) != 0 && (errno == EISDIR || errno == EPERM))
                remove_tree_at(dirfd(dir), de->d_name);
        }
        closedir(dir);
    } else if (fd >= 0) {
        close(fd);
    }
    unlinkat(parent_fd, name, AT_REMOVEDIR);
}

void mprun_remove_tree(const char *path)
{
    remove_tree_at(AT_FDCWD, path);
}

void mprun_remove_shm_files(const char *nspace)
{
    char prefix[96];
    size_t prefix_len;
    DIR *dir = opendir("/dev/shm");
    struct dirent *de;

    if (dir == NULL)
        return;
    prefix_len = (size_t)snprintf(prefix, sizeof(prefix), "mpr-%s-", nspace);
    while ((de = readdir(dir)) != NULL) {
        if (strncmp(de->d_name, prefix, prefix_len) == 0)
            unlinkat(dirfd(dir), de->d_name, 0);
    }
    closedir(dir);
}
