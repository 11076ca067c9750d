"""A vehicle on a pseudo-terminal, for Vigil's serial transport test.

Usage: pty_peer.py SECONDS
Prints the terminal's path on the first line, then sends pymavlink heartbeats (system 7) and
positions every 100 ms for SECONDS, counting the ground station heartbeats it reads back.
Prints {"gcs_heartbeats": N} as JSON at the end.
"""

import json
import os
import pty
import select
import sys
import time

os.environ.setdefault("MAVLINK20", "1")
from pymavlink.dialects.v20 import ardupilotmega as mavlink  # noqa: E402


class Sink:
    def __init__(self, fd):
        self.fd = fd

    def write(self, data):
        os.write(self.fd, data)


def main(seconds):
    master, slave = pty.openpty()
    print(os.ttyname(slave), flush=True)
    mav = mavlink.MAVLink(Sink(master), srcSystem=7, srcComponent=1)
    mav.robust_parsing = True
    end = time.time() + seconds
    next_beat, gcs = 0.0, 0
    while time.time() < end:
        now = time.time()
        if now >= next_beat:
            next_beat = now + 0.1
            mav.heartbeat_send(mavlink.MAV_TYPE_QUADROTOR, mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA,
                               mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 6, mavlink.MAV_STATE_STANDBY)
            mav.global_position_int_send(0, -353632610, 1491652300, 614000, 30000, 0, 0, 0, 9000)
        ready, _, _ = select.select([master], [], [], 0.02)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:
                continue
            for msg in mav.parse_buffer(data) or []:
                if msg.get_type() == "HEARTBEAT" and msg.get_srcSystem() == 255:
                    gcs += 1
    print(json.dumps({"gcs_heartbeats": gcs}), flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]))
