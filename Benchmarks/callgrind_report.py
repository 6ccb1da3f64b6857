# Per-request figures from a callgrind profile: total instructions and simulated L1d/L2 misses,
# then the TOP functions by their own cost. Shared by instructions.sh and proxy-instructions.sh.
# With IDLE_PROFILE (the same length of time without load), the totals have its cost taken off
# first; the per-function figures stay those of PROFILE.
# Usage: python3 Benchmarks/callgrind_report.py PROFILE REQUESTS TOP [IDLE_PROFILE]
import re, subprocess, sys
path, requests, top = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])

def profile_rows(path):
    text = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True).stdout
    events, rows = None, []
    for line in text.splitlines():
        if line.startswith("Events shown:"):
            events = line.split(":", 1)[1].split()
            continue
        if events is None or not re.match(r"^\s*[\d,]+\s", line):
            continue
        fields = re.sub(r"\(\s*[\d.]+%\)", "", line).split()
        try:
            counts = dict(zip(events, (0 if f == "." else int(f.replace(",", "")) for f in fields[:len(events)])))
        except ValueError:
            continue
        rows.append((counts, " ".join(fields[len(events):])))
    return rows

rows = profile_rows(path)
def misses(counts, level):
    return (counts.get(level + "mr", 0) + counts.get(level + "mw", 0)) / requests
total = dict(rows[0][0])
if len(sys.argv) > 4:
    idle = profile_rows(sys.argv[4])[0][0]
    print(f"idle window: {idle['Ir']:,} instructions, taken off the totals")
    for event in total:
        total[event] -= idle.get(event, 0)
print(f"per request: {total['Ir'] / requests:,.0f} instructions, {misses(total, 'D1'):.1f} L1d misses, {misses(total, 'DL'):.1f} L2 misses")
names = [name.split(":", 1)[-1].split(" [")[0] for _, name in rows[1:top + 1]]
plain = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                       capture_output=True, text=True).stdout.splitlines()
print(f"{'instr':>7} {'L1d':>5} {'L2':>5}  function (self cost per request)")
for (counts, _), name in zip(rows[1:top + 1], plain):
    print(f"{counts['Ir'] / requests:7.0f} {misses(counts, 'D1'):5.2f} {misses(counts, 'DL'):5.2f}  {name[:110]}")
