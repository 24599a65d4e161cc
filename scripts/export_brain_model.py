"""Export deepbet's two brain-extraction networks (MIT; weights inside its PyPI wheel) to ONNX files in data/.

deepbet (Fisch et al. 2024, https://github.com/wwu-mmll/deepbet) ships two
TorchScript U-Nets in its wheel: a small one that finds the brain's bounding
box on a 128^3 resampling of the head, and the segmentation network run on
that box. neuroseg runs them with onnxruntime (no PyTorch at run time, which
would cost Streamlit Community Cloud gigabytes on every cold start). This is
a developer's step, done once; its output is committed:

    pip install torch==2.13.0 onnx deepbet==1.0.2 --no-deps
    python scripts/export_brain_model.py            # writes data/deepbet_bbox.onnx and data/deepbet_brain.onnx

The spatial axes are exported as dynamic, so the segmentation network can run
on a smaller grid than deepbet's 256^3 (neuroseg's memory bound; see
``neuroseg/models/brain.py``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"bbox_model.pt": "deepbet_bbox.onnx", "model.pt": "deepbet_brain.onnx"}


def main() -> None:
    from importlib.util import find_spec

    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    spec = find_spec("deepbet")
    if spec is None:
        parser.error("deepbet is not installed: pip install deepbet==1.0.2 --no-deps")
    models = Path(spec.origin).parents[1] / "data" / "models"
    for source, target in MODELS.items():
        network = torch.jit.load(str(models / source), map_location="cpu").eval()
        example = torch.zeros((1, 1, 128, 128, 128))
        torch.onnx.export(
            network, (example,), str(args.out / target), input_names=["image"], output_names=["probabilities"],
            dynamic_axes={"image": {2: "x", 3: "y", 4: "z"}, "probabilities": {2: "x", 3: "y", 4: "z"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
        print(f"{models / source} -> {args.out / target} ({(args.out / target).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
