/*
 * loop.h - the one event loop of an mprun process (the first mprun, or a
 * daemon): an epoll set whose entries each name their handler.
 *
 * A watch lives inside the object it watches and is stopped before that
 * object goes; the loop skips events of a watch stopped earlier in the
 * same batch. Handlers run on the main thread, one at a time.
 */
#ifndef MPRUN_LOOP_H
#define MPRUN_LOOP_H

#include <stdint.h>

#define MPRUN_NO_DEADLINE INT64_MAX

struct mprun_watch;
typedef void (*mprun_watch_handler)(struct mprun_watch *w, uint32_t events);

struct mprun_watch {
    int fd;                       /* -1 while not watched */
    mprun_watch_handler handler;
};

struct mprun_loop {
    int epoll_fd;
};

/* mprun_now_ms - the monotonic clock in milliseconds. */
int64_t mprun_now_ms(void);

/* mprun_loop_init - returns 0, or -1 with errno set. */
int mprun_loop_init(struct mprun_loop *loop);
void mprun_loop_close(struct mprun_loop *loop);

/* mprun_watch_start - watch fd for events (EPOLLIN, EPOLLOUT...). Returns
 * 0, or -1 with errno set (epoll refuses regular files: EPERM). */
int mprun_watch_start(struct mprun_loop *loop, struct mprun_watch *w, int fd,
                      uint32_t events, mprun_watch_handler handler);

/* mprun_watch_change - watch other events of the same fd. */
int mprun_watch_change(struct mprun_loop *loop, struct mprun_watch *w, uint32_t events);

/* mprun_watch_stop - forget the fd (before closing it: epoll forgets a
 * descriptor only once every copy is closed). Safe on a stopped watch. */
void mprun_watch_stop(struct mprun_loop *loop, struct mprun_watch *w);

/* mprun_loop_wait - wait until events or the deadline (MPRUN_NO_DEADLINE:
 * none), and run the handlers. Returns 0, or -1 with errno set if epoll
 * failed (EINTR is not a failure). */
int mprun_loop_wait(struct mprun_loop *loop, int64_t deadline);

#endif
