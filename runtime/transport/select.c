/*
 * select.c - which transports a job uses and which one reaches each peer.
 *
 * Shared memory between the ranks of a host, TCP to other hosts, or TCP
 * to everyone with MPR_TRANSPORT=tcp; the rank itself through self. Every
 * rank decides alike (all see the same job size, MPR_TRANSPORT, and more
 * ranks than their host holds exactly when the job spans hosts), so all
 * agree on the kind of fence.
 */
#include <string.h>
#include <stdlib.h>

#include "core/env.h"
#include "core/mpr_internal.h"
#include "transport/transport.h"

extern const struct mpr__transport mpr__self_transport;
extern const struct mpr__transport mpr__shm_transport;
extern const struct mpr__transport mpr__tcp_transport;

int mpr__transports_select(const struct mpr__transport *tps[MPR__TRANSPORTS_MAX])
{
    int choice; /* 0 auto, 1 tcp; checked at the start (mpr__env_check_all) */
    mpr__env_choice("MPR_TRANSPORT", 0, &choice);
    bool force_tcp = choice == 1;
    mpr__g.use_shm = !force_tcp && mpr__g.local_size > 1;
    mpr__g.use_tcp = mpr__g.size > 1 && (force_tcp || mpr__g.size > mpr__g.local_size);
    int n = 0;
    tps[n++] = &mpr__self_transport;
    if (mpr__g.use_shm)
        tps[n++] = &mpr__shm_transport;
    if (mpr__g.use_tcp)
        tps[n++] = &mpr__tcp_transport;
    return n;
}

const struct mpr__transport *mpr__transport_for(int rank)
{
    if (rank == mpr__g.rank)
        return &mpr__self_transport;
    if (mpr__g.use_shm && mpr__g.peers[rank].local_index >= 0)
        return &mpr__shm_transport;
    return &mpr__tcp_transport;
}
