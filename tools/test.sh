#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian/Ubuntu machine, then run it.
#   bash tools/test.sh [pytest args...]
# Installs (only when missing): ffmpeg (ffprobe reads outputs back), espeak-ng (pyttsx3's Linux
# voice), chromium (listening-page tests), iproute2 (`ip`: the Ray tests' loopback-only network
# namespace), mp3guessenc (checks the LAME tag's CRCs), libmp3lame0 (LAME's own tag, the
# reference the MP3's is compared with; ffmpeg usually brings it), epubcheck (validates the
# read-along EPUBs; it brings Java); then the package with its test,
# kokoro, verify, ray and books extras (the Kokoro, Ray and book-import tests run for real).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v mp3guessenc >/dev/null 2>&1 || need+=(mp3guessenc)
[ -f /usr/share/java/epubcheck.jar ] || need+=(epubcheck)
python3 -c 'import ctypes.util as u, sys; sys.exit(u.find_library("mp3lame") is None)' \
  || need+=(libmp3lame0)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing system packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test,kokoro,verify,ray,books]'
python3 -m pip check
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
python3 -m pytest -q -p no:cacheprovider "$@"
