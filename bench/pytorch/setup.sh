#!/usr/bin/env bash
# The PyTorch peer's setup, reproducible on a Debian bookworm machine (run as root, or with sudo):
#
#   bash bench/pytorch/setup.sh          installs python3-torch (Debian's PyTorch 1.13) and unpacks Debian's
#                                        OpenBLAS OpenMP build into bench/pytorch/.blas/ (git-ignored)
#   source <(bash bench/pytorch/setup.sh --env)     only prints the environment (no installs)
#
# Why OpenBLAS by hand: Debian's python3-torch links libblas.so.3, which resolves to the *reference* BLAS
# unless an optimized one is installed system-wide, and PyTorch then runs MNIST's MLP about 10x slower than
# it should. Installing an OpenBLAS system-wide would change what every other program on this shared
# machine links, so the OpenMP build is unpacked into a private folder and put first on LD_LIBRARY_PATH for
# the peer's process only. The OpenMP build (not the pthread one): its threads are OpenMP's, which PyTorch
# also uses, so OMP_NUM_THREADS=2 caps both; the pthread build's own pool oversubscribes 2 cores.
#
# After setup, run a peer with the environment this script prints, e.g.
#   eval "$(bash bench/pytorch/setup.sh --env)"; "$DELTAGPU_PYTHON" bench/pytorch/mlp.py --help
# bench/peers-pytorch.ts (the bench harness) does the same by itself when .blas/ exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
blas_root="$here/.blas"
# Debian's torch lives in /usr/lib/python3/dist-packages: the system interpreter, not a pyenv/venv shim
python="${DELTAGPU_PYTHON:-/usr/bin/python3}"
blas_dir="$(ls -d "$blas_root"/usr/lib/*/openblas-openmp 2>/dev/null | head -n1 || true)"

print_env() {
  echo "export DELTAGPU_PYTHON='$python'"
  if [ -n "$blas_dir" ]; then
    echo "export LD_LIBRARY_PATH='$blas_dir'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
  else
    echo "# no OpenBLAS unpacked under $blas_root: PyTorch will use whatever libblas.so.3 resolves to" >&2
  fi
  echo "export OMP_NUM_THREADS=\${OMP_NUM_THREADS:-$(nproc)}"
}

if [ "${1:-}" = "--env" ]; then
  print_env
  exit 0
fi

if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "setup: installing python3-torch (Debian's PyTorch) …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >&2
fi

if [ -z "$blas_dir" ]; then
  echo "setup: unpacking Debian's libopenblas0-openmp into $blas_root (not installed system-wide) …" >&2
  tmp="$(mktemp -d)"
  chmod 755 "$tmp" # apt's download user (_apt) must be able to write there
  (cd "$tmp" && apt-get download libopenblas0-openmp >&2)
  mkdir -p "$blas_root"
  dpkg-deb -x "$tmp"/libopenblas0-openmp_*.deb "$blas_root"
  rm -rf "$tmp"
  blas_dir="$(ls -d "$blas_root"/usr/lib/*/openblas-openmp | head -n1)"
  # the package ships libblas.so.3 / liblapack.so.3 there (Debian's alternatives point at these files):
  # with the folder first on LD_LIBRARY_PATH, torch's libblas.so.3 dependency resolves to OpenBLAS
  ls "$blas_dir" >&2
fi

eval "$(print_env)"
"$python" "$here/deltagpu_torch.py" >&2
echo "setup: done. Environment for the peer:" >&2
print_env
