/*
 * seqmap.c - message counts per (peer, tag), an open-addressing hash.
 * Ssend's notification names its message by this count (see p2p.c).
 */
#include <stdlib.h>

#include "mpi_internal.h"

static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static bool grow(struct mpi__seqmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    uint64_t *keys = calloc(cap, sizeof(*keys));
    uint32_t *vals = calloc(cap, sizeof(*vals));
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t s = slot_of(m->keys[i], cap);
        while (keys[s])
            s = (s + 1) & (cap - 1);
        keys[s] = m->keys[i];
        vals[s] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return true;
}

/* Add one to the count of (peer, tag) and return it (1 for the first).
 * Returns 0 when memory runs out (the count is then lost; Ssend to that
 * pair may then wait for an acknowledgement that names another message). */
uint32_t mpi__seqmap_bump(struct mpi__seqmap *m, int peer, int tag)
{
    uint64_t key = (((uint64_t)(uint32_t)peer << 32) | (uint32_t)tag) + 1;
    if ((m->used + 1) * 2 > m->cap && !grow(m))
        return 0;
    size_t s = slot_of(key, m->cap);
    while (m->keys[s] && m->keys[s] != key)
        s = (s + 1) & (m->cap - 1);
    if (!m->keys[s]) {
        m->keys[s] = key;
        m->used++;
    }
    return ++m->vals[s];
}

void mpi__seqmap_release(struct mpi__seqmap *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->used = 0;
}
