"""Reads a tlog with pymavlink and prints what it found as JSON, for Vigil's tlog tests.

Usage: read_tlog.py FILE.tlog
Prints {"messages": N, "bad": N, "counts": {TYPE: N}, "first_timestamp": SECONDS,
        "last_timestamp": SECONDS, "sysids": [..]}.
"""

import json
import os
import sys

os.environ.setdefault("MAVLINK20", "1")
from pymavlink import mavutil  # noqa: E402


def main(path):
    conn = mavutil.mavlink_connection(path, dialect="ardupilotmega", robust_parsing=True)
    counts, bad, first, last, sysids = {}, 0, None, None, set()
    while True:
        msg = conn.recv_match()
        if msg is None:
            break
        kind = msg.get_type()
        if kind == "BAD_DATA":
            bad += 1
            continue
        counts[kind] = counts.get(kind, 0) + 1
        ts = getattr(msg, "_timestamp", None)
        if ts is not None:
            first = ts if first is None else first
            last = ts
        sysids.add(msg.get_srcSystem())
    print(json.dumps({
        "messages": sum(counts.values()),
        "bad": bad,
        "counts": counts,
        "first_timestamp": first,
        "last_timestamp": last,
        "sysids": sorted(sysids),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
