"""transformers' float32 reference: pixel values and logits, and PyTorch re-implementations of reduced precision.

The reference is what a transformers user gets (Documentation/Fidelity.md): `load_image`, the image processor
of the chosen backend (`torchvision`: `ViTImageProcessor`, what `pipeline(...)` picks when torchvision is
installed, model in SDPA attention; `pillow`: `ViTImageProcessorPil`, model in eager attention), and
`ViTForImageClassification` in float32.

`SIMULATIONS` re-implement reduced-precision schemes in PyTorch by replacing the six projections of every
encoder layer (query, key, value, attention output, MLP in and out: the GEMMs SwiftViT's `--compute` changes)
with a function of the rounded inputs and weights, everything else float32. They answer "why this scheme":
the same network, the same images, only the quantisation granularity changed. Sums are Float32 products of the
dequantised values rather than exact integer sums; that differs from exact sums by Float32 rounding (~1e-6
relative), far below the quantisation error measured.
"""

import torch
from transformers import AutoImageProcessor, ViTForImageClassification
from transformers.image_utils import load_image

PROJECTIONS_PER_LAYER = 6  # query, key, value, attention output, MLP in, MLP out


def load(model_dir, backend, threads):
    """(processor, model) as a transformers user of that backend gets them, float32, eval mode."""
    torch.set_num_threads(threads)
    processor = AutoImageProcessor.from_pretrained(model_dir, backend="pil" if backend == "pillow" else backend)
    suffix = "" if backend == "torchvision" else "Pil"
    if type(processor).__name__ not in (f"ViTImageProcessor{suffix}", f"DeiTImageProcessor{suffix}"):
        raise RuntimeError(f"{model_dir}: asked for the {backend} backend, transformers gave "
                           f"{type(processor).__name__}")
    attention = "sdpa" if backend == "torchvision" else "eager"
    model = ViTForImageClassification.from_pretrained(model_dir, dtype=torch.float32,
                                                      attn_implementation=attention).eval()
    return processor, model


def pixel_values(processor, paths):
    images = [load_image(path) for path in paths]
    return processor(images=images, return_tensors="pt")["pixel_values"].to(torch.float32)


def bfloat16(x):
    return x.to(torch.bfloat16).to(torch.float32)


def symmetric_int8(x, dims):
    """x rounded to 255 symmetric levels with one scale per slice reduced over `dims` (scale = max|x| / 127).

    As SwiftViT's kernels do it: q = roundeven(x · (127 / max|x|)) clamped to ±127, value q · (max|x| / 127).
    """
    largest = x.abs().amax(dim=dims, keepdim=True)
    inverse = torch.where(largest > 0, 127 / largest, torch.zeros_like(largest))
    q = torch.clamp(torch.round(x * inverse), -127, 127)
    return q * (largest / 127)


def asymmetric_u8(x, dims):
    """x rounded to 256 levels spanning [min(x, 0), max(x, 0)] per slice reduced over `dims`.

    As SwiftViT's kernels do it: s = (hi − lo) / 255, zero point z = roundeven(−lo / s), q = roundeven(x / s) + z
    clamped to 0 … 255, value (q − z) · s. Zero stays exact; a one-signed row (GELU's output) gets all 256 levels
    where the symmetric scheme leaves half of its 255 unused.
    """
    lo = torch.clamp(x.amin(dim=dims, keepdim=True), max=0)
    hi = torch.clamp(x.amax(dim=dims, keepdim=True), min=0)
    span = hi - lo
    inverse = torch.where(span > 0, 255 / span, torch.zeros_like(span))
    zero = torch.round(-lo * inverse)
    q = torch.clamp(torch.round(x * inverse) + zero, 0, 255)
    return (q - zero) * (span / 255)


def per_row_asymmetric(x):  # one scale and zero point per token
    return asymmetric_u8(x, dims=(-1,))


def per_row(x):        # one scale per token (row of the GEMM's A)
    return symmetric_int8(x, dims=(-1,))


def per_image(x):      # one scale per image's whole activation matrix (per tensor, batch-independent)
    return symmetric_int8(x, dims=tuple(range(1, x.dim())))


def per_channel(w):    # weight [out, in]: one scale per output channel
    return symmetric_int8(w, dims=(1,))


def per_tensor(w):
    return symmetric_int8(w, dims=(0, 1))


# name -> (activation rounding, weight rounding, description)
SIMULATIONS = {
    "sim-bf16": (bfloat16, bfloat16, "bf16 weights and activations, fp32 sums (SwiftViT's bfloat16, in PyTorch)"),
    "sim-int8-channel-row": (per_row, per_channel,
                             "s8 weights per output channel, s8 activations per row (SwiftViT's int8, in PyTorch)"),
    "sim-int8-channel-row-asym": (per_row_asymmetric, per_channel,
                                  "s8 weights per output channel, u8 activations per row with a zero point"),
    "sim-int8-channel-image": (per_image, per_channel, "s8 weights per output channel, s8 activations per image"),
    "sim-int8-tensor-row": (per_row, per_tensor, "s8 weights per tensor, s8 activations per row"),
    "sim-int8-tensor-image": (per_image, per_tensor, "s8 weights per tensor, s8 activations per image"),
}


class Simulated(torch.nn.Module):
    """A Linear whose input and weight are rounded by the given functions before a Float32 product."""

    def __init__(self, linear, round_activation, round_weight):
        super().__init__()
        self.weight = torch.nn.Parameter(round_weight(linear.weight.detach()), requires_grad=False)
        self.bias = linear.bias
        self.round_activation = round_activation

    def forward(self, x):
        return torch.nn.functional.linear(self.round_activation(x), self.weight, self.bias)


class simulating:
    """Context manager: the model's encoder projections replaced by `Simulated` ones, restored on exit."""

    def __init__(self, model, name):
        self.model, (self.activation, self.weight, _) = model, SIMULATIONS[name]
        self.saved = []

    def __enter__(self):
        # Every Linear of the encoder: transformers 5 names them q/k/v/o_proj, mlp.fc1/fc2 (4.x: query, key,
        # value, output.dense, intermediate.dense), so they are found by type, and counted.
        linears = [(name, module) for name, module in self.model.vit.named_modules()
                   if isinstance(module, torch.nn.Linear) and not name.startswith("embeddings")]
        layers = self.model.config.num_hidden_layers
        if len(linears) != PROJECTIONS_PER_LAYER * layers:
            raise RuntimeError(f"expected {PROJECTIONS_PER_LAYER} projections in each of {layers} layers, "
                               f"found {len(linears)}: {[name for name, _ in linears][:8]}")
        for name, original in linears:
            parent_path, _, attribute = name.rpartition(".")
            parent = self.model.vit.get_submodule(parent_path)
            self.saved.append((parent, attribute, original))
            setattr(parent, attribute, Simulated(original, self.activation, self.weight))
        return self.model

    def __exit__(self, *exc):
        for parent, attribute, original in reversed(self.saved):
            setattr(parent, attribute, original)
        self.saved.clear()
        return False


def logits(model, pixels):
    with torch.inference_mode():
        return model(pixel_values=pixels).logits.to(torch.float32).numpy()
