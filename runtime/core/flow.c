/*
 * flow.c - eager credits: a bound on what one sender can make a receiver
 * hold in its unexpected queue.
 *
 * Each rank counts, per peer, the bytes it sent eagerly (payload plus
 * MPR__FLOW_MSG_COST per message) that the peer has not given back yet
 * (flow_out). A message that would take flow_out past unexpected_limit
 * goes by rendezvous instead: only its envelope travels, and its data
 * moves when a receive takes it. The receiver counts the eager bytes that
 * left its transport for a receive (flow_owed: matched at once, or taken
 * from the unexpected queue) and gives them back once they reach a quarter
 * of the limit. So at most unexpected_limit eager bytes per sender sit at
 * a receiver, and a send never waits for credit (no deadlock: rendezvous
 * always works); mpr_isend never blocks.
 *
 * Self messages are not counted (there is no rendezvous to oneself).
 */
#include "core/env.h"
#include "core/mpr_internal.h"

int mpr__flow_configure(void)
{
    long long v;
    int rc = mpr__env_number("MPR_UNEXPECTED_BYTES", (long long)MPR__UNEXPECTED_DEFAULT, &v);
    mpr__g.unexpected_limit = (size_t)v;
    return rc;
}

static void give_back(int src)
{
    struct mpr__peer *p = &mpr__g.peers[src];
    if (p->dead || p->finalizing || !p->tp->credit)
        return;
    if (p->tp->credit(src, p->flow_owed))
        p->flow_owed = 0;
}

void mpr__flow_taken(int src, size_t len)
{
    if (src == mpr__g.rank || len == 0)
        return;
    struct mpr__peer *p = &mpr__g.peers[src];
    p->flow_owed += mpr__flow_cost(len);
    if (p->flow_owed >= mpr__g.unexpected_limit / 4)
        give_back(src);
}

void mpr__flow_credit_arrived(int src, uint64_t bytes)
{
    struct mpr__peer *p = &mpr__g.peers[src];
    p->flow_out = bytes < p->flow_out ? p->flow_out - (size_t)bytes : 0;
}
