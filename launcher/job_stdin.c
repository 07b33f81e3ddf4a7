/*
 * job_stdin.c - the first mprun's stdin to rank 0: through a pipe when rank
 * 0 runs here (at the pace it reads), or in STDIN messages to its daemon,
 * one chunk at a time (the next one leaves when the daemon says the last
 * one reached rank 0). EOF is passed on. Not forwarded when mprun runs in
 * the background of a terminal (reading would stop it).
 */
#include "job_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "wire.h"

static void on_stdin_readable(struct mprun_watch *w, uint32_t events);
static void on_stdin_writable(struct mprun_watch *w, uint32_t events);

void mprun_job_stop_stdin(struct job *job)
{
    mprun_watch_stop(&job->loop, &job->stdin_read_watch);
    mprun_watch_stop(&job->loop, &job->stdin_write_watch);
    mprun_input_close(&job->input);
    job->stdin_remote_eof = true;
}

/* Watch mprun's stdin for reading, or not. */
static void watch_stdin_read(struct job *job, bool want)
{
    bool watched = job->stdin_read_watch.fd >= 0;

    if (job->stdin_unpollable || watched == want)
        return;
    if (!want)
        mprun_watch_stop(&job->loop, &job->stdin_read_watch);
    else if (mprun_watch_start(&job->loop, &job->stdin_read_watch, STDIN_FILENO, EPOLLIN,
                               on_stdin_readable) != 0)
        job->stdin_unpollable = true; /* epoll refuses files: just read them */
}

static bool remote_stdin_wants_read(const struct job *job)
{
    return job->stdin_remote && job->launched && !job->stdin_remote_eof && !job->stdin_in_flight;
}

/* Send the next piece of mprun's stdin to rank 0's daemon; EOF as an empty one. */
static void forward_remote_stdin(struct job *job)
{
    char buf[MPRUN_INPUT_CHUNK];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        n = 0;
        job->stdin_remote_eof = true;
    } else {
        job->stdin_in_flight = true;
    }
    mprun_daemons_send(&job->daemons, job->hosts->host_of_rank[0], MPRUN_MSG_STDIN, buf, (size_t)n);
}

static void on_stdin_readable(struct mprun_watch *w, uint32_t events)
{
    struct job *job = (struct job *)(void *)((char *)w - offsetof(struct job, stdin_read_watch));

    (void)events;
    if (job->stdin_remote) {
        if (remote_stdin_wants_read(job))
            forward_remote_stdin(job);
    } else if (mprun_input_wants_read(&job->input) >= 0) {
        mprun_input_on_readable(&job->input);
    }
}

static void on_stdin_writable(struct mprun_watch *w, uint32_t events)
{
    struct job *job = (struct job *)(void *)((char *)w - offsetof(struct job, stdin_write_watch));

    (void)events;
    if (mprun_input_wants_write(&job->input) >= 0)
        mprun_input_on_writable(&job->input);
}

/* After each round of events: close rank 0's stdin once everything went
 * through, and watch what the forwarding waits for next. Returns true if
 * stdin is a file epoll cannot watch and should be read right away. */
bool mprun_job_settle_stdin(struct job *job)
{
    struct mprun_input *in = &job->input;
    bool want_read, want_write;

    if (job->stdin_remote) {
        want_read = remote_stdin_wants_read(job);
        watch_stdin_read(job, want_read);
        return want_read && job->stdin_unpollable;
    }
    if (mprun_input_done(in))
        mprun_job_stop_stdin(job);
    want_read = mprun_input_wants_read(in) >= 0;
    want_write = mprun_input_wants_write(in) >= 0;
    watch_stdin_read(job, want_read);
    if ((job->stdin_write_watch.fd >= 0) != want_write) {
        if (!want_write)
            mprun_watch_stop(&job->loop, &job->stdin_write_watch);
        else
            mprun_watch_start(&job->loop, &job->stdin_write_watch, in->dst, EPOLLOUT,
                              on_stdin_writable);
    }
    return want_read && job->stdin_unpollable;
}

/* Rank 0 reads mprun's stdin, unless mprun has no stdin or runs in the
 * background of a terminal (reading it would stop mprun). */
bool mprun_job_stdin_is_usable(void)
{
    return fcntl(STDIN_FILENO, F_GETFL) >= 0 &&
           !(isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp());
}

/* For a local rank 0: the read end of a pipe fed from mprun's stdin, or -1. */
int mprun_job_local_rank0_stdin(struct job *job)
{
    int fds[2];

    if (!job->stdin_usable || pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    mprun_input_init(&job->input, STDIN_FILENO, fds[1]);
    return fds[0];
}

void mprun_job_read_stdin(struct job *job)
{
    on_stdin_readable(&job->stdin_read_watch, EPOLLIN);
}
