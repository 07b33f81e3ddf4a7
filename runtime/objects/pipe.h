/*
 * pipe.h - what mpr_finalize needs of the pipes (pipe.c).
 */
#ifndef MPR_PIPE_H
#define MPR_PIPE_H

/* Close every open end (its peer gets the end-of-stream mark); before
 * finalize's notice, so the marks precede it. */
void mpr__pipe_close_all(void);

/* After the notice: wait until every closed end has dropped what its peer
 * sent to it (the peer's mark, or its notice, or its death ends that), so
 * a peer blocked sending to a closed end is released. */
void mpr__pipe_drain_leftovers(void);

#endif /* MPR_PIPE_H */
