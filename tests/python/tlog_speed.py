"""Times pymavlink reading whole tlogs (best of three), for comparison with `cargo bench --bench tlog`.

Usage: tlog_speed.py FILE.tlog...
"""

import os
import sys
import time

os.environ.setdefault("MAVLINK20", "1")
from pymavlink import mavutil  # noqa: E402

for path in sys.argv[1:]:
    best, n = None, 0
    for _ in range(3):
        start = time.perf_counter()
        conn = mavutil.mavlink_connection(path, dialect="ardupilotmega")
        n = 0
        while conn.recv_match() is not None:
            n += 1
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    print("%s: %d messages in %.3f s = %.0f messages/s" % (path, n, best, n / best))
