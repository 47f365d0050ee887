# Sourced by the test scripts: Go's usual install directory on PATH, for shells that did not read a
# profile (CI runs `bash .ci/run`), and a clear error when there is no Go at all.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null 2>&1 || { echo "tools: error: the Go toolchain (>= 1.26) is needed to build the pinned programs" >&2; exit 1; }
