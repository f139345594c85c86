#!/usr/bin/env bash
# CTest for the MPI engine (registered when ACCELSCOPE_MPI is on): mpirun -np 3 accelscope search
# stores the same history and front as one process, evaluates every design of a grid exactly once,
# leaves a killed run that resume continues (with and without MPI) to the uninterrupted result, and
# a rank that cannot load the space ends every rank with a one-line error.
#   mpi_search.sh ACCELSCOPE_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" -ne 0 ] || mpirun+=(--allow-run-as-root)
launch=("${mpirun[@]}" -np 3)
tiny=$src/tests/data/spaces/tiny.json
# sqlite3 waits for a writer's lock (a rank 0 still committing) instead of failing at once.
sql() { sqlite3 -cmd ".timeout 10000" "$@"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Everything a design's row holds that does not depend on when or by whom it was evaluated.
history() {
  sql "$1" "SELECT seq, batch, hex(point), hex(params), hex(metrics), status, feasible,
                       violations, on_front FROM trial ORDER BY seq"
}
front() { "$bin" front --db "$1" --json; }

# 1. NSGA-II, same seed: identical history and front.
common=(--strategy nsga2 --budget 160 --batch 40 --seed 7 --threads 1 --quiet)
"$bin" search "$tiny" --db "$work/one.sqlite" "${common[@]}" > /dev/null
"${launch[@]}" "$bin" search "$tiny" --db "$work/mpi.sqlite" "${common[@]}" --mpi > /dev/null
[ "$(history "$work/one.sqlite" | wc -l)" -eq 160 ] || fail "single-process study is not 160 designs"
diff <(history "$work/one.sqlite") <(history "$work/mpi.sqlite") > /dev/null ||
  fail "nsga2: the MPI study's history differs from one process's"
diff <(front "$work/one.sqlite") <(front "$work/mpi.sqlite") || fail "nsga2: fronts differ"

# 2. The grid (the designs within the area limit) on 3 ranks: each design stored and evaluated
# exactly once, the same designs as one process.
"$bin" search "$tiny" --db "$work/grid1.sqlite" --strategy grid --threads 1 --quiet > /dev/null
"${launch[@]}" "$bin" search "$tiny" --db "$work/grid.sqlite" --strategy grid --threads 1 \
  --quiet > /dev/null
expected=$(sql "$work/grid1.sqlite" "SELECT done_count + failed_count FROM study")
[ "$expected" -gt 100 ] || fail "grid: one process stored only $expected designs"
counts=$(sql "$work/grid.sqlite" "SELECT count(*), count(DISTINCT hex(point)),
  sum(status = 'done' OR status = 'failed'), (SELECT done_count + failed_count FROM study)
  FROM trial")
[ "$counts" = "$expected|$expected|$expected|$expected" ] ||
  fail "grid: trials|distinct|finished|counted = $counts, expected $expected each"
diff <(history "$work/grid1.sqlite") <(history "$work/grid.sqlite") > /dev/null ||
  fail "grid: the MPI study differs from one process's"

# 3. Kill mpirun mid-run; resume without MPI and (on a copy) with MPI: both end as one
# uninterrupted process does.
long=(--strategy random --budget 3000 --batch 500 --seed 3 --threads 1 --quiet)
"$bin" search "$tiny" --db "$work/whole.sqlite" "${long[@]}" > /dev/null
"${launch[@]}" "$bin" search "$tiny" --db "$work/killed.sqlite" "${long[@]}" > /dev/null 2>&1 &
launcher=$!
for _ in $(seq 200); do
  done_count=$(sql "$work/killed.sqlite" "SELECT done_count FROM study" 2> /dev/null || true)
  [ "${done_count:-0}" -gt 0 ] && break
  sleep 0.05
done
kill -KILL "$launcher"
wait "$launcher" 2> /dev/null || true
# The ranks see their launcher gone and exit; rank 0 (the study's only worker, "host:pid") must be
# gone before the resume, or both would work on the study.
rank0=$(sql "$work/killed.sqlite" "SELECT worker FROM study_worker" | head -1)
for _ in $(seq 100); do
  kill -0 "${rank0##*:}" 2> /dev/null || break
  sleep 0.1
done
! kill -0 "${rank0##*:}" 2> /dev/null || fail "rank 0 ($rank0) outlived its killed mpirun"
done_count=$(sql "$work/killed.sqlite" "SELECT done_count FROM study")
[ "$done_count" -lt 3000 ] || fail "the run finished before it was killed; raise the budget"
cp "$work/killed.sqlite" "$work/killed2.sqlite"
"$bin" resume --db "$work/killed.sqlite" --threads 1 --stale-after 1 --quiet > /dev/null
"${launch[@]}" "$bin" resume --db "$work/killed2.sqlite" --threads 1 --stale-after 1 --quiet \
  > /dev/null
for resumed in killed killed2; do
  diff <(history "$work/whole.sqlite") <(history "$work/$resumed.sqlite") > /dev/null ||
    fail "$resumed: the resumed study differs from the uninterrupted one"
done

# 4. Ranks 1 and 2 cannot load the space (no technology data): one line, every rank exits, and
# nothing is written to the study.
set +e
timeout 60 "${mpirun[@]}" -np 1 "$bin" search "$tiny" --db "$work/bad.sqlite" --quiet : \
  -np 2 env ACCELSCOPE_DATA_DIR="$work/nowhere" "$bin" search "$tiny" --db "$work/bad.sqlite" \
  > /dev/null 2> "$work/bad.err"
status=$?
set -e
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "bad rank: exit status $status"
grep -c "accelscope: error: MPI rank [12] on .*nowhere" "$work/bad.err" | grep -qx 1 ||
  fail "bad rank: expected one error line, got: $(cat "$work/bad.err")"
studies=$(sql "$work/bad.sqlite" "SELECT count(*) FROM study")
[ "$studies" -eq 0 ] || fail "bad rank: a study was written although a rank could not load it"
echo "mpi_search: all checks passed"
