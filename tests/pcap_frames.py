"""Prints the frames of a classic pcap file as hex, one per line (for byte-exact comparisons).
With --select FILE, only the frames whose index is listed (one per line) in FILE."""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: not a little-endian classic pcap file")
    off = 24
    while off < len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        off += 16
        yield data[off:off + incl]
        off += incl


args = sys.argv[1:]
select = None
if args[0] == "--select":
    with open(args[1]) as f:
        select = {int(line) for line in f if line.strip()}
    args = args[2:]
for index, frame in enumerate(frames(args[0])):
    if select is None or index in select:
        print(frame.hex())
