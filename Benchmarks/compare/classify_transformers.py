"""Whole-process reference, PyTorch side: what a transformers user writes to label one image.

    python classify_transformers.py --model DIR --threads 2 IMAGE

compare.py times this script from spawn to exit (imports, model load, preprocessing, one forward pass, output)
and reads its peak RSS. Prints one JSON line: {"image", "predictions": [{"label", "score"}, ...]}.
"""

import argparse
import json

import torch
from transformers import pipeline


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("image")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    classifier = pipeline("image-classification", model=args.model, device="cpu")
    predictions = classifier(args.image, top_k=args.top_k)
    print(json.dumps({"image": args.image, "predictions": predictions}))


if __name__ == "__main__":
    main()
