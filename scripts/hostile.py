#!/usr/bin/env python3
"""hostile.py: throws a few hundred hostile inputs at `draw`, as a fuzzer would, and checks each is refused well.

    python3 scripts/hostile.py .build/debug/draw [--quick]

A case passes when draw exits with a status in 0..127 (0 only where the input is legal) within its time limit,
under a 4 GiB address-space limit (so "gigabytes from a small file" fails the case), and, when it fails, says
something on stderr. A signal (status >= 128), a time-out or a silent failure fails the case. Prints one line per
failure and ends with "hostile inputs: N passed, M failed".
"""
import json
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib

DRAW = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/draw")
QUICK = "--quick" in sys.argv
WORK = tempfile.mkdtemp(prefix="draw-hostile-")
TINY = ["--data", "faces:24", "--height", "8", "--width", "8", "--steps", "2", "--read-n", "2", "--write-n", "2",
        "--enc-size", "4", "--dec-size", "4", "--z-size", "2", "--batch-size", "4", "--iterations", "2", "--threads", "1"]
rng = random.Random(20261201)
results = {"passed": 0, "failed": 0}


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def record(name, ok, why):
    """Counts one case; a failure prints its name and why."""
    results["passed" if ok else "failed"] += 1
    if not ok:
        print(f"FAIL {name}: {why}")


def case(name, args, timeout=60, may_succeed=True, check=None):
    """Runs draw with args; records pass or fail. `check`, if given, says what else is wrong after a good exit
    (a string) or None."""
    try:
        p = subprocess.run([DRAW] + args, capture_output=True, timeout=timeout, preexec_fn=limit, cwd=WORK,
                           stdin=subprocess.DEVNULL)
        status = p.returncode if p.returncode >= 0 else 128 - p.returncode
        err = p.stderr.decode(errors="replace").strip()
    except subprocess.TimeoutExpired:
        status, err = None, ""
    ok = status is not None and status < 128 and (status == 0 and may_succeed or status != 0 and err != "")
    if ok and status == 1 and ("NSCocoaErrorDomain" in err or "UserInfo=" in err):
        ok = False
    last = err.splitlines()[-1] if err else ""
    why = f"status {status if status is not None else 'timeout'}: {last[:200]}"
    if ok and check is not None:
        problem = check()
        ok, why = problem is None, problem
    record(name, ok, why)


def fresh(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    return d


# 1. Absurd numbers for every numeric option.
VALUES = ["-1", "0", "3000000000", "99999999999999999999", "1e9", "inf", "-inf", "nan", "abc", "", "1e308", "1e-45"]
TRAIN_FLAGS = ["--threads", "--batch-size", "--iterations", "--epochs", "--learning-rate", "--beta1", "--beta2",
               "--kl-weight", "--kl-warmup", "--clip", "--max-grad-norm", "--eval-every", "--eval-images",
               "--early-stop", "--checkpoint-every", "--keep", "--height", "--width", "--limit", "--test-fraction",
               "--steps", "--read-n", "--write-n", "--enc-size", "--dec-size", "--z-size", "--max-memory", "--seed",
               "--lr-warmup", "--lr-decay-steps", "--lr-min-factor", "--lr-gamma", "--lr-step-every", "--channels"]
flags = TRAIN_FLAGS[:8] if QUICK else TRAIN_FLAGS
for flag in flags:
    for v in VALUES:
        # Legal but long values (3e9 iterations) are cut short by --iterations coming last where it is not the flag.
        tail = [] if flag in ("--iterations", "--epochs") else ["--iterations", "2"]
        case(f"train {flag} {v!r}", ["train"] + TINY + [flag, v] + tail + ["--out", fresh("num")], timeout=90)

# The sharp-colour losses' options (vaegan, where every one of them is read); `=` so that "-1" reaches the option.
LOSS_FLAGS = ["--feature-weight", "--edge-weight", "--gamma", "--gan-weight", "--gan-warmup", "--pixel-weight",
              "--feature-layer", "--discriminator-learning-rate", "--discriminator-width", "--equilibrium", "--margin"]
for flag in LOSS_FLAGS[:3] if QUICK else LOSS_FLAGS:
    for v in VALUES if not QUICK else VALUES[:8]:
        case(f"train --loss vaegan {flag}={v!r}", ["train"] + TINY + ["--loss", "vaegan", f"{flag}={v}", "--out", fresh("num")],
             timeout=90)

# A trained model to point the other commands at.
model_dir = os.path.join(WORK, "model")
subprocess.run([DRAW, "train"] + TINY + ["--iterations", "3", "--checkpoint-every", "1", "--out", model_dir],
               capture_output=True, check=True)
good = os.path.join(model_dir, "checkpoints", "step-00000003.safetensors")
for cmd, flag in [("sample", "--rows"), ("sample", "--cols"), ("reconstruct", "--count"), ("attention", "--count"),
                  ("eval", "--batch-size"), ("eval", "--importance-samples")]:
    for v in VALUES if not QUICK else VALUES[:6]:
        extra = ["--data", "faces:24", "--height", "8", "--width", "8"] if cmd != "sample" else []
        case(f"{cmd} {flag} {v!r}", [cmd, "--checkpoint", good, flag, v, "--out", fresh("pics")] + extra
             if cmd != "eval" else [cmd, "--checkpoint", good, flag, v] + extra, timeout=90)
for flag in ["--generate-batch", "--seconds", "--min-steps"]:
    for v in ["0", "-1", "1000000000", "inf", "nan"]:
        case(f"bench {flag} {v!r}", ["bench", "--config", "mnist", flag, v, "--seconds", "0.1"] if flag != "--seconds"
             else ["bench", "--config", "mnist", flag, v], timeout=120, may_succeed=False)

# 2. Hostile checkpoints: truncations, flipped bytes, lying headers, non-files.
raw = open(good, "rb").read()
header_len = struct.unpack("<Q", raw[:8])[0]


def checkpoint_case(name, data):
    path = os.path.join(WORK, "hostile.safetensors")
    with open(path, "wb") as f:
        f.write(data)
    # One thread: a T = 10 000 drawing is 10 000 OpenMP regions, and on a loaded machine each 2-thread barrier
    # waits for a descheduled thread (65 s against 1 s measured); the case is about the file, not the threads.
    case(f"checkpoint {name}", ["sample", "--checkpoint", path, "--rows", "1", "--cols", "1", "--threads", "1",
                                "--out", fresh("s")])


n_cuts, n_flips = (8, 15) if QUICK else (30, 60)
for cut in sorted(rng.sample(range(len(raw)), n_cuts)) + [0, 1, 7, 8, 9]:
    checkpoint_case(f"truncated at {cut}", raw[:cut])
for i in range(n_flips):
    b = bytearray(raw)
    pos = rng.randrange(8, 8 + header_len) if i % 2 == 0 else rng.randrange(8 + header_len, len(raw))
    b[pos] = rng.randrange(256)
    checkpoint_case(f"byte {pos} changed", bytes(b))
header = json.loads(raw[8:8 + header_len])


def with_header(h, data=raw[8 + header_len:]):
    j = json.dumps(h).encode()
    return struct.pack("<Q", len(j)) + j + data


for key, value in [("T", 10 ** 9), ("T", 10000), ("C", 2 ** 40), ("H", -3), ("enc_size", 23000), ("z_size", 0),
                   ("read_n", 10 ** 6), ("loss", "mse"), ("attention", "yes")]:
    h = json.loads(json.dumps(header))
    cfg = json.loads(h["__metadata__"]["config"])
    cfg[key] = value
    h["__metadata__"]["config"] = json.dumps(cfg)
    checkpoint_case(f"config {key}={value}", with_header(h))
    if (key, value) == ("T", 10000):
        # draw attention of a T = 10 000 checkpoint: the shown steps' frames (64), not a file per step.
        path, out = os.path.join(WORK, "hostile.safetensors"), fresh("att")
        frames = os.path.join(out, "attention")

        def at_most_64_frames():
            n = len(os.listdir(frames)) if os.path.isdir(frames) else 0
            return f"{n} frame files" if n > 64 else None
        case("attention of a T=10000 checkpoint", ["attention", "--checkpoint", path, "--count", "1", "--data", "faces:24",
                                                   "--height", "8", "--width", "8", "--threads", "1", "--out", out],
             timeout=120, check=at_most_64_frames)
for key, value in [("adam_beta1", "1.5"), ("adam_lr", "-1"), ("adam_eps", "0"), ("kl_weight", "nan"),
                   ("step", "-5"), ("step", "999999999999999999999"), ("rng_state", "0,0,0,0"), ("format", "other")]:
    h = json.loads(json.dumps(header))
    h["__metadata__"][key] = value
    checkpoint_case(f"metadata {key}={value}", with_header(h))
checkpoint_case("header length 2^63", struct.pack("<Q", 1 << 63) + raw[8:])
checkpoint_case("header length past the file", struct.pack("<Q", len(raw)) + raw[8:])
nan_data = bytearray(raw[8 + header_len:])
nan_data[0:4] = struct.pack("<f", float("nan"))
checkpoint_case("a NaN weight", with_header(header, bytes(nan_data)))
for name, target in [("a folder", WORK), ("/dev/zero", "/dev/zero"), ("missing", os.path.join(WORK, "nope"))]:
    case(f"checkpoint is {name}", ["sample", "--checkpoint", target, "--rows", "1", "--cols", "1", "--out", fresh("s")])
fifo = os.path.join(WORK, "fifo.safetensors")
os.mkfifo(fifo)
case("checkpoint is a FIFO", ["sample", "--checkpoint", fifo, "--rows", "1", "--cols", "1", "--out", fresh("s")], timeout=20)

# 3. Hostile data: IDX with lying dimensions, broken gzip, images that lie about their size, FIFOs in folders.
def idx(dims, payload, magic=0x0803):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def data_case(name, filename, data, extra=()):
    folder = os.path.join(WORK, "data-" + str(results["passed"] + results["failed"]))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, filename)
    with open(path, "wb") as f:
        f.write(data)
    target = path if filename.endswith((".idx", ".gz")) else folder
    case(f"data {name}", ["train", "--data", target] + TINY[2:] + list(extra) + ["--out", fresh("d")])


data_case("idx declaring 2^31 images", "a.idx", idx([2 ** 31 - 1, 28, 28], b"\0" * 100))
data_case("idx declaring 0 images", "a.idx", idx([0, 28, 28], b""))
data_case("idx of rank 1", "a.idx", idx([10], b"\0" * 10, magic=0x0801))
data_case("idx truncated payload", "a.idx", idx([50, 8, 8], b"\1" * 100))
data_case("gzip of a lying idx", "a.gz", zlib.compress(idx([100000, 1000, 1000], b"\0" * 10)))
data_case("gzip garbage", "a.gz", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(200)))
data_case("empty idx", "a.idx", b"")
png_sig = b"\x89PNG\r\n\x1a\n"


def png(width, height, body=b"\0" * 16):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return png_sig + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(body)) + chunk(b"IEND", b"")


for w, h in [(9000, 9000), (1 << 31, 1), (0, 5), (100000, 100000), (65535, 65535)]:
    data_case(f"png declaring {w}x{h}", "a.png", png(w, h))
jpeg_header = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffc0001108") + struct.pack(">HH", 9000, 9000) \
    + bytes.fromhex("03012200021101031101ffd9")
data_case("jpeg declaring 9000x9000", "a.jpg", jpeg_header)
for i in range(5 if QUICK else 20):
    b = bytearray(png(8, 8, bytes(rng.randrange(256) for _ in range(192))))
    b[rng.randrange(8, len(b))] = rng.randrange(256)
    data_case(f"png with a flipped byte #{i}", "a.png", bytes(b))
folder = os.path.join(WORK, "fifo-folder")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "ok.png"), "wb") as f:
    f.write(png(8, 8, b"\0" * (8 * 25)))
os.mkfifo(os.path.join(folder, "pipe.png"))
case("data folder with a FIFO", ["train", "--data", folder] + TINY[2:] + ["--out", fresh("d")], timeout=20)
case("data is /dev/zero", ["train", "--data", "/dev/zero"] + TINY[2:] + ["--out", fresh("d")], timeout=20)
case("faces:10^11", ["train", "--data", "faces:100000000000"] + TINY[2:] + ["--out", fresh("d")])

# 4. Hostile run folders: corrupt run.json, contradicting flags, a file where the folder should be.
for i in range(5 if QUICK else 25):
    run = os.path.join(WORK, "rj")
    shutil.rmtree(run, ignore_errors=True)
    subprocess.run([DRAW, "train"] + TINY + ["--out", run], capture_output=True, check=True)
    settings = json.load(open(os.path.join(run, "run.json")))
    mutation = rng.choice(["batch_size", "iterations", "seed", "eval_every", "keep", "model", "data", "schedule",
                           "format", "precision", "bytes"])
    if mutation == "bytes":
        text = bytearray(open(os.path.join(run, "run.json"), "rb").read())
        text[rng.randrange(len(text))] = rng.randrange(256)
        open(os.path.join(run, "run.json"), "wb").write(text)
    else:
        settings[mutation] = rng.choice([-1, 0, 10 ** 30, "x", None, [], {"T": 10 ** 9}, 1e308])
        json.dump(settings, open(os.path.join(run, "run.json"), "w"))
    case(f"run.json {mutation} mutated #{i}", ["train", "--out", run, "--resume", "--iterations", "3"])
# A vaegan run.json whose loss_settings lie (its discriminator file is beside the checkpoint): refused or resumed.
for i in range(3 if QUICK else 12):
    run = os.path.join(WORK, "rjv")
    shutil.rmtree(run, ignore_errors=True)
    subprocess.run([DRAW, "train"] + TINY + ["--loss", "vaegan", "--checkpoint-every", "1", "--out", run],
                   capture_output=True, check=True)
    settings = json.load(open(os.path.join(run, "run.json")))
    key = rng.choice(sorted(settings["loss_settings"]) + ["loss_settings"])
    value = rng.choice([-1, 0, 10 ** 30, 1e308, "x", None, [], {"a": 1}, 3, 4096])
    if key == "loss_settings":
        settings[key] = value
    else:
        settings["loss_settings"][key] = value
    json.dump(settings, open(os.path.join(run, "run.json"), "w"))
    case(f"vaegan run.json loss_settings.{key} = {value!r} #{i}", ["train", "--out", run, "--resume", "--iterations", "3"],
         check=lambda: None if os.path.exists(os.path.join(run, "model.safetensors")) else "model.safetensors lost")
# A broken train-log.csv (the resume reads its validations back to rank best.safetensors): the run goes on or
# stops with a message, and its model is never lost.
for i in range(3 if QUICK else 12):
    logged = os.path.join(WORK, "log")
    shutil.rmtree(logged, ignore_errors=True)
    subprocess.run([DRAW, "train"] + TINY + ["--eval-every", "1", "--checkpoint-every", "1", "--out", logged],
                   capture_output=True, check=True)
    path = os.path.join(logged, "train-log.csv")
    lines = open(path, "rb").read().split(b"\n")
    k = rng.randrange(1, max(2, len(lines) - 1))
    lines[k] = rng.choice([b"1,0,1,1,1,1,,,,nan,nan,nan", b"2,0,1,1,1,1,1,1,1,-1e308,1e308,-inf", b",,,,,,,,,,,",
                           b"1" * 100000, bytes(rng.randrange(256) for _ in range(200)), b"1,2,3," * 50, b""])
    open(path, "wb").write(b"\n".join(lines))
    case(f"train-log.csv row mutated #{i}", ["train", "--out", logged, "--resume", "--iterations", "4"],
         check=lambda: None if os.path.exists(os.path.join(logged, "model.safetensors")) else "model.safetensors lost")
os.remove(os.path.join(run, "run.json"))
case("run.json missing, --resume without --data", ["train", "--out", run, "--resume", "--iterations", "3"],
     may_succeed=False)
blocked = os.path.join(WORK, "afile")
open(blocked, "w").close()
case("--out is a file", ["train"] + TINY + ["--out", blocked], may_succeed=False)
case("--out under a file", ["train"] + TINY + ["--out", os.path.join(blocked, "x")], may_succeed=False)

# 5. A reader that goes away: `draw train 2>&1 | head -c 1`. The run goes on, saves and exits 0 (no SIGPIPE).
for i in range(1 if QUICK else 3):
    out = fresh("pipe")
    p = subprocess.Popen([DRAW, "train"] + TINY[:-4] + ["--iterations", str(50 * (i + 1)), "--threads", "1", "--out", out],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=limit,
                         cwd=WORK)
    p.stdout.read(1)
    p.stdout.close()
    status = p.wait(timeout=120)
    record(f"train with its output pipe closed #{i}",
           status == 0 and os.path.exists(os.path.join(out, "model.safetensors")),
           f"status {status if status >= 0 else 128 - status}")

shutil.rmtree(WORK, ignore_errors=True)
print(f"hostile inputs: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
