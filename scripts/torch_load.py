#!/usr/bin/env python3
"""torch_load.py: load a draw model.safetensors into PyTorch modules with load_state_dict(strict=True).

    python3 scripts/torch_load.py draw-out/model.safetensors

Without torch installed it checks, with the `safetensors` package, that the file holds exactly the tensors
(names, shapes, float32) those modules expect; the README shows the torch part.
"""
import json
import sys

from safetensors import safe_open


def expected_shapes(c):
    """The state_dict of DRAW's modules: encoder/decoder nn.LSTMCell, mu/logsigma/write(/_attn) nn.Linear."""
    C, H, W, E, D, Z = c["C"], c["H"], c["W"], c["enc_size"], c["dec_size"], c["z_size"]
    read = 2 * C * c["read_n"] ** 2 if c["attention"] else 2 * C * H * W
    write = C * c["write_n"] ** 2 if c["attention"] else C * H * W
    shapes = {"encoder.weight_ih": [4 * E, read + D], "encoder.weight_hh": [4 * E, E],
              "encoder.bias_ih": [4 * E], "encoder.bias_hh": [4 * E],
              "mu.weight": [Z, E], "mu.bias": [Z], "logsigma.weight": [Z, E], "logsigma.bias": [Z],
              "decoder.weight_ih": [4 * D, Z], "decoder.weight_hh": [4 * D, D],
              "decoder.bias_ih": [4 * D], "decoder.bias_hh": [4 * D],
              "write.weight": [write, D], "write.bias": [write]}
    if c["attention"]:
        for head in ("write_attn", "read_attn"):
            shapes[head + ".weight"], shapes[head + ".bias"] = [5, D], [5]
    return shapes


def main(path):
    with safe_open(path, framework="numpy") as f:
        c = json.loads(f.metadata()["config"])
        names = set(f.keys())
        want = expected_shapes(c)
        assert names == set(want), f"tensors differ: extra {sorted(names - set(want))}, missing {sorted(set(want) - names)}"
        for name, shape in want.items():
            t = f.get_tensor(name)
            assert list(t.shape) == shape and str(t.dtype) == "float32", f"{name}: {t.dtype} {list(t.shape)}, want {shape}"
    try:
        import torch
    except ImportError:
        print(f"ok (safetensors): {len(want)} float32 tensors with PyTorch's names and shapes; torch not installed")
        return

    # The dozen lines a PyTorch user writes (README "PyTorch"):
    from safetensors.torch import load_file
    from torch import nn
    E, D, Z = c["enc_size"], c["dec_size"], c["z_size"]
    draw = nn.ModuleDict({
        "encoder": nn.LSTMCell(want["encoder.weight_ih"][1], E), "decoder": nn.LSTMCell(Z, D),
        "mu": nn.Linear(E, Z), "logsigma": nn.Linear(E, Z), "write": nn.Linear(D, want["write.weight"][0]),
    })
    if c["attention"]:
        draw["write_attn"], draw["read_attn"] = nn.Linear(D, 5), nn.Linear(D, 5)
    draw.load_state_dict(load_file(path), strict=True)
    print(f"ok (torch {torch.__version__}): load_state_dict(strict=True) took all {len(want)} tensors")


if __name__ == "__main__":
    main(sys.argv[1])
