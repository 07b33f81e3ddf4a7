#!/bin/bash
# comm.sh - communicators made by dup and split, on shared memory and on
# forced TCP, singleton included (program: comm_split.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

singleton comm_split
for n in 1 2 3 4 5 7 8; do
    job "$n" comm_split
done
for n in 2 5; do
    job "$n" -x MPR_TRANSPORT=tcp -- comm_split
done

no_leftovers
finish
