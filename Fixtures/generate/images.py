"""Image fixtures: photos, crafted edge cases, and Pillow / transformers references.

Writes Fixtures/images/:
  photos/      public-domain photos from scikit-image's sample data, saved as modest JPEGs
  crafted/     small crafted edge cases (orientations, PNG and JPEG variants, broken files)
  configs/     preprocessor_config.json files for the processor references
  references/  index.json plus compressed reference arrays (see "Reference arrays" below)

References are what a transformers user gets:
  decoded   ImageOps.exif_transpose(Image.open(f)).convert("RGB")  (transformers' load_image)
  processed ViTImageProcessorPil / DeiTImageProcessorPil(load_image(f))["pixel_values"][0]
  processed_torchvision
            ViTImageProcessor / DeiTImageProcessor (the torchvision backend, which AutoImageProcessor and
            pipeline() pick when torchvision is installed) on the same images; configurations it cannot
            run (box, Hamming) are listed under torchvision_errors with transformers' exception
  resample  Image.fromarray(rgb).resize((w, h), filter)             (synthetic inputs)
  resample_torchvision (in each resample entry)
            torchvision.transforms.v2.functional.resize(uint8 CHW tensor, [h, w], mode, antialias=True),
            the call transformers' torchvision backend makes, for the four modes it maps resample 0-3 to
  errors    files Pillow refuses, with the typed error SwiftViT must raise

Reference arrays are uint8 arrays, row-delta filtered (each byte minus the byte one pixel to its left in the
same row and channel, modulo 256; the first pixel of a row is stored as is) and zlib-compressed (zlib's
adler32 guards them). A processed reference (float32 [3, H, W]) is stored exactly as, per channel, the sorted
distinct float32 values (their IEEE bit patterns, in index.json) plus one uint8 index plane per channel: the
Pillow backend maps each 8-bit value of a channel to one float, so a channel never has more than 256 values.
The script checks that every stored array reconstructs the original bit for bit.
"""
import ctypes
import ctypes.util
import io
import json
import pathlib
import re
import shutil
import struct
import warnings
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps

import skimage
import skimage.data
import torch
import torchvision
import transformers
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as tvF
from transformers import (
    DeiTImageProcessorPil,
    ViTImageProcessor,
    ViTImageProcessorPil,
    DeiTImageProcessor,
)

Image.MAX_IMAGE_PIXELS = 89_478_485  # Pillow's default; twice this raises DecompressionBombError.

CONFIGS = {
    # google/vit-base-patch16-224's preprocessor_config.json, verbatim.
    "vit-base-patch16-224": {
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "ViTFeatureExtractor",
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "resample": 2,
        "size": 224,
    },
    # A ViT at 384 with bicubic resampling and ImageNet statistics.
    "bicubic-384-imagenet": {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True,
        "size": {"height": 384, "width": 384},
        "resample": 3,
        "do_rescale": True,
        "rescale_factor": 0.00392156862745098,
        "do_normalize": True,
        "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225],
    },
    # DeiT style: shortest edge to 256 keeping the aspect ratio, center crop 224, bicubic, ImageNet statistics.
    "deit-shortest-256-crop-224": {
        "image_processor_type": "DeiTImageProcessor",
        "do_resize": True,
        "size": {"shortest_edge": 256},
        "resample": 3,
        "do_center_crop": True,
        "crop_size": {"height": 224, "width": 224},
        "do_normalize": True,
        "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225],
    },
    # Less common paths, run on the small crafted images only.
    "lanczos-shortest-longest": {
        "image_processor_type": "ViTImageProcessor",
        "size": {"shortest_edge": 40, "longest_edge": 60},
        "resample": 1,
        "image_mean": 0.45,
        "image_std": [0.2, 0.25, 0.3],
    },
    "nearest-rescale-only": {
        "image_processor_type": "ViTImageProcessor",
        "size": [37, 23],
        "resample": 0,
        "do_normalize": False,
        "rescale_factor": 0.01,
    },
    "crop-larger-than-image": {
        "image_processor_type": "DeiTImageProcessor",
        "do_resize": False,
        "crop_size": {"height": 33, "width": 20},
        "do_rescale": False,
        "image_mean": [100.0, 120.5, 90.25],
        "image_std": [50.0, 60.0, 70.0],
    },
    "fit-hamming-crop": {
        "image_processor_type": "ViTImageProcessor",
        "size": {"max_height": 50, "max_width": 30},
        "resample": 5,
        "do_center_crop": True,
        "crop_size": 24,
    },
    "box-square": {
        "image_processor_type": "DeiTImageProcessor",
        "size": 45,
        "resample": 4,
        "crop_size": [20, 31],
    },
}
MAIN_CONFIGS = ["vit-base-patch16-224", "bicubic-384-imagenet", "deit-shortest-256-crop-224"]

PHOTOS = {
    # name: (scikit-image loader, JPEG quality, note)
    "astronaut": ("astronaut", 90),
    "chelsea": ("chelsea", 90),
    "coffee": ("coffee", 90),
    "hubble_deep_field": ("hubble_deep_field", 85),
}

ORIENTATION = 0x0112


# --------------------------------------------------------------------------------------------------------
# Writing helpers


def delta_encode(array: np.ndarray) -> bytes:
    """Row-delta filter a uint8 array of shape (rows, width, channels) or (rows, width)."""
    a = array if array.ndim == 3 else array[:, :, None]
    d = a.astype(np.int16)
    d[:, 1:, :] -= a[:, :-1, :].astype(np.int16)
    return zlib.compress((d % 256).astype(np.uint8).tobytes(), 9)


def delta_decode(blob: bytes, shape) -> np.ndarray:
    rows, width, channels = shape
    d = np.frombuffer(zlib.decompress(blob), np.uint8).reshape(rows, width, channels).astype(np.int64)
    return (np.cumsum(d, axis=1) % 256).astype(np.uint8)


class Writer:
    GENERATED = ["photos", "crafted", "configs", "references"]

    def __init__(self, root: pathlib.Path):
        self.root = root
        for sub in self.GENERATED:
            if (root / sub).exists():
                shutil.rmtree(root / sub)
        for sub in ["photos", "crafted", "configs", "references/decoded", "references/processed",
                    "references/processed-torchvision", "references/resample"]:
            (root / sub).mkdir(parents=True)

    def bytes(self, relative: str, data: bytes) -> str:
        (self.root / relative).write_bytes(data)
        return relative

    def array(self, relative: str, array: np.ndarray) -> str:
        """Store a uint8 (rows, width, channels) array; verify it round-trips."""
        a = array if array.ndim == 3 else array[:, :, None]
        blob = delta_encode(a)
        assert np.array_equal(delta_decode(blob, a.shape), a)
        return self.bytes(relative, blob)


def pillow_load(data: bytes) -> Image.Image:
    """transformers.image_utils.load_image on bytes: exif_transpose, then convert("RGB")."""
    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image)
    return image.convert("RGB")


# --------------------------------------------------------------------------------------------------------
# PNG and JPEG building blocks


def png_chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    if crc is None:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def pack_rows(samples: np.ndarray, depth: int) -> list[bytes]:
    """samples: (h, w*channels) unsigned ints; pack each row at `depth` bits, big-endian."""
    rows = []
    for row in samples:
        if depth == 16:
            rows.append(row.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(row.astype(np.uint8).tobytes())
        else:
            per_byte = 8 // depth
            padded = np.zeros(((len(row) + per_byte - 1) // per_byte) * per_byte, np.uint8)
            padded[: len(row)] = row
            packed = np.zeros(len(padded) // per_byte, np.uint8)
            for i in range(per_byte):
                packed |= (padded[i::per_byte] << (8 - depth * (i + 1))).astype(np.uint8)
            rows.append(packed.tobytes())
    return rows


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_file(samples: np.ndarray, depth: int, color_type: int, *, interlace: bool = False,
             before: list[bytes] = (), after_header: list[bytes] = (), after: list[bytes] = (),
             idat_chunks: int = 1, plte: bytes | None = None, trns: bytes | None = None) -> bytes:
    """A PNG from samples of shape (h, w, channels) at `depth` bits, filter type 0 on every row."""
    h, w, c = samples.shape
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx, :]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            raw += b"".join(b"\0" + r for r in pack_rows(sub.reshape(sub.shape[0], -1), depth))
    else:
        raw = b"".join(b"\0" + r for r in pack_rows(samples.reshape(h, -1), depth))
    compressed = zlib.compress(raw, 9)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + b"".join(after_header)
    if plte is not None:
        out += png_chunk(b"PLTE", plte)
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    out += b"".join(before)
    step = max(1, (len(compressed) + idat_chunks - 1) // idat_chunks)
    for i in range(0, len(compressed), step):
        out += png_chunk(b"IDAT", compressed[i : i + step])
    return out + b"".join(after) + png_chunk(b"IEND", b"")


def tiff_ifd0(entries, *, big_endian=True, extra=b"", ifd_offset=8, header=None) -> bytes:
    """TIFF header + IFD0 with (tag, type, count, 4-byte value field) entries, then `extra` bytes."""
    e = ">" if big_endian else "<"
    head = header if header is not None else (b"MM\x00\x2a" if big_endian else b"II\x2a\x00") + struct.pack(
        e + "L", ifd_offset)
    body = struct.pack(e + "H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack(e + "HHL", tag, kind, count) + value
    return head + body + struct.pack(e + "L", 0) + extra


def short_value(value, big_endian=True) -> bytes:
    return struct.pack(">HH" if big_endian else "<HH", value, 0)


def with_app_segments(jpeg: bytes, segments: list[tuple[int, bytes]]) -> bytes:
    """Insert APPn segments right after SOI."""
    extra = b"".join(struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload for marker, payload in segments)
    return jpeg[:2] + extra + jpeg[2:]


def strip_segment(jpeg: bytes, marker: int) -> bytes:
    """Remove every segment with this marker from the header part of a JPEG."""
    out = bytearray(jpeg[:2])
    i = 2
    while i < len(jpeg):
        assert jpeg[i] == 0xFF
        m = jpeg[i + 1]
        if m == 0xDA:
            out += jpeg[i:]
            break
        length = struct.unpack(">H", jpeg[i + 2 : i + 4])[0]
        if m != marker:
            out += jpeg[i : i + 2 + length]
        i += 2 + length
    return bytes(out)


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def ycck_jpeg(cmyk: np.ndarray) -> bytes:
    """A YCCK JPEG (Adobe transform 2) via libjpeg-turbo's TurboJPEG, which writes CMYK input as YCCK."""
    name = ctypes.util.find_library("turbojpeg") or "libturbojpeg.so.0"
    tj = ctypes.CDLL(name)
    tj.tjInitCompress.restype = ctypes.c_void_p
    tj.tjCompress2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                               ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ulong),
                               ctypes.c_int, ctypes.c_int, ctypes.c_int]
    tj.tjFree.argtypes = [ctypes.c_void_p]
    tj.tjDestroy.argtypes = [ctypes.c_void_p]
    handle = tj.tjInitCompress()
    h, w, _ = cmyk.shape
    out = ctypes.c_void_p()
    size = ctypes.c_ulong(0)
    TJPF_CMYK, TJSAMP_420 = 11, 2
    status = tj.tjCompress2(handle, np.ascontiguousarray(cmyk).tobytes(), w, 0, h, TJPF_CMYK,
                            ctypes.byref(out), ctypes.byref(size), TJSAMP_420, 90, 0)
    assert status == 0, "tjCompress2 failed"
    data = ctypes.string_at(out, size.value)
    tj.tjFree(out)
    tj.tjDestroy(handle)
    return data


# --------------------------------------------------------------------------------------------------------
# Synthetic pictures


def test_card(width: int, height: int, seed: int, noise: float = 12) -> np.ndarray:
    """An asymmetric picture: gradients, a bright corner block, and some noise, so every transpose differs."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 3), np.float64)
    image[..., 0] = 255 * x / max(width - 1, 1)
    image[..., 1] = 255 * y / max(height - 1, 1)
    image[..., 2] = 128 + 100 * np.sin(x / 3.0 + y / 5.0)
    image[: max(1, height // 4), : max(1, width // 3)] = [250, 240, 10]
    image += rng.normal(0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------------------
# Cases


def crafted_cases(w: Writer) -> tuple[dict, dict]:
    """Returns (decodable cases name -> relative path, error cases name -> (relative path, expected error))."""
    good: dict[str, str] = {}
    bad: dict[str, tuple[str, str]] = {}
    rng = np.random.default_rng(4)

    def add(name, ext, data):
        good[name] = w.bytes(f"crafted/{name}.{ext}", data)

    def add_bad(name, ext, data, error):
        bad[name] = (w.bytes(f"crafted/{name}.{ext}", data), error)

    card = Image.fromarray(test_card(24, 16, 1))

    # EXIF orientations 1-8 (Pillow writes the Exif APP1 segment).
    for value in range(1, 9):
        exif = Image.Exif()
        exif[ORIENTATION] = value
        add(f"orientation-{value}", "jpg", jpeg_bytes(card, quality=95, subsampling=0, exif=exif.tobytes()))
    # The same for PNG's eXIf chunk, before and after the image data.
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    card.save(buffer, "PNG", exif=exif.tobytes())
    add("png-exif-orientation-6", "png", buffer.getvalue())
    samples = np.asarray(card)
    add("png-exif-after-idat-orientation-5", "png",
        png_file(samples, 8, 2, after=[png_chunk(b"eXIf", tiff_ifd0([(ORIENTATION, 3, 1, short_value(5))]))]))
    raw_exif = b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(8))])
    profile = f"\nexif\n{len(raw_exif):8}\n{raw_exif.hex()}\n".encode("latin-1")
    add("png-raw-profile-orientation-8", "png",
        png_file(samples, 8, 2, before=[png_chunk(b"zTXt", b"Raw profile type exif\0\0" + zlib.compress(profile))]))
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description tiff:Orientation="3"/></x:xmpmeta>'
    add("png-xmp-orientation-3", "png",
        png_file(samples, 8, 2, before=[png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + xmp)]))

    # EXIF parsing edge cases, mirroring what Pillow 13 does with each.
    plain = jpeg_bytes(card, quality=95, subsampling=0)
    exif_variants = {
        "exif-long-type": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 4, 1, struct.pack(">L", 6))])],
        "exif-little-endian": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(7, False))],
                                                       big_endian=False)],
        "exif-rational": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 5, 1, struct.pack(">L", 26))],
                                                  extra=struct.pack(">LL", 16, 2))],
        "exif-byte-type-ignored": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 1, 1, b"\x06\0\0\0")])],
        "exif-duplicate-first-wins": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(3)),
                                                              (ORIENTATION, 3, 1, short_value(6))])],
        "exif-unknown-type-then-valid": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 99, 1, short_value(3)),
                                                                 (ORIENTATION, 3, 1, short_value(8))])],
        "exif-ifd-offset-out-of-bounds": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(6))],
                                                                  ifd_offset=60000)],
        "exif-value-out-of-bounds": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 3, struct.pack(">L", 60000))])],
        "exif-bad-header-skips-xmp": [b"Exif\0\0XXXXXXXXXXXX",
                                      b"http://ns.adobe.com/xap/1.0/\0" + b'tiff:Orientation="6"'],
        "exif-huge-entry-count": [b"Exif\0\0" + b"MM\x00\x2a\x00\x00\x00\x08\xff\xff"
                                  + struct.pack(">HHL", ORIENTATION, 3, 1) + short_value(2)],
        "exif-looping-ifd-chain": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(4))])[:-4]
                                   + struct.pack(">L", 8)],
        "exif-double-prefix": [b"Exif\0\0Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(2))])],
        "exif-two-segments": [b"Exif\0\0" + tiff_ifd0([(0x0100, 3, 1, short_value(5))]),
                              b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(6))])],
        "xmp-only-orientation-8": [b"http://ns.adobe.com/xap/1.0/\0"
                                   + b"<x:xmpmeta><tiff:Orientation>8</tiff:Orientation></x:xmpmeta>"],
        "exif-1-wins-over-xmp": [b"Exif\0\0" + tiff_ifd0([(ORIENTATION, 3, 1, short_value(1))]),
                                 b"http://ns.adobe.com/xap/1.0/\0" + b'tiff:Orientation="6"'],
        "exif-without-tag-uses-xmp": [b"Exif\0\0" + tiff_ifd0([(0x0100, 3, 1, short_value(24))]),
                                      b"http://ns.adobe.com/xap/1.0/\0" + b'tiff:Orientation="5"'],
    }
    for name, payloads in exif_variants.items():
        add(name, "jpg", with_app_segments(plain, [(0xE1, p) for p in payloads]))

    # JPEG variants.
    photo = Image.fromarray(test_card(61, 47, 2))
    add("jpeg-gray", "jpg", jpeg_bytes(photo.convert("L"), quality=90))
    add("jpeg-444", "jpg", jpeg_bytes(photo, quality=90, subsampling=0))
    add("jpeg-422", "jpg", jpeg_bytes(photo, quality=90, subsampling=1))
    add("jpeg-420", "jpg", jpeg_bytes(photo, quality=90, subsampling=2))
    add("jpeg-progressive", "jpg", jpeg_bytes(photo, quality=90, progressive=True))
    add("jpeg-restart-markers", "jpg", jpeg_bytes(photo, quality=90, restart_marker_blocks=2))
    cmyk = photo.convert("CMYK")
    cmyk_jpeg = jpeg_bytes(cmyk, quality=90)
    add("jpeg-cmyk-adobe", "jpg", cmyk_jpeg)
    add("jpeg-cmyk-no-adobe-marker", "jpg", strip_segment(cmyk_jpeg, 0xEE))
    add("jpeg-ycck", "jpg", ycck_jpeg(np.asarray(cmyk)))
    add("jpeg-1x1", "jpg", jpeg_bytes(Image.new("RGB", (1, 1), (200, 30, 90)), quality=95))
    add("jpeg-strip-1000x40", "jpg", jpeg_bytes(Image.fromarray(test_card(1000, 40, 3, noise=2)), quality=90))
    add("png-named-as-jpeg", "jpg", png_file(test_card(9, 7, 5), 8, 2))
    baseline = jpeg_bytes(photo, quality=90)
    assert baseline.endswith(b"\xff\xd9")
    add_bad("jpeg-missing-eoi", "jpg", baseline[:-2], "truncated")
    add_bad("jpeg-truncated", "jpg", baseline[: len(baseline) * 6 // 10], "truncated")
    progressive = jpeg_bytes(photo, quality=90, progressive=True)
    add_bad("jpeg-progressive-truncated", "jpg", progressive[: len(progressive) * 7 // 10], "truncated")
    add_bad("jpeg-progressive-missing-eoi", "jpg", progressive[:-2], "truncated")
    add_bad("jpeg-header-only", "jpg", baseline[:100], "truncated")
    huge = bytearray(baseline)
    sof = huge.index(b"\xff\xc0")
    huge[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    add_bad("jpeg-too-many-pixels", "jpg", bytes(huge), "tooManyPixels")

    # PNG variants.
    rgb = test_card(23, 17, 6)
    gray = (rgb.astype(np.uint16).sum(axis=2) // 3).astype(np.uint8)
    alpha = rng.integers(0, 256, gray.shape, dtype=np.uint8)
    add("png-rgb", "png", png_file(rgb, 8, 2))
    add("png-rgba", "png", png_file(np.dstack([rgb, alpha]), 8, 6))
    add("png-gray", "png", png_file(gray[..., None], 8, 0))
    add("png-gray-alpha", "png", png_file(np.dstack([gray, alpha]), 8, 4))
    add("png-gray-1bit", "png", png_file((gray[..., None] > 128).astype(np.uint8), 1, 0))
    add("png-gray-2bit", "png", png_file((gray[..., None] >> 6), 2, 0))
    add("png-gray-4bit", "png", png_file((gray[..., None] >> 4), 4, 0))
    add("png-gray-4bit-interlaced", "png", png_file((gray[..., None] >> 4), 4, 0, interlace=True))
    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    indices = (gray[..., None] >> 4)
    add("png-palette-8bit", "png", png_file(indices, 8, 3, plte=palette.tobytes()))
    add("png-palette-4bit", "png", png_file(indices, 4, 3, plte=palette.tobytes()))
    add("png-palette-2bit", "png", png_file(indices >> 2, 2, 3, plte=palette[:4].tobytes()))
    add("png-palette-1bit", "png", png_file(indices >> 3, 1, 3, plte=palette[:2].tobytes()))
    add("png-palette-trns", "png", png_file(indices, 8, 3, plte=palette.tobytes(),
                                            trns=rng.integers(0, 256, 16, dtype=np.uint8).tobytes()))
    add("png-palette-index-beyond-plte", "png", png_file(indices, 8, 3, plte=palette[:10].tobytes()))
    add("png-rgb-trns", "png", png_file(rgb, 8, 2, trns=struct.pack(">HHH", *rgb[0, 0])))
    add("png-gray-trns", "png", png_file(gray[..., None], 8, 0, trns=struct.pack(">H", int(gray[0, 0]))))
    wide = rng.integers(0, 65536, rgb.shape, dtype=np.uint16)

    # 16-bit samples reduce as Pillow's convert("RGB") does: the high byte, but gray clipped to 255.
    def add16(name, samples, color_type, **options):
        add(name, "png", png_file(samples, 16, color_type, **options))

    add16("png-rgb-16bit", wide, 2)
    add16("png-rgba-16bit", np.dstack([wide, wide[..., :1] ^ 0x5A5A]), 6)
    add16("png-gray-16bit", wide[..., :1], 0)
    add16("png-gray-alpha-16bit", wide[..., :2], 4)
    add("png-interlaced", "png", png_file(rgb, 8, 2, interlace=True))
    add16("png-interlaced-rgba-16bit", np.dstack([wide, wide[..., :1]]), 6, interlace=True)
    add("png-gamma-1.0", "png", png_file(rgb, 8, 2, after_header=[png_chunk(b"gAMA", struct.pack(">I", 100000))]))
    add("png-gamma-and-chrm", "png", png_file(rgb, 8, 2, after_header=[
        png_chunk(b"gAMA", struct.pack(">I", 22000)),
        png_chunk(b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000))]))
    add16("png-16bit-gamma", wide, 2, after_header=[png_chunk(b"gAMA", struct.pack(">I", 100000))])
    add("png-iccp", "png", png_file(rgb, 8, 2, after_header=[
        png_chunk(b"iCCP", b"profile\0\0" + zlib.compress(b"not really a profile" * 20))]))
    add("png-sbit", "png", png_file(rgb, 8, 2, after_header=[png_chunk(b"sBIT", b"\x05\x06\x05")]))
    add("png-many-idat-chunks", "png", png_file(rgb, 8, 2, idat_chunks=7))
    add("png-text-chunks", "png", png_file(rgb, 8, 2, before=[
        png_chunk(b"tEXt", b"Comment\0hello"), png_chunk(b"zTXt", b"Big\0\0" + zlib.compress(b"x" * 900_000)),
        png_chunk(b"iTXt", b"Title\0\0\0en\0\0caf\xc3\xa9")], after=[png_chunk(b"tEXt", b"After\0idat")]))
    add("png-bad-idat-crc", "png", png_file(rgb, 8, 2).replace(
        png_chunk(b"IDAT", zlib.compress(b"".join(b"\0" + r for r in pack_rows(rgb.reshape(17, -1), 8)), 9)),
        png_chunk(b"IDAT", zlib.compress(b"".join(b"\0" + r for r in pack_rows(rgb.reshape(17, -1), 8)), 9),
                  crc=0x12345678)))
    add("png-bad-crc-after-idat", "png", png_file(rgb, 8, 2, after=[png_chunk(b"tEXt", b"a\0b", crc=1)]))
    add("png-1x1", "png", png_file(np.array([[[12, 250, 99]]], np.uint8), 8, 2))
    add("png-tiny-5x3", "png", png_file(test_card(5, 3, 7), 8, 2))
    add("jpeg-named-as-png", "png", jpeg_bytes(photo, quality=90))

    # Every PNG pixel format, Adam7-interlaced (libpng's simplified API mishandles 16-bit ones; see PNGDecoder).
    small_rgb = test_card(13, 11, 8)
    small_wide = rng.integers(0, 65536, (11, 13, 4), dtype=np.uint16)
    for color_type, depths in {0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]}.items():
        channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
        for depth in depths:
            name = f"png-interlaced-type{color_type}-{depth}bit"
            if depth == 16:
                add16(name, small_wide[..., :channels], color_type, interlace=True)
                continue
            if color_type == 3:
                samples = (small_rgb[..., :1] >> (8 - depth)).astype(np.uint8)
                add(name, "png", png_file(samples, depth, 3, interlace=True,
                                          plte=palette[: 1 << depth].tobytes() if depth < 8 else
                                          rng.integers(0, 256, (256, 3), dtype=np.uint8).tobytes()))
                continue
            samples = np.dstack([small_rgb, small_rgb[..., :1] ^ 0x55])[..., :channels] if channels != 2 else \
                np.dstack([small_rgb[..., :1], small_rgb[..., 1:2]])
            add(name, "png", png_file((samples >> (8 - depth)).astype(np.uint8), depth, color_type, interlace=True))

    good_png = png_file(rgb, 8, 2)
    ihdr_crc = 8 + 4 + 4 + 13
    broken = bytearray(good_png)
    broken[ihdr_crc] ^= 0xFF
    add_bad("png-bad-crc", "png", bytes(broken), "badChecksum")
    add_bad("png-truncated", "png", good_png[: len(good_png) - 200], "truncated")
    add_bad("png-signature-only", "png", good_png[:8], "truncated")
    add_bad("png-too-many-pixels", "png", png_file(rgb, 8, 2).replace(
        png_chunk(b"IHDR", struct.pack(">IIBBBBB", 23, 17, 8, 2, 0, 0, 0)),
        png_chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))), "tooManyPixels")
    add_bad("png-text-over-1mb", "png", png_file(rgb, 8, 2, before=[
        png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"y" * 1_100_000))]), "corrupt")
    add_bad("png-truncated-gama-chunk", "png", png_file(rgb, 8, 2, after_header=[png_chunk(b"gAMA", b"\x00\x01")]),
            "corrupt")
    add_bad("png-iccp-unknown-method", "png", png_file(rgb, 8, 2, after_header=[png_chunk(b"iCCP", b"p\0\x07abc")]),
            "corrupt")
    add_bad("zero-bytes", "png", b"", "empty")
    add_bad("text-named-as-png", "png", b"This is a text file, not a PNG image.\n", "unrecognizedFormat")
    add_bad("text-named-as-jpeg", "jpg", b"Neither is this a JPEG.\n", "unrecognizedFormat")
    return good, bad


def photo_cases(w: Writer) -> dict:
    cases = {}
    for name, (loader, quality) in PHOTOS.items():
        pixels = getattr(skimage.data, loader)()
        cases[name] = w.bytes(f"photos/{name}.jpg", jpeg_bytes(Image.fromarray(pixels), quality=quality))
    return cases


# --------------------------------------------------------------------------------------------------------
# References


def processor_class(config: dict, backend: str):
    kind = config.get("image_processor_type") or config.get("feature_extractor_type") or "ViT"
    deit = kind.startswith("DeiT")
    if backend == "pil":
        return DeiTImageProcessorPil if deit else ViTImageProcessorPil
    return DeiTImageProcessor if deit else ViTImageProcessor


def make_processor(config: dict, backend: str):
    # from_dict is what from_pretrained does with a preprocessor_config.json.
    settings = {k: v for k, v in config.items() if k not in ("image_processor_type", "feature_extractor_type")}
    return processor_class(config, backend).from_dict(settings)


GRID = 16  # sampled references keep rows and columns 0, 16, 32, ... of every channel


def index_planes(values: np.ndarray, tables: list[np.ndarray]) -> np.ndarray:
    """float32 [C, H, W] -> uint8 [C, H, W] indices into each channel's table, checked to be exact."""
    planes = []
    for channel, table in zip(values, tables):
        index = np.searchsorted(table, channel)
        assert index.max() < 256 and np.array_equal(table[index].view(np.uint32), channel.view(np.uint32))
        planes.append(index.astype(np.uint8))
    return np.stack(planes)


# Every decodable image goes through the three main configurations; the less common configurations (small
# outputs) run on a representative subset. Each result is checked by the CRC-32 of its float32 bytes (which
# catches any single changed value with certainty) and by a sampled grid of values that gives max |Δ| on
# failure; the ones listed in `full` also store every value.
SUBSET = ["png-1x1", "jpeg-1x1", "png-tiny-5x3", "orientation-3", "orientation-8", "jpeg-gray",
          "png-palette-trns", "jpeg-420", "png-rgba", "jpeg-cmyk-adobe", "png-interlaced", "exif-rational",
          "png-rgb-16bit", "jpeg-progressive"]
# The torchvision references keep every value of the small images only, to keep the fixtures small.
FULL = {"pil": {"astronaut", "chelsea", "png-1x1", "png-tiny-5x3"}, "torchvision": {"png-1x1", "png-tiny-5x3"}}
# Where each backend's references go in index.json and under references/.
BACKEND_KEYS = {"pil": ("processed", "configs", "processed"),
                "torchvision": ("processed_torchvision", "configs_torchvision", "processed-torchvision")}


def processed_references(w: Writer, index: dict, backend: str, decodable: dict, loaded: dict) -> None:
    entries_key, configs_key, folder = BACKEND_KEYS[backend]
    index.setdefault(entries_key, [])
    index.setdefault(configs_key, {})
    for config_name, config in CONFIGS.items():
        processor = make_processor(config, backend)
        names = list(decodable) if config_name in MAIN_CONFIGS else SUBSET
        results = {}
        try:
            for name in names:
                output = processor(loaded[name], return_tensors="pt" if backend == "torchvision" else "np")
                values = output["pixel_values"][0]
                # The pipeline casts pixel_values to the model's dtype (float32).
                results[name] = values.to(torch.float32).numpy() if backend == "torchvision" else values
        except NotImplementedError as error:
            # torch's interpolate has no box or Hamming mode; transformers lets the error through.
            index.setdefault("torchvision_errors", {})[config_name] = f"NotImplementedError: {error}"
            continue
        tables = [np.unique(np.concatenate([r[c].ravel() for r in results.values()])) for c in range(3)]
        index[configs_key][config_name] = {"file": f"configs/{config_name}.json",
                                           "tables": [[int(b) for b in t.view(np.uint32)] for t in tables]}
        (w.root / f"references/{folder}/{config_name}").mkdir(parents=True, exist_ok=True)
        for name, values in results.items():
            planes = index_planes(values, tables)
            stem = f"references/{folder}/{config_name}/{name}"
            grid = planes[:, ::GRID, ::GRID]
            entry = {"config": config_name, "image": name, "shape": list(values.shape),
                     "crc32": zlib.crc32(values.tobytes()),
                     "grid": w.array(f"{stem}.grid.u8z", grid.reshape(-1, grid.shape[2]))}
            if config_name not in MAIN_CONFIGS or name in FULL[backend]:
                entry["indices"] = w.array(f"{stem}.u8z", planes.reshape(-1, planes.shape[2]))
            index[entries_key].append(entry)



def resample_cases(w: Writer) -> list:
    rng = np.random.default_rng(11)
    inputs = {
        "noise-37x23": rng.integers(0, 256, (23, 37, 3), dtype=np.uint8),
        "card-64x48": test_card(64, 48, 12),
        "noise-3x200": rng.integers(0, 256, (200, 3, 3), dtype=np.uint8),
        "card-301x7": test_card(301, 7, 13),
        "noise-1x1": rng.integers(0, 256, (1, 1, 3), dtype=np.uint8),
    }
    targets = {
        "noise-37x23": [(11, 7), (80, 51), (37, 50), (60, 23), (36, 22), (38, 24), (1, 1), (5, 200), (200, 5)],
        "card-64x48": [(97, 71), (17, 13), (64, 21), (32, 24), (65, 47)],
        "noise-3x200": [(3, 7), (41, 43), (1, 199), (9, 300)],
        "card-301x7": [(60, 60), (100, 7), (17, 1)],
        "noise-1x1": [(7, 5), (1, 3)],
    }
    cases = []
    for name, pixels in inputs.items():
        entry = {"name": name, "width": pixels.shape[1], "height": pixels.shape[0],
                 "pixels": w.array(f"references/resample/{name}.u8z", pixels), "outputs": []}
        # transformers' PILImageResampling has these six; Pillow 13's MKS filters are not used by processors.
        for resample in [Image.Resampling(i) for i in range(6)]:
            for width, height in targets[name]:
                out = np.asarray(Image.fromarray(pixels).resize((width, height), resample))
                relative = f"references/resample/{name}-{resample.name.lower()}-{width}x{height}.u8z"
                entry["outputs"].append({"filter": int(resample), "width": width, "height": height,
                                         "pixels": w.array(relative, out)})
        entry["outputs_torchvision"] = torchvision_resample_outputs(w, name, pixels, targets[name])
        cases.append(entry)
    return cases


# transformers' pil_torch_interpolation_mapping for the filters torch can do (box and Hamming raise).
TORCH_MODES = {0: InterpolationMode.NEAREST_EXACT, 1: InterpolationMode.LANCZOS, 2: InterpolationMode.BILINEAR,
               3: InterpolationMode.BICUBIC}


def torchvision_resample_outputs(w: Writer, name: str, pixels: np.ndarray, targets: list) -> list:
    """tvF.resize on the uint8 [1, 3, H, W] tensor, as TorchvisionBackend.resize calls it."""
    tensor = torch.from_numpy(pixels).permute(2, 0, 1).contiguous()[None]
    outputs = []
    for resample, mode in TORCH_MODES.items():
        for width, height in targets:
            result = {"filter": resample, "width": width, "height": height}
            try:
                out = tvF.resize(tensor, [height, width], interpolation=mode, antialias=True)
            except RuntimeError as error:
                # torch 2.15's AVX kernel fails an internal assertion for some 1×1 outputs.
                result["torch_error"] = str(error).splitlines()[0]
            else:
                out = out[0].permute(1, 2, 0).contiguous().numpy()
                relative = f"references/resample/{name}-torchvision-{mode.value}-{width}x{height}.u8z"
                result["pixels"] = w.array(relative, out)
            outputs.append(result)
    return outputs


def torchvision_comparison(photos: dict, root: pathlib.Path) -> list:
    """max |Δ| and the share of differing values between the default torchvision backend and the Pillow one.

    """
    rows = []
    for config_name in MAIN_CONFIGS:
        config = CONFIGS[config_name]
        pil, tv = make_processor(config, "pil"), make_processor(config, "torchvision")
        for name, relative in photos.items():
            image = pillow_load((root / relative).read_bytes())
            a = pil(image, return_tensors="np")["pixel_values"][0]
            b = tv(image, return_tensors="pt")["pixel_values"][0].numpy()
            diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
            rows.append({"config": config_name, "image": name, "max_abs_difference": float(diff.max()),
                         "fraction_differing": float((diff > 0).mean()),
                         "fraction_differing_by_more_than_1e-6": float((diff > 1e-6).mean()),
                         "values": int(diff.size)})
    return rows


def main(fixtures: pathlib.Path) -> None:
    warnings.simplefilter("ignore")
    root = fixtures / "images"
    w = Writer(root)
    photos = photo_cases(w)
    crafted, broken = crafted_cases(w)
    for name, config in CONFIGS.items():
        w.bytes(f"configs/{name}.json", (json.dumps(config, indent=2) + "\n").encode())

    index = {
        "versions": {"pillow": PIL.__version__, "transformers": transformers.__version__,
                     "numpy": np.__version__, "scikit-image": skimage.__version__, "torch": torch.__version__,
                     "torchvision": torchvision.__version__},
        "decoded": [], "errors": [], "processed": [], "resample": [], "configs": {},
    }
    decodable = {**photos, **crafted}
    loaded = {}
    for name, relative in decodable.items():
        image = pillow_load((root / relative).read_bytes())
        loaded[name] = image
        pixels = np.asarray(image)
        entry = {"name": name, "file": relative, "width": image.width, "height": image.height}
        entry["expected"] = "pillow"
        entry["crc32"] = zlib.crc32(pixels.tobytes())
        # The large benchmark photo is checked by hash and through its processed outputs only, to keep the
        # fixtures small.
        if name != "hubble_deep_field":
            entry["pixels"] = w.array(f"references/decoded/{name}.u8z", pixels)
        index["decoded"].append(entry)
    for name, (relative, error) in broken.items():
        try:
            pillow_load((root / relative).read_bytes())
        except Exception as exception:  # noqa: BLE001 - any refusal is what we want to record
            # Drop object addresses so that the index is the same on every run.
            message = re.sub(r" at 0x[0-9a-f]+", "", f"{type(exception).__name__}: {exception}")
        else:
            raise AssertionError(f"Pillow unexpectedly decoded {relative}")
        index["errors"].append({"name": name, "file": relative, "error": error, "pillow": message})

    for backend in ["pil", "torchvision"]:
        processed_references(w, index, backend, decodable, loaded)

    index["resample"] = resample_cases(w)
    comparison = torchvision_comparison(photos, root)
    (root / "references/index.json").write_text(json.dumps(index, separators=(",", ":")) + "\n")
    document = {"versions": index["versions"], "rows": comparison}
    (root / "torchvision-vs-pil.json").write_text(json.dumps(document, indent=1) + "\n")

    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(f"images: {len(decodable)} decodable, {len(broken)} broken, {len(index['processed'])} + "
          f"{len(index['processed_torchvision'])} processed references (Pillow + torchvision backend), "
          f"{sum(len(c['outputs']) + len(c['outputs_torchvision']) for c in index['resample'])} resample references; "
          f"{total / 1e6:.2f} MB")
    for row in comparison:
        print(f"  torchvision vs Pillow backend, {row['config']:28} {row['image']:18} "
              f"max|d|={row['max_abs_difference']:.6g} differing={100 * row['fraction_differing']:.3f}% "
              f"(>1e-6: {100 * row['fraction_differing_by_more_than_1e-6']:.3f}%)")
