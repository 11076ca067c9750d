"""A minimal autopilot written with pymavlink, for Vigil's link tests: the other side of the
mission protocol from an independent MAVLink implementation.

Usage: mission_peer.py PORT SECONDS
Listens on udpin:127.0.0.1:PORT as system 1 / component 1, sends heartbeats and a position,
serves mission uploads (asking with MISSION_REQUEST_INT) and downloads, acknowledges commands.
Exits after SECONDS, or once the ground station acknowledges a download of a stored list.
On exit prints {"items": N, "frames_in": N} as JSON.
"""

import json
import os
import sys
import time

os.environ.setdefault("MAVLINK20", "1")
from pymavlink import mavutil  # noqa: E402


def main(port, seconds):
    conn = mavutil.mavlink_connection(
        "udpin:127.0.0.1:%d" % port, source_system=1, source_component=1, dialect="ardupilotmega"
    )
    m = conn.mav
    items, count, frames_in = {}, 0, 0
    stored = []
    end = time.time() + seconds
    next_beat = 0.0
    heard = False
    while time.time() < end:
        now = time.time()
        if heard and now >= next_beat:
            next_beat = now + 0.2
            m.heartbeat_send(
                mavutil.mavlink.MAV_TYPE_QUADROTOR, mavutil.mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA,
                mavutil.mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 5, mavutil.mavlink.MAV_STATE_STANDBY
            )
            m.global_position_int_send(0, -353632610, 1491652300, 614000, 30000, 0, 0, 0, 9000)
        msg = conn.recv_match(blocking=True, timeout=0.05)
        if msg is None:
            continue
        kind = msg.get_type()
        if kind == "BAD_DATA":
            continue
        frames_in += 1
        heard = True
        mtype = getattr(msg, "mission_type", 0)
        if kind == "MISSION_COUNT":
            count, items = msg.count, {}
            m.mission_request_int_send(255, 190, 0, mtype)
        elif kind == "MISSION_ITEM_INT":
            if msg.seq == len(items) and msg.seq < count:
                items[msg.seq] = msg
                if len(items) == count:
                    stored = [items[i] for i in range(count)]
                    m.mission_ack_send(255, 190, mavutil.mavlink.MAV_MISSION_ACCEPTED, mtype)
                else:
                    m.mission_request_int_send(255, 190, len(items), mtype)
            else:
                m.mission_ack_send(255, 190, mavutil.mavlink.MAV_MISSION_INVALID_SEQUENCE, mtype)
        elif kind == "MISSION_REQUEST_LIST":
            m.mission_count_send(255, 190, len(stored), mtype)
        elif kind in ("MISSION_REQUEST_INT", "MISSION_REQUEST"):
            if msg.seq < len(stored):
                it = stored[msg.seq]
                m.mission_item_int_send(
                    255, 190, it.seq, it.frame, it.command, 0, it.autocontinue, it.param1,
                    it.param2, it.param3, it.param4, it.x, it.y, it.z, mtype
                )
        elif kind == "MISSION_ACK" and stored:
            break  # the ground station finished reading the list back
        elif kind == "COMMAND_LONG":
            m.command_ack_send(msg.command, mavutil.mavlink.MAV_RESULT_ACCEPTED)
    print(json.dumps({"items": len(stored), "frames_in": frames_in}))


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
