# Who calls a function, and how often per request, from a callgrind profile (the output kept by
# proxy-instructions.sh KEEP=DIR): for each function whose name contains PATTERN, its callers
# with calls per request and the inclusive instructions those calls cost, demangled.
# Usage: python3 Benchmarks/callgrind_callers.py PROFILE REQUESTS PATTERN [TOP]
import collections, re, subprocess, sys

path, requests, pattern = sys.argv[1], float(sys.argv[2]), sys.argv[3]
top = int(sys.argv[4]) if len(sys.argv) > 4 else 15
names = {}
edges = collections.defaultdict(lambda: [0, 0])  # (caller, callee) -> [calls, inclusive Ir]
caller = callee = None
pending_calls = None
with open(path) as profile:
    for line in profile:
        if line.startswith(("fn=", "cfn=")):
            key, _, rest = line.partition("=")
            match = re.match(r"\((\d+)\)(?: (.*))?", rest.strip())
            if match.group(2):
                names[match.group(1)] = match.group(2)
            if key == "fn":
                caller = match.group(1)
            else:
                callee = match.group(1)
        elif line.startswith("calls="):
            pending_calls = int(line[6:].split()[0])
        elif pending_calls is not None:
            # The line after calls= holds the call's position and its inclusive cost (Ir first).
            fields = line.split()
            edge = edges[(caller, callee)]
            edge[0] += pending_calls
            edge[1] += int(fields[1]) if len(fields) > 1 else 0
            pending_calls = None

def plain(symbols):
    text = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(symbols),
                          capture_output=True, text=True).stdout
    return text.splitlines()

targets = {key for key, name in names.items() if pattern in name}
for target in sorted(targets, key=lambda key: -sum(e[0] for (c, t), e in edges.items() if t == key)):
    rows = sorted(((e[0], e[1], c) for (c, t), e in edges.items() if t == target), reverse=True)
    total = sum(r[0] for r in rows)
    if total == 0:
        continue
    print(f"== {plain([names[target]])[0][:120]}: {total / requests:.1f} calls per request")
    for (calls, cost, c), name in zip(rows[:top], plain([names.get(r[2], r[2]) for r in rows[:top]])):
        print(f"{calls / requests:8.2f} calls {cost / requests:8.0f} instr  {name[:130]}")
