#!/usr/bin/env bash
# Build Dari's container images with podman:
#   localhost/dari/dari     one image for every role (Containerfile.dari)
#   localhost/dari/mariadb  localhost/dari/redis  localhost/dari/proxy  (Debian packages)
#   localhost/dari/trainer  the Dari image + torch/transformers/peft, only with
#                           DARI_BUILD_TRAINER=1 (Containerfile.trainer; torch is several GB;
#                           TRAINER_TORCH_WHEEL=/path/torch-….whl installs that wheel instead)
#
#   deploy/container/build.sh            # from the repository root or anywhere
#   BASE=docker.io/library/debian:bookworm-slim deploy/container/build.sh   # with a registry
#
# Steps, each cached between runs on the same machine (CI included):
#   1. the base image (build-base.sh: debootstrap + podman import), unless BASE is given;
#   2. wheels of every dependency, built on the host into $DARI_CONTAINER_CACHE/context/wheels
#      with the project's venv (pip reuses its own cache: llama-cpp-python compiles once);
#   3. the images (podman's layer cache: the dependency layer is rebuilt only when the
#      requirements change).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-$repo/.venv/bin/python}
CACHE=${DARI_CONTAINER_CACHE:-/var/cache/dari-containers}
TAG=${DARI_IMAGE_TAG:-latest}
ctx=$CACHE/context
t0=$(date +%s)
step() { echo "build: $* [$(( $(date +%s) - t0 )) s]"; }

if [ -z "${BASE:-}" ]; then
  "$here/build-base.sh"
  BASE=localhost/dari/base:bookworm
fi
step "base image $BASE"

mkdir -p "$ctx/wheels" "$ctx/dist"
"$PYTHON" - "$repo/pyproject.toml" > "$ctx/requirements.new" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
for line in sorted(project["dependencies"] + project["optional-dependencies"]["llm"]):
    print(line)
PY
DEPS_HASH=$(sha256sum "$ctx/requirements.new" | cut -c1-16)
# llama-cpp-python compiled for any x86-64 with AVX2, not for this machine's CPU: pip's cached
# wheel of the host venv is built with -march=native (here AVX-512 and AMX, whose tile
# instructions trap inside the containers and would not exist on another server's CPU).
llama=$(grep -E '^llama-cpp-python' "$ctx/requirements.new" | head -n1 | sed 's/\[.*\]//')
llama_version=${llama##*==}
# `make install` builds the same portable wheel for the venv (LLAMA_WHEELS in the Makefile):
# take it rather than compiling twice.
made=$(ls "${LLAMA_WHEELS:-$HOME/.cache/dari/wheels}/llama_cpp_python-$llama_version-"*.whl 2>/dev/null | head -n1)
if [ ! -f "$ctx/wheels/.portable-llama-$llama_version" ] && [ -n "$made" ]; then
  step "llama-cpp-python $llama_version: the venv's portable wheel $made"
  rm -f "$ctx"/wheels/llama_cpp_python-*.whl
  cp "$made" "$ctx/wheels/"
  touch "$ctx/wheels/.portable-llama-$llama_version"
fi
if [ ! -f "$ctx/wheels/.portable-llama-$llama_version" ]; then
  step "llama-cpp-python $llama_version, portable build (compiles once, ~15 min on 2 cores)"
  rm -f "$ctx"/wheels/llama_cpp_python-*.whl
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
    "$PYTHON" -m pip wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python \
    --wheel-dir "$ctx/wheels" "llama-cpp-python==$llama_version" \
    2> >(grep -v "is ignored: it is neither" >&2)
  touch "$ctx/wheels/.portable-llama-$llama_version"
  rm -f "$ctx"/wheels/.done-*
fi
if [ ! -f "$ctx/wheels/.done-$DEPS_HASH" ]; then
  step "wheels for $DEPS_HASH (first time: downloads, and compiles what has no wheel)"
  "$PYTHON" -m pip wheel -q --wheel-dir "$ctx/wheels" --find-links "$ctx/wheels" \
    -r "$ctx/requirements.new" 2> >(grep -v "is ignored: it is neither" >&2)
  rm -f "$ctx"/wheels/.done-*
  touch "$ctx/wheels/.done-$DEPS_HASH"
fi
cp "$ctx/requirements.new" "$ctx/wheels/requirements.txt"
# Pin what the host resolved; the image's Python (Debian's 3.11.2) may need a few more
# packages than the host's (markers such as python_full_version < "3.11.3"): pip takes those
# from the index inside the build.
(cd "$ctx/wheels" && ls *.whl | awk -F- '{print $1 "==" $2}' | sort -u > constraints.txt)
# The image's dependency layer is rebuilt when the requirements or any wheel change.
IMAGE_DEPS_HASH=$( (cat "$ctx/wheels/requirements.txt"; cd "$ctx/wheels" && stat -c '%n %s' *.whl) \
  | sha256sum | cut -c1-16)
step "wheels ready ($(du -sh "$ctx/wheels" | cut -f1))"

rm -f "$ctx"/dist/*.whl "$ctx"/dari-*.whl
"$PYTHON" -m pip wheel -q --no-deps --no-build-isolation --wheel-dir "$ctx/dist" "$repo" 2>/dev/null \
  || "$PYTHON" -m pip wheel -q --no-deps --wheel-dir "$ctx/dist" "$repo"
wheel=$(basename "$(ls "$ctx"/dist/dari-*.whl)")
cp "$ctx/dist/$wheel" "$ctx/$wheel"
cp "$here/Containerfile.dari" "$here/healthcheck.py" "$ctx/"
# pip inside the build trusts what the host trusts (a proxy's CA, say); the bundle is only
# bind-mounted for that step and never stored in the image.
cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
step "dari wheel $wheel"

build() {  # build NAME CONTAINERFILE CONTEXT [ARGS...]
  local name=$1 file=$2 context=$3; shift 3
  podman build -q --format docker --build-arg "BASE=$BASE" "$@" \
    -f "$file" -t "localhost/dari/$name:$TAG" "$context" >/dev/null
  step "image localhost/dari/$name:$TAG"
}
build dari "$ctx/Containerfile.dari" "$ctx" --build-arg "DEPS_HASH=$IMAGE_DEPS_HASH" \
  --build-arg "DARI_WHEEL=$wheel"
build mariadb "$here/Containerfile.mariadb" "$here"
build redis "$here/Containerfile.redis" "$here"
build proxy "$here/Containerfile.proxy" "$here"

if [ "${DARI_BUILD_TRAINER:-0}" = 1 ]; then
  rm -rf "$ctx/trainer-wheels" && mkdir -p "$ctx/trainer-wheels"
  # The `train` extra without torch (installed first, on its own: see Containerfile.trainer).
  "$PYTHON" - "$repo/pyproject.toml" > "$ctx/trainer-wheels/requirements-train.txt" <<'PY'
import sys, tomllib
extra = tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["train"]
for line in sorted(extra):
    if not line.startswith("torch"):
        print(line)
PY
  torch_arg=()
  if [ -n "${TRAINER_TORCH_WHEEL:-}" ]; then
    cp "$TRAINER_TORCH_WHEEL" "$ctx/trainer-wheels/"
    torch_arg=(--build-arg "TORCH=/trainer-wheels/$(basename "$TRAINER_TORCH_WHEEL")")
  fi
  cp "$here/Containerfile.trainer" "$ctx/"
  build trainer "$ctx/Containerfile.trainer" "$ctx" --build-arg "DARI_IMAGE=localhost/dari/dari:$TAG" \
    "${torch_arg[@]}"
fi
