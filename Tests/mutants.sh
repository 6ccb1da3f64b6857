#!/usr/bin/env bash
# Mutation testing: applies each mutant of Tests/mutants.tsv, one at a time, to a scratch copy
# of this checkout, runs the tests expected to kill it, restores the file, and reports each
# mutant killed or survived, then the kill rate and the run time. The checkout itself is never
# modified. See docs/mutation-testing.md.
#
# Usage: Tests/mutants.sh [--full] [--check] [ID...]
#   ID...    only these mutants (default: every row)
#   --full   run the whole `swift test` for each mutant instead of the row's filter
#   --check  only check that each row's original text occurs exactly once; build nothing
# Environment: MUTANTS_SCRATCH, the scratch folder (default: one per checkout under
# ${TMPDIR:-/tmp}, whose .build is kept between runs); MUTANTS_TIMEOUT, the seconds a test run
# may take before the mutant counts as killed by a hang (default 900).
# Exit status: 0 when every mutant was killed; 1 when one survived, did not build or was
# stale; 2 when the table is malformed or the unmutated tree fails its own tests.

# The script is one group, read whole before it runs, so a checkout or an edit of this file
# during a run cannot change the running one.
{
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
table=$repo/Tests/mutants.tsv
scratch=${MUTANTS_SCRATCH:-${TMPDIR:-/tmp}/apipodctl-mutants-$(printf '%s' "$repo" | cksum | cut -d ' ' -f 1)}
limit=${MUTANTS_TIMEOUT:-900}
full=false
check_only=false
wanted=()
for argument in "$@"; do
    case $argument in
        --full) full=true ;;
        --check) check_only=true ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "mutants.sh: unknown option $argument" >&2; exit 2 ;;
        *) wanted+=("$argument") ;;
    esac
done

fail() { echo "mutants.sh: $*" >&2; exit 2; }

# The table's escapes: \n newline, \t tab, \\ backslash. Sets REPLY.
unescape() {
    local rest=$1 out=''
    while [[ $rest == *\\* ]]; do
        out+=${rest%%\\*}
        rest=${rest#*\\}
        case ${rest:0:1} in
            n) out+=$'\n' ;;
            t) out+=$'\t' ;;
            \\) out+='\' ;;
            *) fail "$table: unknown escape '\\${rest:0:1}' in row $id" ;;
        esac
        rest=${rest:1}
    done
    REPLY=$out$rest
}

# A file's exact contents (trailing newlines kept). Sets REPLY.
read_file() {
    REPLY=$(cat "$1"; printf x)
    REPLY=${REPLY%x}
}

# How many times $2 occurs in $1, without overlaps. Sets REPLY.
count_occurrences() {
    local rest=$1 count=0
    while [[ $rest == *"$2"* ]]; do
        rest=${rest#*"$2"}
        count=$((count + 1))
    done
    REPLY=$count
}

ids=() files=() originals=() replacements=() filters=() descriptions=()
line_number=0
while IFS= read -r line || [[ -n $line ]]; do
    line_number=$((line_number + 1))
    [[ -z $line || $line == \#* ]] && continue
    fields=()
    while [[ $line == *$'\t'* ]]; do
        fields+=("${line%%$'\t'*}")
        line=${line#*$'\t'}
    done
    fields+=("$line")
    [[ ${#fields[@]} -eq 6 ]] || fail "$table:$line_number: ${#fields[@]} fields, not 6"
    id=${fields[0]}
    for known in "${ids[@]}"; do [[ $known != "$id" ]] || fail "$table:$line_number: mutant $id appears twice"; done
    [[ -n $id && -n ${fields[1]} && -n ${fields[2]} && -n ${fields[4]} ]] \
        || fail "$table:$line_number: id, file, original and filter must not be empty"
    unescape "${fields[2]}"; original=$REPLY
    unescape "${fields[3]}"; replacement=$REPLY
    [[ $original != "$replacement" ]] || fail "$table:$line_number: the replacement is the original"
    ids+=("$id") files+=("${fields[1]}") originals+=("$original") replacements+=("$replacement")
    filters+=("${fields[4]}") descriptions+=("${fields[5]}")
done < "$table"

selected=()
if [[ ${#wanted[@]} -eq 0 ]]; then
    selected=("${!ids[@]}")
else
    for id in "${wanted[@]}"; do
        found=''
        for index in "${!ids[@]}"; do [[ ${ids[index]} == "$id" ]] && found=$index; done
        [[ -n $found ]] || fail "no mutant '$id' in $table"
        selected+=("$found")
    done
fi

# Every selected row must match its file exactly once, checked in the checkout itself.
stale=0
live=()
for index in "${selected[@]}"; do
    path=$repo/${files[index]}
    if [[ ! -f $path ]]; then
        reason="no such file"
    else
        read_file "$path"
        count_occurrences "$REPLY" "${originals[index]}"
        case $REPLY in
            1) live+=("$index"); continue ;;
            0) reason="original text not found" ;;
            *) reason="original text found $REPLY times" ;;
        esac
    fi
    printf '%-12s %-30s %s: %s\n' STALE "${ids[index]}" "${files[index]}" "$reason"
    stale=$((stale + 1))
done
if $check_only; then
    echo "${#live[@]} of ${#selected[@]} mutants match their files; $stale stale"
    [[ $stale -eq 0 ]]
    exit
fi

# The scratch copy: the checkout's files (tracked, or new and not ignored), its own .build.
# Only files whose contents differ are copied, so an unchanged file keeps its time stamp and
# the incremental build skips it; files the checkout no longer has are removed.
mkdir -p "$scratch"
exec 9> "$scratch/.mutants.lock"
flock -n 9 || fail "another run is using $scratch"
logs=$scratch/.mutants
mkdir -p "$logs"
wanted_files=$(cd "$repo" && git ls-files --cached --others --exclude-standard | while IFS= read -r file; do
    if [[ -f $file ]]; then printf '%s\n' "$file"; fi
done | sort)
while IFS= read -r file; do
    if ! cmp -s "$repo/$file" "$scratch/$file"; then
        mkdir -p "$(dirname "$scratch/$file")"
        cp "$repo/$file" "$scratch/$file"
    fi
done <<< "$wanted_files"
(cd "$scratch" && find . -path ./.build -prune -o -path ./.mutants -prune -o -name .mutants.lock -o -type f -print \
    | sed 's|^\./||' | sort) | comm -23 - <(printf '%s\n' "$wanted_files") | while IFS= read -r extra; do
    rm -f "$scratch/$extra"
done

cd "$scratch"
started=$SECONDS
# A mutated file is restored from the scratch copy's own text, read before the change: the
# checkout may have moved on while the run went (edits there had leaked into later mutants).
current='' unmutated=''
restore() { [[ -z $current ]] || printf '%s' "$unmutated" > "$scratch/${files[current]}"; }
trap restore EXIT

# Runs `swift test --skip-build ARGUMENTS...` into LOG within the time limit. swift test runs
# the tests in a process group of their own, which timeout's signal does not reach (and they
# outlive a SIGTERM), so whatever is left of the session started here is killed afterwards.
# setsid does not fork (a background job of a script leads no group), so the session's id is
# the job's.
run_tests() {
    local log=$1 status=0 leader leftovers
    shift
    setsid --wait timeout --kill-after=30 "$limit" swift test --skip-build "$@" > "$log" 2>&1 &
    leader=$!
    wait "$leader" || status=$?
    leftovers=$(ps -eo pid=,sid= | awk -v session="$leader" '$2 == session { print $1 }')
    [[ -z $leftovers ]] || kill -KILL $leftovers 2> /dev/null || true
    return "$status"
}

# Without a green baseline, a failing test says nothing about the mutant.
echo "building the unmutated copy in $scratch"
swift build --build-tests > "$logs/baseline-build.log" 2>&1 || fail "the unmutated tree does not build; see $logs/baseline-build.log"
swift test list --skip-build > "$logs/test-list.log" 2>&1 || fail "could not list the tests; see $logs/test-list.log"
union=''
for index in "${live[@]}"; do
    grep -Eq -- "${filters[index]}" "$logs/test-list.log" || fail "the filter of ${ids[index]} matches no test: ${filters[index]}"
    union+="${union:+|}(${filters[index]})"
done
if [[ ${#live[@]} -gt 0 ]]; then
    if $full; then baseline_filter=(); else baseline_filter=(--filter "$union"); fi
    echo "running the unmutated copy's tests"
    run_tests "$logs/baseline-test.log" "${baseline_filter[@]}" || fail "the unmutated tree fails the tests; see $logs/baseline-test.log"
fi

killed=0 survived=0 broken=0
for index in "${live[@]}"; do
    id=${ids[index]} file=${files[index]}
    mutant_started=$SECONDS
    read_file "$file"
    unmutated=$REPLY
    current=$index
    printf '%s' "${REPLY/"${originals[index]}"/"${replacements[index]}"}" > "$file"
    if ! swift build --build-tests > "$logs/$id.build.log" 2>&1; then
        verdict=build-error
        broken=$((broken + 1))
    else
        if $full; then filter=(); else filter=(--filter "${filters[index]}"); fi
        status=0
        run_tests "$logs/$id.test.log" "${filter[@]}" || status=$?
        if [[ $status -eq 0 ]]; then
            verdict=SURVIVED
            survived=$((survived + 1))
        else
            verdict=killed
            # timeout's own statuses: the limit passed (124), or the tests ignored the signal (137).
            [[ $status -ne 124 && $status -ne 137 ]] || verdict="killed (hang)"
            killed=$((killed + 1))
        fi
    fi
    restore
    current=''
    printf '%-12s %-30s %4ds  %s\n' "$verdict" "$id" $((SECONDS - mutant_started)) "${descriptions[index]}"
done

elapsed=$((SECONDS - started))
judged=$((killed + survived))
rate=$([[ $judged -eq 0 ]] && echo "n/a" || echo "$((killed * 100 / judged)) %")
echo "killed $killed of $judged ($rate); survived $survived, build errors $broken, stale $stale;" \
    "$((elapsed / 60))m $((elapsed % 60))s (logs in $logs)"
[[ $survived -eq 0 && $broken -eq 0 && $stale -eq 0 ]]
exit
}
