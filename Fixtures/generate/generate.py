"""Writes every committed fixture under Fixtures/ (run through run.sh, which pins the versions).

Each part lives in its own module with a `main(fixtures: pathlib.Path)` function:
  images  - photos, crafted edge cases, decoded-pixel and processor references
  weights - small checkpoints for the safetensors / config / repository tests
  models  - tiny ViT models and golden logits from transformers
"""
import importlib
import pathlib
import sys

PARTS = ["images", "weights", "models"]


def main() -> None:
    fixtures = pathlib.Path(__file__).resolve().parent.parent
    parts = sys.argv[1:] or PARTS
    for name in parts:
        if name not in PARTS:
            sys.exit(f"unknown part {name!r}; choose from {PARTS}")
        print(f"== {name}", flush=True)
        importlib.import_module(name).main(fixtures)


if __name__ == "__main__":
    main()
