#!/bin/bash
# tune.sh - the tuning file (runtime/coll/coll_tune.c, launcher/tuning.c,
# tune/): mpr-tune --quick writes a file libmpr accepts, at -o or at this
# host's default place; mprun hands the default file to the ranks (and
# --no-tuning, --tuning-file and MPR_TUNING_FILE win over it); libmpr
# follows the rules (MPR_TUNING_DEBUG=1 says which it used); files naming
# every algorithm of every collective pass the conformance suite over shm
# and TCP; a bad file fails mpr_init with one line; no file changes
# nothing. No figure is judged: timings are only what mpr-tune reads.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

MPR_TUNE="$TOP_BUILDDIR/mpr-tune"
CONFORM="$TOP_BUILDDIR/tests/conformance/conform"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every job of this script looks for tuning files here, not in $HOME.
export XDG_CACHE_HOME="$tmp/cache"
unset MPR_TUNING_FILE MPR_TUNING_DEBUG
start=$SECONDS

# ---- mpr-tune's lists of algorithms are coll_select.c's (minus auto) ----
listed=$("$MPR_TUNE" --list-algorithms)
for c in barrier bcast gather scatter allgather alltoall reduce allreduce; do
    src=$(sed -n "s/.*\"MPR_COLL_${c^^}\", \"$c\", \([a-z_]*\) }.*/\1/p" \
        "$TOP_SRCDIR/runtime/coll/coll_select.c")
    want=$(awk -v a="$src" 'index($0, "const " a "[] =") { on = 1 } on { text = text $0 }
                            on && /};/ { on = 0 } END { print text }' \
        "$TOP_SRCDIR/runtime/coll/coll_select.c" | grep -o '"[a-z_]*"' | tr -d '"' |
        grep -vx -e auto -e hier | xargs)
    got=$(sed -n "s/^$c //p" <<<"$listed")
    if [ -n "$want" ] && [ "$want" = "$got" ]; then
        pass "mpr-tune times every $c algorithm: $got"
    else
        fail "$c: coll_select.c has '$want', mpr-tune '$got'"
    fi
done

# ---- mpr-tune --quick ---------------------------------------------------
out=$(timeout -k 5 150 "$MPR_TUNE" --quick --ranks 3 --collectives barrier,bcast,allreduce,alltoall \
    -o "$tmp/quick.conf" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "wrote $tmp/quick.conf" <<<"$out" &&
    head -3 "$tmp/quick.conf" | grep -qE '^mpr-tuning 1 key=[0-9a-f]+ mpr=' &&
    [ "$(grep -c '^# [a-z]* on 3 ranks, winner by size: ' "$tmp/quick.conf")" -eq 4 ] &&
    ! grep -vE '^(#.*|mpr-tuning .*|[a-z]+ ranks=3 from=[0-9]+ alg=[a-z_]+)$' "$tmp/quick.conf"; then
    pass "mpr-tune --quick --ranks 3 (4 collectives) -o FILE: $(tail -1 <<<"$out")"
else
    fail "mpr-tune --quick: exit $rc; output:"
    printf '%s\n' "$out" | tail -10 >&2
    cat "$tmp/quick.conf" >&2 2>/dev/null
fi
# every line of it is one libmpr takes
run 3 -x MPR_TUNING_FILE="$tmp/quick.conf" -- env_probe
expect_rc 0 "libmpr reads mpr-tune's file"
grep -q '^mpr: ' <<<"$LAST_OUTPUT" && fail "libmpr had something to say: $LAST_OUTPUT"
echo "note: mpr-tune --quick (3 ranks) took $((SECONDS - start)) s"

# without -o: the default place, mprun --tuning-path's
default=$("$MPRUN" --tuning-path)
case $default in
"$XDG_CACHE_HOME"/mpr/tuning-*.conf) pass "mprun --tuning-path: $default" ;;
*) fail "mprun --tuning-path said '$default'" ;;
esac
out=$(timeout -k 5 60 "$MPR_TUNE" --quick --ranks 2 --collectives bcast 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ -f "$default" ] && grep -q "wrote $default" <<<"$out" &&
    [ -z "$(ls -A "$XDG_CACHE_HOME/mpr" | grep -v '^tuning-')" ]; then
    pass "mpr-tune writes this host's default file (and nothing else there)"
else
    fail "mpr-tune without -o: exit $rc: $out"
fi

# ---- mprun hands the default file to the ranks ---------------------------
cat >"$default" <<'EOF'
# by hand
mpr-tuning 1 key=0 mpr=test
bcast ranks=1-64 from=0 alg=chain
EOF
cat >"$tmp/other.conf" <<'EOF'
mpr-tuning 1 key=0 mpr=test
bcast ranks=1-64 from=0 alg=shm
EOF
# said SETTINGS... : run env_probe at 3 ranks with MPR_TUNING_DEBUG=1, set SAID
said() {
    run 3 -x MPR_TUNING_DEBUG=1 "$@" -- env_probe
    expect_rc 0 "3 ranks ${*:-(nothing set)}"
    SAID=$(grep '^mpr: rank 0: tuning: ' <<<"$LAST_OUTPUT" | sed 's/^mpr: rank 0: tuning: //')
}
expect_said() { # WHAT LINE...: SAID is exactly these lines
    local want
    want=$(printf '%s\n' "${@:2}")
    if [ "$SAID" = "$want" ]; then
        pass "$1"
    else
        fail "$1: libmpr said '$SAID', wanted '$want'"
    fi
}
said
expect_said "the default file reaches the ranks" "1 rules from $default" \
    "line 3: bcast on 3 ranks from 0 bytes: chain"
said --no-tuning
expect_said "--no-tuning: no file"
said --tuning-file "$tmp/other.conf"
expect_said "--tuning-file wins" "1 rules from $tmp/other.conf" \
    "line 2: bcast on 3 ranks from 0 bytes: shm"
said -x MPR_TUNING_FILE="$tmp/other.conf"
expect_said "-x MPR_TUNING_FILE wins" "1 rules from $tmp/other.conf" \
    "line 2: bcast on 3 ranks from 0 bytes: shm"
MPR_TUNING_FILE="$tmp/other.conf" said
expect_said "MPR_TUNING_FILE in mprun's environment wins" "1 rules from $tmp/other.conf" \
    "line 2: bcast on 3 ranks from 0 bytes: shm"
said -x MPR_COLL_BCAST=binomial
expect_said "MPR_COLL_BCAST wins over the file's rule" "1 rules from $default"
# a rule's algorithm that cannot serve gives way silently (a forced one is
# reported): over TCP alone the ranks share no memory
said --no-tuning -x MPR_TRANSPORT=tcp -x MPR_COLL_BCAST=shm
grep -q 'MPR_COLL_BCAST=shm cannot serve this communicator' <<<"$LAST_OUTPUT" &&
    pass "forced shm over tcp: reported" || fail "forced shm over tcp: $LAST_OUTPUT"
said --tuning-file "$tmp/other.conf" -x MPR_TRANSPORT=tcp
expect_said "the file's shm over tcp: used as the built-in choice, silently" \
    "1 rules from $tmp/other.conf" "line 2: bcast on 3 ranks from 0 bytes: shm"
grep -q 'cannot serve' <<<"$LAST_OUTPUT" && fail "the file's shm over tcp was reported: $LAST_OUTPUT"
, as its hosts may differ in
# kind: launcher/tuning.c decides that before anything starts)

# ---- no file at all: nothing changes -------------------------------------
rm -f "$default"
said
expect_said "no tuning file: libmpr says nothing of one"
LAST_OUTPUT=$(timeout -k 5 60 "$MPRUN" -n 1 /usr/bin/env 2>&1)
RC=$?
if [ "$RC" -eq 0 ] && ! grep -q '^MPR_TUNING_FILE=' <<<"$LAST_OUTPUT"; then
    pass "no tuning file: the ranks' environment has no MPR_TUNING_FILE"
else
    fail "no tuning file: exit $RC, $(grep '^MPR_TUNING_FILE' <<<"$LAST_OUTPUT")"
fi

# ---- bad files: mpr_init fails, one line says why ------------------------
refused() { # WHAT [TEXT]: a file holding TEXT (none: no file) is refused
    rm -f "$tmp/bad.conf"
    [ $# -ge 2 ] && printf '%b' "$2" >"$tmp/bad.conf"
    run 2 -x MPR_TUNING_FILE="$tmp/bad.conf" -- env_probe
    local distinct
    distinct=$(grep '^mpr: ' <<<"$LAST_OUTPUT" | sed 's/^mpr: rank [0-9]*: /mpr: /' | sort -u | wc -l)
    if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && [ "$distinct" -eq 1 ] &&
        grep -q "MPR_TUNING_FILE=$tmp/bad.conf is not allowed: " <<<"$LAST_OUTPUT" &&
        grep -q '^mpr_init: MPR_ERR_ARG' <<<"$LAST_OUTPUT"; then
        pass "$1 refused: $(grep -m1 'not allowed' <<<"$LAST_OUTPUT" | sed 's/.*not allowed: //')"
    else
        fail "$1: exit $RC; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
}
H='mpr-tuning 1 key=0 mpr=test\n'
refused "an unknown collective" "${H}bcastt ranks=2 from=0 alg=chain\n"
refused "an unknown algorithm" "${H}allreduce ranks=2 from=0 alg=chain\n"
refused "no header" "bcast ranks=2 from=0 alg=chain\n"
refused "a malformed size" "${H}bcast ranks=2 from=1x alg=chain\n"
refused "two rules for one call" "${H}bcast ranks=2 from=0 alg=chain\nbcast ranks=1-4 from=0 alg=shm\n"
refused "a missing file"
run 2 --tuning-file "$tmp/bad.conf" -- env_probe
[ "$RC" -ne 0 ] && grep -q "MPR_TUNING_FILE=$tmp/bad.conf is not allowed: cannot open" <<<"$LAST_OUTPUT" &&
    pass "--tuning-file of a missing file: refused" || fail "--tuning-file missing: $LAST_OUTPUT"

# ---- files naming every algorithm pass the conformance suite -------------
# File k names, for every collective, its algorithm k from 0 bytes, k+1
# from 1 KiB, k+2 from 64 KiB (cycling through its list), on any number of
# ranks: three files cover every algorithm of every collective.
declare -A ALGS=(
    [barrier]="shm shm_leader dissemination hier" [bcast]="shm binomial chain hier"
    [reduce]="shm binomial rabenseifner linear"
    [allreduce]="shm recursive_doubling rabenseifner ring reduce_bcast"
    [gather]="binomial linear" [scatter]="binomial linear" [allgather]="bruck ring linear"
    [alltoall]="linear pairwise"
)
for k in 0 1 2; do
    {
        echo "mpr-tuning 1 key=0 mpr=test"
        for c in "${!ALGS[@]}"; do
            read -ra list <<<"${ALGS[$c]}"
            froms=(0 1K 64K)
            [ "$c" = barrier ] && froms=(0)
            for i in "${!froms[@]}"; do
                echo "$c ranks=1-64 from=${froms[$i]} alg=${list[$(((k + i) % ${#list[@]}))]}"
            done
        done
    } >"$tmp/every$k.conf"
done
job_no=0
for k in 0 1 2; do
    for setting in "3 " "4 " "3 MPR_TRANSPORT=tcp" "4 MPR_TRANSPORT=tcp"; do
        read -r n transport <<<"$setting"
        job_no=$((job_no + 1))
        xs=(-x MPR_CHECK=1 -x MPR_TUNING_FILE="$tmp/every$k.conf" -x MPR_TUNING_DEBUG=1)
        [ -n "$transport" ] && xs+=(-x "$transport")
        expect_exit 0 "conform, $n ranks, every$k.conf ${transport:-shm}" -- \
            "$MPRUN" -n "$n" --oversubscribe --timeout "$JOB_TIMEOUT" "${xs[@]}" \
            "$CONFORM" --seed $((7 + 1000 * job_no)) --sequences 2 --calls 30 --max-size 1M \
            --hang-seconds 40
        used=$(grep -c '^mpr: rank 0: tuning: line ' <<<"$LAST_OUTPUT")
        if grep -q '^conform: .* passed' <<<"$LAST_OUTPUT" && [ "$used" -gt 0 ]; then
            pass "  ... and $used of the file's rules were used"
        else
            fail "conform: $used rules used; it said: $(tail -3 <<<"$LAST_OUTPUT")"
        fi
    done
done

echo "note: $((SECONDS - start)) s in all"
no_leftovers
finish
