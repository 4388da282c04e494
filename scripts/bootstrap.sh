#!/usr/bin/env bash
# bootstrap.sh: installs the Debian packages DRAW needs (idempotent; does nothing when all are present).
#   bash scripts/bootstrap.sh           # build and test dependencies
#   bash scripts/bootstrap.sh --data    # also Fashion-MNIST and the Moka icons for the README's recipes
set -euo pipefail

# Open MPI is optional at run time (loaded with dlopen) but the tests run a 2-rank job, so it is installed too.
packages=(pkg-config libopenblas-dev libomp-dev libpng-dev zlib1g-dev libjpeg62-turbo-dev libgif-dev
          openmpi-bin libopenmpi3 python3 python3-pip)
for arg in "$@"; do
  case "$arg" in
    --data) packages+=(dataset-fashion-mnist moka-icon-theme) ;;
    *) echo "bootstrap.sh: unknown option '$arg' (use --data)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap.sh: all ${#packages[@]} packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "bootstrap.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python readers the tests check our files with: safetensors (PyTorch interop) and tensorboard (event files).
python_missing() {
  command -v python3 >/dev/null || return 1
  for m in safetensors tensorboard; do python3 -c "import $m" 2>/dev/null || return 0; done
  return 1
}
if python_missing; then
  echo "bootstrap.sh: pip installing safetensors and tensorboard (the tests read our files with them)"
  # --break-system-packages: Debian's own python3 refuses pip installs otherwise (PEP 668); these two are test tools.
  python3 -m pip install --quiet --disable-pip-version-check --break-system-packages safetensors tensorboard 2>&1 \
    | grep -v "as the 'root' user" || true
fi
