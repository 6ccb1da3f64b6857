#!/usr/bin/env python3
"""The async frame size of each of apipodctl's async functions, largest first.

Why: a task's frames live in its task allocator's slabs for as long as the task runs, so for a
stream the frames along the relay (and the slabs the attempt before it left behind) are memory
per stream. An async function keeps in its frame what it inlines, so a synchronous helper
inlined into a long-lived async function makes every stream larger. The size is the context
size in each function's "async function pointer" record (symbols ending in `Tu`).

Usage: Benchmarks/async_frames.py [BINARY] [COUNT]   (default .build/release/apipodctl, 30)
"""
import re
import struct
import subprocess
import sys


def sections(path):
    found = []
    listing = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if match and match.group(1) not in (".bss", ".tbss"):
            found.append((int(match.group(2), 16), int(match.group(3), 16), int(match.group(4), 16)))
    return found


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else ".build/release/apipodctl"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    data = open(path, "rb").read()
    mapped = sections(path)
    records = []
    for line in subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[2].endswith("Tu") or "ApipodKit" not in parts[2]:
            continue
        address = int(parts[0], 16)
        for start, offset, size in mapped:
            if start <= address < start + size:
                raw = data[offset + address - start:offset + address - start + 8]
                records.append((struct.unpack("<I", raw[4:8])[0], parts[2]))
                break
    names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(name for _, name in records),
                           capture_output=True, text=True, check=True).stdout.splitlines()
    print(f"== async frame sizes in {path} (bytes, largest {count})")
    for (size, _), name in sorted(zip(records, names), reverse=True)[:count]:
        print(f"{size:6d}  {name.replace('async function pointer to ', '')[:140]}")


main()
