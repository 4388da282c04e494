#!/usr/bin/env python3
"""read-tensorboard.py: prints what TensorBoard's own reader sees in a run folder's event files, as JSON.

Usage: python3 scripts/read-tensorboard.py LOGDIR
Uses tensorboard.backend.event_processing.event_accumulator.EventAccumulator (pip install tensorboard), the
reader behind TensorBoard's dashboards: {"scalars": {tag: [[step, value], ...]}, "images": {tag: [[step, width,
height, png_bytes], ...]}, "file_version": 2.0 for "brain.Event:2"}. Exits 1 when the files do not load.
"""
import json
import sys

from tensorboard.backend.event_processing import event_accumulator


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: read-tensorboard.py LOGDIR")
    acc = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    tags = acc.Tags()
    out = {
        "file_version": acc.file_version,
        "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "images": {t: [[e.step, e.width, e.height, len(e.encoded_image_string)] for e in acc.Images(t)]
                   for t in tags["images"]},
    }
    if not out["scalars"] and not out["images"]:
        sys.exit(f"read-tensorboard.py: no scalars or images in {sys.argv[1]}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
