#!/usr/bin/env python3
"""A bridge's own hops, read off the loopback wire (issue 9's definitions, for any bridge).

usage: wire_hops.py CAPTURE.pcap BRIDGE_PORT SIM_PORT

CAPTURE is a classic pcap of the loopback interface (dumpcap -P) holding a 'voicebridge load'
run: the load generator's calls to BRIDGE_PORT and the bridge's provider sessions to SIM_PORT
('sim --load'). Caller frames carry a hop tag in their first 12 bytes, and so does the first audio
delta of each simulated response (docs/performance.md, "Hop latency from outside the bridge").

- hop in:  a tagged caller frame on its way into the bridge (the segment that completes its
           'media' message to BRIDGE_PORT) -> the same audio on its way out to the provider (the
           segment that completes the message carrying it to SIM_PORT).
- hop out: a tagged first delta from SIM_PORT -> the first message to the caller carrying its
           first bytes.

Both ends are the kernel's timestamps of segments crossing 'lo', one clock; what the bridge's
process takes to wake, read, work and write is all inside. Prints one JSON object.
"""
import base64
import json
import re
import struct
import sys
from collections import Counter

MAGIC = bytes([0x71, 0xF2, 0x73, 0xF4])
TAG_BYTES = 12
# A frame's key: its first 66 bytes, the 12-byte tag and the 54 bytes of audio after it. The load
# generator stamps every call's frames of one tick alike, so the tag alone does not tell calls
# apart; the audio mostly does.
AUDIO = re.compile(rb'"(?:payload|audio|delta)"\s*:\s*"([A-Za-z0-9+/]{88})')


def packets(path):
    """Yields (time_s, src_port, dst_port, seq, payload) of every TCP segment with data."""
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            raise SystemExit(f"wire_hops: {path}: not a pcap file (too short)")
        magic = struct.unpack("<I", header[:4])[0]
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            raise SystemExit(f"wire_hops: {path}: not a classic little-endian pcap (magic {magic:#x}); capture with 'dumpcap -P'")
        nano = magic == 0xA1B23C4D
        link = struct.unpack("<I", header[20:24])[0]
        if link not in (1, 113):
            raise SystemExit(f"wire_hops: {path}: link type {link} is neither Ethernet (1) nor Linux cooked (113)")
        link_bytes = 14 if link == 1 else 16
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, captured, _ = struct.unpack("<IIII", record)
            data = f.read(captured)
            ip = data[link_bytes:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            tcp = ip[(ip[0] & 0x0F) * 4:]
            if len(tcp) < 20:
                continue
            payload = tcp[(tcp[12] >> 4) * 4:]
            if payload:
                src, dst, seq = struct.unpack(">HHI", tcp[:8])
                yield seconds + fraction / (1e9 if nano else 1e6), src, dst, seq, payload


# A header met where a flow is picked up must look like one of the bridges' own: a whole text or
# binary message, masked exactly when a client sent it, of a plausible size. Bytes in the middle of
# a masked frame pass looser checks often enough to stall a flow on a made-up length.
MAX_MESSAGE_BYTES = 1 << 20


def frames(buffer, masked, resync):
    """Splits complete WebSocket frames off the front of buffer: ([(opcode, payload)], rest), or None
    if buffer does not start with a frame (a client's frames are masked, a server's not)."""
    out, at = [], 0
    while len(buffer) - at >= 2:
        first, second = buffer[at], buffer[at + 1]
        opcode = first & 0x0F
        if opcode not in (0, 1, 2, 8, 9, 10) or first & 0x70 or bool(second & 0x80) != masked:
            return None
        if resync and at == 0 and (opcode not in (1, 2) or not first & 0x80):
            return None
        length, head = second & 0x7F, 2
        if length == 126:
            if len(buffer) - at < 4:
                break
            length, head = struct.unpack(">H", buffer[at + 2:at + 4])[0], 4
        elif length == 127:
            if len(buffer) - at < 10:
                break
            length, head = struct.unpack(">Q", buffer[at + 2:at + 10])[0], 10
        if length > MAX_MESSAGE_BYTES:
            return None
        mask = None
        if masked:
            if len(buffer) - at < head + 4:
                break
            mask, head = buffer[at + head:at + head + 4], head + 4
        if len(buffer) - at < head + length:
            break
        body = buffer[at + head:at + head + length]
        if mask:
            key = (mask * (length // 4 + 1))[:length]
            body = (int.from_bytes(body, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
        out.append((opcode, body))
        at += head + length
    return out, buffer[at:]


def tags(body):
    """The key (hop tag and the audio after it) of the audio a text message carries first, if tagged."""
    m = AUDIO.search(body)
    if not m:
        return None
    audio = base64.b64decode(m.group(1))
    return audio if audio[:4] == MAGIC else None


def summary(values):
    if not values:
        return {"count": 0, "p50Ms": None, "p99Ms": None, "maxMs": None}
    values = sorted(values)
    pick = lambda q: round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 3)
    return {"count": len(values), "p50Ms": pick(0.50), "p99Ms": pick(0.99), "maxMs": round(values[-1] * 1000, 3)}


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: wire_hops.py CAPTURE.pcap BRIDGE_PORT SIM_PORT")
    path, bridge, sim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    flows = {}  # (src, dst) -> [next seq, bytes not yet a whole frame]
    seen = {}  # (direction, key) -> [(time, the connection's client port)]
    skipped = 0
    for time, src, dst, seq, payload in packets(path):
        if dst == bridge:
            kind, client = "caller-in", src
        elif src == bridge:
            kind, client = "caller-out", dst
        elif dst == sim:
            kind, client = "provider-out", src
        elif src == sim:
            kind, client = "provider-in", dst
        else:
            continue
        flow = flows.get((src, dst))
        resync = flow is None or flow[0] != seq
        if resync:
            # a flow met mid-stream, or a segment missed: resynchronise on a segment that starts a frame
            flow = [seq, b""]
        parsed = frames(flow[1] + payload, masked=dst in (bridge, sim), resync=resync)
        if parsed is None:
            skipped += 1
            flows.pop((src, dst), None)
            continue
        complete, rest = parsed
        flows[(src, dst)] = [(seq + len(payload)) & 0xFFFFFFFF, rest]
        for opcode, body in complete:
            tag = tags(body) if opcode == 1 else None
            if tag is not None:
                seen.setdefault((kind, tag), []).append((time, client))

    # Which provider session carries which call: learnt from the frames only one call sent. Calls
    # silent at the same tick send identical frames, which the pairing then tells apart.
    votes = Counter()
    for (kind, key), ins in seen.items():
        outs = seen.get(("provider-out", key))
        if kind == "caller-in" and len(ins) == 1 and outs is not None and len(outs) == 1:
            votes[(ins[0][1], outs[0][1])] += 1
    provider_of = {}
    for (caller, provider), _ in votes.most_common():
        provider_of.setdefault(caller, provider)
    caller_of = {provider: caller for caller, provider in provider_of.items()}

    def hops(into, out, route):
        """Each keyed message going in, to the one with its key leaving on its call's other connection
        (a call's identical messages, as a late tick's catch-up frames are, pair in order: TCP and the
        bridge keep a call's order)."""
        found = []
        for (kind, key), ins in seen.items():
            if kind != into:
                continue
            outs = seen.get((out, key), [])
            for client in {c for _, c in ins}:
                went_in = sorted(t for t, c in ins if c == client)
                went_out = sorted(t for t, c in outs if c == route.get(client))
                if len(went_in) == len(went_out):
                    found.extend(o - i for i, o in zip(went_in, went_out))
        return found

    hop_in, hop_out = hops("caller-in", "provider-out", provider_of), hops("provider-in", "caller-out", caller_of)
    print(json.dumps({
        "hopIn": summary(hop_in),
        "hopOut": summary(hop_out),
        "callerFramesTagged": sum(len(t) for (k, _), t in seen.items() if k == "caller-in"),
        "firstDeltasTagged": sum(len(t) for (k, _), t in seen.items() if k == "provider-in"),
        "callsPaired": len(provider_of),
        "segmentsSkipped": skipped,
    }))


if __name__ == "__main__":
    main()
