"""A varied, deterministic set of test images made from the fixture photos.

Every image is one fixture photo put through a seeded random chain of what real inputs vary in: a crop
(10–100 % of the area, aspect 1:2 to 2:1), a horizontal or vertical flip, a rotation (±45°, with or without
the corners), a rescale (long side 48–1200 px, any Pillow filter), colour jitter (brightness, contrast,
saturation, hue), and sometimes greyscale, blur, sharpening or posterisation. The same seed and count give
the same PNG files byte for byte (Pillow's PNG writer is deterministic), so every system reads identical
inputs and a run can be repeated exactly.
"""

import json
import os

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

PHOTOS = ["astronaut.jpg", "chelsea.jpg", "coffee.jpg", "hubble_deep_field.jpg"]
FILTERS = [Image.Resampling.NEAREST, Image.Resampling.BILINEAR, Image.Resampling.BICUBIC,
           Image.Resampling.LANCZOS, Image.Resampling.BOX, Image.Resampling.HAMMING]


def random_crop(image, rng, steps):
    """A crop of 10–100 % of the area with aspect ratio between 1:2 and 2:1 (RandomResizedCrop's rule)."""
    width, height = image.size
    for _ in range(10):
        area = width * height * rng.uniform(0.1, 1.0)
        aspect = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
        w, h = int(round(np.sqrt(area * aspect))), int(round(np.sqrt(area / aspect)))
        if 8 <= w <= width and 8 <= h <= height:
            left, top = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
            steps.append(f"crop {w}x{h}+{left}+{top}")
            return image.crop((left, top, left + w, top + h))
    return image


def jitter_hue(image, shift):
    """Rotates the hue by `shift` (a fraction of the circle) in Pillow's HSV."""
    h, s, v = image.convert("HSV").split()
    h = h.point(lambda x: (x + int(round(shift * 255))) % 256)
    return Image.merge("HSV", (h, s, v)).convert("RGB")


def colour_jitter(image, rng, steps):
    for name, enhancer in (("brightness", ImageEnhance.Brightness), ("contrast", ImageEnhance.Contrast),
                           ("saturation", ImageEnhance.Color)):
        if rng.random() < 0.6:
            factor = float(rng.uniform(0.5, 1.5))
            image = enhancer(image).enhance(factor)
            steps.append(f"{name} {factor:.2f}")
    if rng.random() < 0.3:
        shift = float(rng.uniform(-0.1, 0.1))
        image = jitter_hue(image, shift)
        steps.append(f"hue {shift:+.3f}")
    return image


def geometry(image, rng, steps):
    if rng.random() < 0.8:
        image = random_crop(image, rng, steps)
    if rng.random() < 0.5:
        image = ImageOps.mirror(image)
        steps.append("flip horizontal")
    if rng.random() < 0.1:
        image = ImageOps.flip(image)
        steps.append("flip vertical")
    if rng.random() < 0.35:
        angle = float(rng.uniform(-45, 45))
        expand = bool(rng.random() < 0.5)
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=expand)
        steps.append(f"rotate {angle:.1f}{' expand' if expand else ''}")
    if rng.random() < 0.7:
        long_side = int(rng.integers(48, 1201))
        scale = long_side / max(image.size)
        size = (max(1, int(round(image.width * scale))), max(1, int(round(image.height * scale))))
        resample = FILTERS[int(rng.integers(0, len(FILTERS)))]
        image = image.resize(size, resample=resample)
        steps.append(f"rescale {size[0]}x{size[1]} {resample.name.lower()}")
    return image


def texture(image, rng, steps):
    if rng.random() < 0.1:
        image = ImageOps.grayscale(image).convert("RGB")
        steps.append("greyscale")
    if rng.random() < 0.15:
        radius = float(rng.uniform(0.5, 3.0))
        image = image.filter(ImageFilter.GaussianBlur(radius))
        steps.append(f"blur {radius:.2f}")
    elif rng.random() < 0.1:
        image = image.filter(ImageFilter.SHARPEN)
        steps.append("sharpen")
    if rng.random() < 0.05:
        bits = int(rng.integers(3, 6))
        image = ImageOps.posterize(image, bits)
        steps.append(f"posterize {bits}")
    return image


def variant(photo, rng):
    """One random variant of `photo` (an RGB image) and the list of steps that made it."""
    steps = []
    image = geometry(photo, rng, steps)
    image = colour_jitter(image, rng, steps)
    image = texture(image, rng, steps)
    return image, steps


def build(photos_dir, out_dir, count, seed):
    """Writes `count` PNGs to out_dir (the untouched photos first) and a manifest; returns the manifest.

    The manifest is a list of {"file", "source", "steps", "width", "height"}, in file-name order.
    """
    os.makedirs(out_dir, exist_ok=True)
    photos = {}
    for name in PHOTOS:
        with Image.open(os.path.join(photos_dir, name)) as source:
            photos[name] = ImageOps.exif_transpose(source).convert("RGB")
    rng = np.random.default_rng(seed)
    manifest = []
    for index in range(count):
        source = PHOTOS[index % len(PHOTOS)]
        if index < len(PHOTOS):
            image, steps = photos[source], ["original"]
        else:
            image, steps = variant(photos[source], rng)
        name = f"{index:04d}-{os.path.splitext(source)[0]}.png"
        image.save(os.path.join(out_dir, name), format="PNG")
        manifest.append({"file": name, "source": source, "steps": steps,
                         "width": image.width, "height": image.height})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"seed": seed, "count": count, "images": manifest}, f, indent=1)
    return manifest
