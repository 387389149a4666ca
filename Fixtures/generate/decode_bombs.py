"""Large, highly compressible images for measuring decode memory and time (Documentation/Preprocessing.md,
"Memory"). Not committed: run `python Fixtures/generate/decode_bombs.py OUTDIR [SIDE]` (SIDE defaults to 13000).

Writes, for a SIDE x SIDE smooth gradient:
  rgba16-interlaced.png  16-bit RGBA, Adam7 (Pillow cannot write 16-bit RGBA; rows are written here with zlib)
  rgba16.png             16-bit RGBA, not interlaced
  rgb8.png               8-bit RGB, written by Pillow (its adaptive filters)
  progressive.jpg        progressive JPEG from Pillow, one of its AC scans repeated to 499 scans in all
                         (libjpeg warns about the bogus progression and decodes it, as Pillow does)
"""
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def gradient_row16(side: int, y: int, xs: np.ndarray) -> bytes:
    """RGBA 16-bit big-endian samples of row y at columns xs: red along x, green along y, blue diagonal."""
    scale = 65535 / max(side - 1, 1)
    row = np.empty((len(xs), 4), dtype=">u2")
    row[:, 0] = (xs * scale).astype(np.uint16)
    row[:, 1] = int(y * scale)
    row[:, 2] = ((xs + y) * scale / 2).astype(np.uint16)
    row[:, 3] = 65535
    return row.tobytes()


def write_rgba16(path: Path, side: int, interlaced: bool) -> None:
    compressor = zlib.compressobj(9)
    body = bytearray()
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        xs = np.arange(x0, side, dx)
        previous = None
        for y in range(y0, side, dy):
            row = gradient_row16(side, y, xs)
            # Up filter (type 2) after the first row: the gradient makes most rows compress to almost nothing.
            if previous is None:
                filtered = b"\x00" + row
            else:
                delta = (np.frombuffer(row, np.uint8) - np.frombuffer(previous, np.uint8)).astype(np.uint8)
                filtered = b"\x02" + delta.tobytes()
            previous = row
            body += compressor.compress(filtered)
    body += compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 1 if interlaced else 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", bytes(body)) + chunk(b"IEND", b""))


def gradient_rgb8(side: int) -> Image.Image:
    axis = np.linspace(0, 255, side).astype(np.uint8)
    red = np.broadcast_to(axis[None, :], (side, side))
    green = np.broadcast_to(axis[:, None], (side, side))
    blue = ((red.astype(np.uint16) + green) // 2).astype(np.uint8)
    return Image.fromarray(np.dstack([red, green, blue]), "RGB")


def scans(data: bytes):
    """(start, end) of each SOS segment with its entropy-coded data, and the index of the EOI marker."""
    result, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        if marker == 0xD9:
            return result, position
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        end = position + 2 + length
        if marker == 0xDA:
            # Entropy data runs to the next marker that is not a stuffed zero or a restart marker.
            while not (data[end] == 0xFF and data[end + 1] not in (0x00, *range(0xD0, 0xD8))):
                end += 1
            result.append((position, end))
        position = end
    raise ValueError("no EOI")


def write_progressive(path: Path, image: Image.Image, total_scans: int = 499) -> None:
    image.save(path, "JPEG", quality=75, progressive=True)
    data = path.read_bytes()
    found, _ = scans(data)
    # Repeat the smallest scan (an AC band of end-of-band runs) right after itself.
    start, end = min(found, key=lambda span: span[1] - span[0])
    copies = total_scans - len(found)
    path.write_bytes(data[:end] + data[start:end] * copies + data[end:])


def main() -> None:
    out = Path(sys.argv[1])
    side = int(sys.argv[2]) if len(sys.argv) > 2 else 13000
    out.mkdir(parents=True, exist_ok=True)
    write_rgba16(out / "rgba16-interlaced.png", side, True)
    write_rgba16(out / "rgba16.png", side, False)
    image = gradient_rgb8(side)
    image.save(out / "rgb8.png")
    write_progressive(out / "progressive.jpg", image)
    for name in ["rgba16-interlaced.png", "rgba16.png", "rgb8.png", "progressive.jpg"]:
        print(f"{name}: {(out / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
