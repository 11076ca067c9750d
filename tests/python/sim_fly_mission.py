#!/usr/bin/env python3
"""Fly a mission against vigil-sim with pymavlink, as another ground station would.

Connects (default tcp:127.0.0.1:5760), waits for the simulated EKF, uploads a mission with
the MISSION_COUNT / MISSION_REQUEST / MISSION_ITEM_INT exchange, arms in GUIDED, starts the
mission and checks that a MISSION_ITEM_REACHED arrives for every mission item before the
vehicle lands and disarms. Exit status 0 on success; one line per step on stdout.
"""

import argparse
import math
import sys
import time

from pymavlink import mavutil

M_PER_DEG = 111318.84502145034


def offset(lat, lon, north_m, east_m):
    return (lat + north_m / M_PER_DEG,
            lon + east_m / (M_PER_DEG * math.cos(math.radians(lat))))


class Gcs:
    def __init__(self, connect, deadline):
        self.m = mavutil.mavlink_connection(connect, source_system=255, source_component=190)
        self.deadline = deadline
        self.next_hb = 0.0
        self.reached = []
        self.texts = []

    def heartbeat(self):
        now = time.monotonic()
        if now >= self.next_hb:
            self.next_hb = now + 1.0
            self.m.mav.heartbeat_send(mavutil.mavlink.MAV_TYPE_GCS,
                                      mavutil.mavlink.MAV_AUTOPILOT_INVALID, 0, 0, 0)

    def recv(self, types, timeout=10.0):
        end = min(time.monotonic() + timeout, self.deadline)
        while time.monotonic() < end:
            self.heartbeat()
            msg = self.m.recv_match(blocking=True, timeout=0.1)
            if msg is None:
                continue
            kind = msg.get_type()
            if kind == 'MISSION_ITEM_REACHED':
                self.reached.append(msg.seq)
            if kind == 'STATUSTEXT':
                self.texts.append(msg.text)
            if kind in types:
                return msg
        raise TimeoutError('waiting for %s' % (types,))

    def command(self, command, *params):
        p = list(params) + [0.0] * (7 - len(params))
        self.m.mav.command_long_send(1, 1, command, 0, *p)
        while True:
            ack = self.recv(['COMMAND_ACK'])
            if ack.command == command:
                return ack.result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--connect', default='tcp:127.0.0.1:5760')
    ap.add_argument('--timeout', type=float, default=120.0)
    args = ap.parse_args()
    g = Gcs(args.connect, time.monotonic() + args.timeout)

    g.recv(['HEARTBEAT'], 30)
    print('heartbeat from system', g.m.target_system)
    g.m.mav.request_data_stream_send(1, 1, mavutil.mavlink.MAV_DATA_STREAM_ALL, 4, 1)

    # The simulated EKF reports 0,0 until it has a position.
    while True:
        pos = g.recv(['GLOBAL_POSITION_INT'], 30)
        if pos.lat != 0:
            break
    lat0, lon0 = pos.lat * 1e-7, pos.lon * 1e-7
    print('position %.7f %.7f' % (lat0, lon0))

    # The script arms and starts the mission in two commands; with a sped-up clock the
    # default 10 s auto-disarm on the ground could win that race.
    g.m.mav.param_set_send(1, 1, b'DISARM_DELAY', 0, mavutil.mavlink.MAV_PARAM_TYPE_INT8)
    g.recv(['PARAM_VALUE'])

    rel = mavutil.mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    wps = [offset(lat0, lon0, 50, 0), offset(lat0, lon0, 50, 50), offset(lat0, lon0, 0, 50)]
    items = [(mavutil.mavlink.MAV_CMD_NAV_WAYPOINT, lat0, lon0, 0.0),  # home, ignored
             (mavutil.mavlink.MAV_CMD_NAV_TAKEOFF, 0.0, 0.0, 20.0)]
    items += [(mavutil.mavlink.MAV_CMD_NAV_WAYPOINT, la, lo, 20.0) for la, lo in wps]
    items.append((mavutil.mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH, 0.0, 0.0, 0.0))

    g.m.mav.mission_count_send(1, 1, len(items), mavutil.mavlink.MAV_MISSION_TYPE_MISSION)
    while True:
        msg = g.recv(['MISSION_REQUEST', 'MISSION_REQUEST_INT', 'MISSION_ACK'])
        if msg.get_type() == 'MISSION_ACK':
            if msg.type != mavutil.mavlink.MAV_MISSION_ACCEPTED:
                print('upload refused: %d' % msg.type)
                return 1
            break
        cmd, la, lo, alt = items[msg.seq]
        g.m.mav.mission_item_int_send(1, 1, msg.seq, rel, cmd, 0, 1, 0, 0, 0, 0,
                                      int(round(la * 1e7)), int(round(lo * 1e7)), alt,
                                      mavutil.mavlink.MAV_MISSION_TYPE_MISSION)
    print('mission uploaded: %d items' % len(items))

    guided = 4
    result = g.command(mavutil.mavlink.MAV_CMD_DO_SET_MODE,
                       mavutil.mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, guided)
    if result != 0:
        print('GUIDED refused: %d' % result)
        return 1
    for _ in range(20):
        result = g.command(mavutil.mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        if result == 0:
            break
        time.sleep(0.2)
    if result != 0:
        print('arming refused: %s' % g.texts[-3:])
        return 1
    print('armed')
    if g.command(mavutil.mavlink.MAV_CMD_MISSION_START, 0, 0) != 0:
        print('mission start refused: %s' % g.texts[-3:])
        return 1
    print('AUTO')

    # Fly until disarmed after landing.
    armed_flag = mavutil.mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    while True:
        hb = g.recv(['HEARTBEAT'], args.timeout)
        if hb.get_srcSystem() == 1 and not hb.base_mode & armed_flag:
            break
    print('reached', ' '.join(str(s) for s in g.reached))
    expected = list(range(1, len(items)))
    if sorted(set(g.reached)) != expected:
        print('expected MISSION_ITEM_REACHED for %s' % expected)
        return 1
    print('landed and disarmed')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except TimeoutError as e:
        print('timeout:', e)
        sys.exit(2)
