/*
 * loop.c - epoll with a handler per watched descriptor.
 */
#include "loop.h"

#include <errno.h>
#include <limits.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAIT 64

int64_t mprun_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mprun_loop_init(struct mprun_loop *loop)
{
    loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    return loop->epoll_fd < 0 ? -1 : 0;
}

void mprun_loop_close(struct mprun_loop *loop)
{
    if (loop->epoll_fd >= 0)
        close(loop->epoll_fd);
    loop->epoll_fd = -1;
}

int mprun_watch_start(struct mprun_loop *loop, struct mprun_watch *w, int fd, uint32_t events,
                      mprun_watch_handler handler)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};

    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return -1;
    w->fd = fd;
    w->handler = handler;
    return 0;
}

int mprun_watch_change(struct mprun_loop *loop, struct mprun_watch *w, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};

    return epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, w->fd, &ev);
}

void mprun_watch_stop(struct mprun_loop *loop, struct mprun_watch *w)
{
    if (w->fd >= 0)
        epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
    w->fd = -1;
}

int mprun_loop_wait(struct mprun_loop *loop, int64_t deadline)
{
    struct epoll_event events[EVENTS_PER_WAIT];
    int timeout = -1;
    int n;

    if (deadline != MPRUN_NO_DEADLINE) {
        int64_t wait = deadline - mprun_now_ms();

        timeout = wait < 0 ? 0 : wait > INT_MAX ? INT_MAX : (int)wait;
    }
    n = epoll_wait(loop->epoll_fd, events, EVENTS_PER_WAIT, timeout);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        struct mprun_watch *w = events[i].data.ptr;

        /* Stopped by an earlier handler of this batch. */
        if (w->fd >= 0)
            w->handler(w, events[i].events);
    }
    return 0;
}
