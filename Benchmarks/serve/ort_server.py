"""The serving setup people build today, for comparison with vit-serve: FastAPI + uvicorn + ONNX Runtime.

    python ort_server.py --onnx FILE.onnx --model DIR [--port 8081] [--threads 2] [--one-at-a-time]

`POST /v1/classify?top_k=K` with the image bytes as the body answers the same JSON as vit-serve,
`{"predictions":[{"label","index","score","logit"}]}`; `GET /ready` answers 200 once the session is loaded.

Each request is decoded, preprocessed (Benchmarks/compare/classify_ort.py: transformers' Pillow processor) and
run through one ONNX Runtime session, batch 1, in Starlette's thread pool (`run_in_threadpool`, as FastAPI does
for blocking work), so concurrent requests run concurrently in ORT, each with `--threads` intra-op threads.
`--one-at-a-time` instead serialises the session runs with a lock (no oversubscription of the cores).
There is no dynamic batching: that is what a team adds next (or gets from Triton), and what vit-serve ships.
"""

import argparse
import io
import json
import os
import sys
import threading

import numpy as np
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare")
sys.path.insert(0, COMPARE)
from bench_worker import ort_session  # noqa: E402
from classify_ort import preprocess  # noqa: E402


def make_app(onnx_path, model_dir, threads, one_at_a_time):
    with open(os.path.join(model_dir, "config.json")) as f:
        model_config = json.load(f)
    with open(os.path.join(model_dir, "preprocessor_config.json")) as f:
        processor_config = json.load(f)
    session = ort_session(onnx_path, threads)
    labels = model_config.get("id2label", {})
    sigmoid = model_config.get("problem_type") == "multi_label_classification" or len(labels) == 1
    lock = threading.Lock() if one_at_a_time else None
    app = FastAPI()

    def infer(body, top_k):
        pixels = preprocess(io.BytesIO(body), processor_config)
        if lock:
            with lock:
                (logits,) = session.run(["logits"], {"pixel_values": pixels})
        else:
            (logits,) = session.run(["logits"], {"pixel_values": pixels})
        logits = logits[0]
        wide = logits.astype(np.float64)
        if sigmoid:
            scores = 1 / (1 + np.exp(-wide))
        else:
            scores = np.exp(wide - wide.max())
            scores /= scores.sum()
        top = np.argsort(-scores, kind="stable")[: min(top_k, scores.shape[0])]
        return {"predictions": [{"label": labels.get(str(i), f"LABEL_{i}"), "index": int(i),
                                 "score": float(np.float32(scores[i])), "logit": float(logits[i])} for i in top]}

    @app.post("/v1/classify")
    async def classify(request: Request, top_k: int = 5):
        body = await request.body()
        try:
            return await run_in_threadpool(infer, body, top_k)
        except Exception as error:  # an undecodable image fails alone
            return JSONResponse({"error": str(error)}, status_code=422)

    @app.get("/ready")
    async def ready():
        return {"status": "ready"}

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--one-at-a-time", action="store_true")
    args = parser.parse_args()
    app = make_app(args.onnx, args.model, args.threads, args.one_at_a_time)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", workers=1)


if __name__ == "__main__":
    main()
