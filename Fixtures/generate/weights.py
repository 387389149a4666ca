"""Fixtures for the weight-loading tests (Tests/WeightLoadingTests), written under Fixtures/weights/.

  tiny-vit/f32, f16, bf16   a tiny ViTForImageClassification saved by `save_pretrained` in each dtype
  tiny-vit/sharded          the F32 model saved with a small `max_shard_size` (index + several shards)
  tiny-vit/pickle-only      config files and a `pytorch_model.bin` only (must be refused, never read)
  expected.json             names, shapes, dtypes and exact values of some tensors, per variant
  hf-cache/                 a Hugging Face cache written by the real huggingface_hub (via transformers'
                            `from_pretrained`) from a local server that answers like the Hub
  configs/                  real-world config.json shapes (see Fixtures/README.md)

Everything is deterministic (fixed seed, fixed commit hash), so re-running changes nothing.
"""
import copy
import hashlib
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap
import threading

import torch
from safetensors import safe_open
from transformers import DeiTConfig, ViTConfig, ViTForImageClassification, ViTImageProcessor

REPO_ID = "swiftvit/tiny-vit"
# A fixed, made-up commit hash for the served repository.
COMMIT = hashlib.sha1(b"swiftvit tiny-vit fixture").hexdigest()
SAMPLED = [
    "vit.embeddings.cls_token",
    "vit.embeddings.patch_embeddings.projection.weight",
    "vit.encoder.layer.0.attention.attention.query.weight",
    "vit.encoder.layer.1.output.dense.bias",
    "classifier.weight",
    "classifier.bias",
]


def tiny_model() -> ViTForImageClassification:
    torch.manual_seed(0)
    config = ViTConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                       image_size=32, patch_size=8, num_labels=5,
                       id2label={i: name for i, name in enumerate(["cat", "dog", "bird", "fish", "frog"])})
    config.label2id = {v: k for k, v in config.id2label.items()}
    model = ViTForImageClassification(config).eval()
    # Make the F16/BF16 round trips interesting: include values that are subnormal in half
    # precision and values that round differently in bfloat16.
    with torch.no_grad():
        bias = model.classifier.bias
        bias.copy_(torch.tensor([1.0e-6, -3.0e-5, 0.1, 65504.0, -2.5]))
    return model


def save_variant(model, directory: pathlib.Path, dtype, **kwargs) -> None:
    directory.mkdir(parents=True)
    # A copy, so that every variant is rounded from the same float32 weights.
    copy.deepcopy(model).to(dtype).save_pretrained(directory, **kwargs)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(directory)


def describe(directory: pathlib.Path) -> dict:
    """What the tests expect to read: for every tensor its stored dtype and shape; for a few,
    the first values and the float64 sum after conversion to float32."""
    files = sorted(directory.glob("*.safetensors"))
    tensors = {}
    for file in files:
        with safe_open(file, "pt") as handle:
            for name in handle.keys():
                tensor = handle.get_tensor(name)
                entry = {"dtype": str(tensor.dtype).removeprefix("torch."), "shape": list(tensor.shape),
                         "file": file.name}
                if name in SAMPLED:
                    values = tensor.to(torch.float32).flatten()
                    entry["first_values"] = [float(v) for v in values[:8]]
                    entry["sum"] = float(values.double().sum())
                    entry["values_hex"] = values[:8].numpy().view("uint32").tolist()
                tensors[name] = entry
    return {"files": [f.name for f in files], "tensors": tensors}


class HubHandler(http.server.BaseHTTPRequestHandler):
    """Answers like the Hub for one repository at one commit: HEAD and GET on
    /{repo}/resolve/{revision}/{file}; the safetensors file redirects to a "CDN" on another port."""

    root: pathlib.Path
    cdn_port: int
    log: list

    def log_message(self, *args):  # keep the generator quiet
        pass

    def _etag(self, path: pathlib.Path) -> str:
        data = path.read_bytes()
        if path.suffix == ".safetensors":
            return hashlib.sha256(data).hexdigest()  # LFS files: sha256
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git blob id

    def _serve(self, with_body: bool):
        self.log.append(f"{self.command} {self.path}")
        prefix = f"/{REPO_ID}/resolve/"
        if self.server.server_port == self.cdn_port:
            path = self.root / self.path.removeprefix("/cdn/")
            data = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body:
                self.wfile.write(data)
            return
        if not self.path.startswith(prefix):
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        revision, _, name = self.path.removeprefix(prefix).partition("/")
        path = self.root / name
        if revision not in ("main", COMMIT) or not path.is_file():
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = path.read_bytes()
        etag = self._etag(path)
        if path.suffix == ".safetensors":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.cdn_port}/cdn/{name}")
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", f'"{etag}"')
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def do_HEAD(self):
        self._serve(with_body=False)

    def do_GET(self):
        self._serve(with_body=True)


def write_hf_cache(model_dir: pathlib.Path, cache: pathlib.Path) -> None:
    """Lets the real huggingface_hub (through transformers) download the F32 model into `cache`."""
    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
    cdn = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
    HubHandler.root = model_dir
    HubHandler.cdn_port = cdn.server_port
    HubHandler.log = []
    for server in (hub, cdn):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, HF_HUB_CACHE=str(cache), HF_ENDPOINT=f"http://127.0.0.1:{hub.server_port}",
               HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_XET="1", HF_HUB_DISABLE_PROGRESS_BARS="1")
    env.pop("HF_TOKEN", None)
    env.pop("HF_HUB_OFFLINE", None)
    script = textwrap.dedent(f"""
        from transformers import AutoImageProcessor, ViTForImageClassification
        ViTForImageClassification.from_pretrained("{REPO_ID}")
        AutoImageProcessor.from_pretrained("{REPO_ID}")
    """)
    try:
        subprocess.run([sys.executable, "-c", script], env=env, check=True)
    finally:
        hub.shutdown()
        cdn.shutdown()
    # Lock files are huggingface_hub's bookkeeping, not part of the layout under test.
    shutil.rmtree(cache / ".locks", ignore_errors=True)
    print("   huggingface_hub requests:", *HubHandler.log, sep="\n     ")


def write_configs(directory: pathlib.Path, labels_file: pathlib.Path) -> None:
    directory.mkdir(parents=True)
    # google/vit-base-patch16-224: fields as on the Hub (transformers 4.13 wrote it, keys sorted),
    # with the 1000 ILSVRC-2012 class names; label2id keeps the last of the duplicate "crane".
    labels = labels_file.read_text().splitlines()
    assert len(labels) == 1000
    vit = {
        "architectures": ["ViTForImageClassification"],
        "attention_probs_dropout_prob": 0.0,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "hidden_size": 768,
        "id2label": {str(i): name for i, name in enumerate(labels)},
        "image_size": 224,
        "initializer_range": 0.02,
        "intermediate_size": 3072,
        "label2id": {name: i for i, name in enumerate(labels)},
        "layer_norm_eps": 1e-12,
        "model_type": "vit",
        "num_attention_heads": 12,
        "num_channels": 3,
        "num_hidden_layers": 12,
        "patch_size": 16,
        "qkv_bias": True,
        "transformers_version": "4.13.0.dev0",
    }
    (directory / "google-vit-base-patch16-224.json").write_text(json.dumps(vit, indent=2, sort_keys=True) + "\n")

    # facebook/deit-tiny-patch16-224 is a plain ViT checkpoint (no distillation token): accepted.
    deit_tiny = dict(vit, hidden_size=192, intermediate_size=768, num_attention_heads=3)
    (directory / "facebook-deit-tiny-patch16-224.json").write_text(json.dumps(deit_tiny, indent=2, sort_keys=True) + "\n")

    # facebook/deit-base-distilled-patch16-224: a DeiT model with a distillation token: refused.
    deit = DeiTConfig(id2label={i: name for i, name in enumerate(labels)})
    deit.label2id = {name: i for i, name in enumerate(labels)}
    deit.architectures = ["DeiTForImageClassificationWithTeacher"]
    (directory / "facebook-deit-base-distilled-patch16-224.json").write_text(deit.to_json_string(use_diff=False))


def main(fixtures: pathlib.Path) -> None:
    out = fixtures / "weights"
    if out.exists():
        shutil.rmtree(out)
    model = tiny_model()
    variants = {
        "f32": dict(dtype=torch.float32),
        "f16": dict(dtype=torch.float16),
        "bf16": dict(dtype=torch.bfloat16),
        "sharded": dict(dtype=torch.float32, max_shard_size="40KB"),
    }
    expected = {"repo_id": REPO_ID, "commit": COMMIT, "variants": {}}
    for name, options in variants.items():
        directory = out / "tiny-vit" / name
        save_variant(model, directory, **options)
        expected["variants"][name] = describe(directory)
    shards = expected["variants"]["sharded"]["files"]
    assert len(shards) >= 3, f"expected several shards, got {shards}"

    pickle_only = out / "tiny-vit" / "pickle-only"
    pickle_only.mkdir(parents=True)
    for file in ("config.json", "preprocessor_config.json"):
        shutil.copy(out / "tiny-vit" / "f32" / file, pickle_only / file)
    torch.save({"classifier.bias": model.classifier.bias.detach().clone()}, pickle_only / "pytorch_model.bin")

    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    write_hf_cache(out / "tiny-vit" / "f32", out / "hf-cache")
    write_configs(out / "configs", pathlib.Path(__file__).parent / "imagenet_labels.txt")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"   Fixtures/weights: {total / 1024:.0f} KB")
