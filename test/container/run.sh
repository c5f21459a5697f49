#!/usr/bin/env bash
# The node -e and bash -c programs below are single-quoted on purpose: their $ are their own.
# shellcheck disable=SC2016

# `npm run test:container`: builds the Dockerfile's `api` and `demo` targets with Debian's podman
# from the committed tree (HEAD) and smoke-tests the running containers. The base image cannot be
# pulled here (no registry but npm's and Debian's), so a stand-in for node:<major>-bookworm-slim
# is built once with debootstrap and cached by its tag. See docs/deployment.md for what this
# proves and what it cannot.
#
# Root only (rootful podman). Ports are published on 127.0.0.1 only. Every step has a time limit,
# and the trap removes this run's containers and images even when a step fails; the stand-in base
# is kept. Environment: NODE_CACHE_DIR (as in .ci/run), KEEP_WORKDIR=1 to debug.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

readonly TEST_LABEL=greet-cors-api.container-test
readonly RUN_ID="ctest-$$"
readonly API_TAG="localhost/greet-cors-api:$RUN_ID"
readonly DEMO_TAG="localhost/greet-cors-api-demo:$RUN_ID"
readonly API_CTR="greet-cors-api-$RUN_ID"
readonly DOCS_CTR="greet-cors-api-docs-$RUN_ID"
readonly DEMO_CTR="greet-cors-api-demo-$RUN_ID"
readonly FASTIFY_CTR="greet-cors-api-fastify-$RUN_ID"
readonly DEMO_ORIGIN=http://localhost:1234
# The service drains for up to SHUTDOWN_TIMEOUT_MS (10 s by default) and compose gives it 15 s;
# an idle container must exit far sooner than either.
readonly STOP_GRACE_S=20
readonly STOP_BUDGET_MS=5000

started=$(date +%s)
checks=()
failed=0
passed=0
WORK=''

log() { printf '== %s\n' "$*"; }
elapsed() { echo $(($(date +%s) - started)); }

pass() {
  passed=$((passed + 1))
  checks+=("PASS  $1")
  printf 'PASS  %s\n' "$1"
}
fail() {
  failed=$((failed + 1))
  checks+=("FAIL  $1${2:+ -- $2}")
  printf 'FAIL  %s%s\n' "$1" "${2:+ -- $2}"
}
# check NAME COMMAND...: the command's exit status decides; its output is the failure detail.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(tail -c 600 <<<"$out")"; fi
}

summary() {
  echo
  echo "== container test summary ($(elapsed) s)"
  local line
  for line in "${checks[@]}"; do echo "$line"; done
  for line in "${sizes[@]}"; do echo "$line"; done
  echo "container: $passed passed, $failed failed"
}

sizes=()
step_pid=''
external_before=''

# Everything this run created carries TEST_LABEL or RUN_ID; the stand-in base carries neither.
cleanup() {
  local status=$?
  set +e
  if [ -n "$step_pid" ]; then
    # `timeout` passes the signal on to the step's whole process group (podman build included).
    kill -TERM "$step_pid" 2>/dev/null
    wait "$step_pid" 2>/dev/null
  fi
  if [ "$status" -ge 129 ] && [ "$status" -le 143 ]; then
    fail "interrupted by signal $((status - 128)); cleaned up"
  fi
  timeout 60 podman rm -f -t 0 "$API_CTR" "$DOCS_CTR" "$DEMO_CTR" "$FASTIFY_CTR" >/dev/null 2>&1
  timeout 120 podman rmi -f "$API_TAG" "$DEMO_TAG" >/dev/null 2>&1
  remove_labelled
  # An interrupted `podman build` leaves its working container, which only --external lists.
  if [ -n "$external_before" ]; then
    local id
    for id in $(comm -13 <(echo "$external_before") <(timeout 60 podman ps -aq --external --no-trunc | sort)); do
      timeout 60 podman rm -f "$id" >/dev/null 2>&1
    done
  fi
  if [ -n "$WORK" ] && [ "${KEEP_WORKDIR:-0}" != 1 ]; then rm -rf "$WORK"; fi
  summary
  if [ "$status" -eq 0 ] && [ "$failed" -gt 0 ]; then status=1; fi
  exit "$status"
}

# Also clears what a run killed before its trap ran (SIGKILL, a lost machine) left behind.
remove_labelled() {
  local ids
  ids=$(timeout 60 podman ps -aq --filter "label=$TEST_LABEL") || true
  # shellcheck disable=SC2086 # one id per word
  [ -z "$ids" ] || timeout 60 podman rm -f -t 0 $ids >/dev/null 2>&1 || true
  ids=$(timeout 60 podman images -aq --filter "label=$TEST_LABEL") || true
  # shellcheck disable=SC2086
  [ -z "$ids" ] || timeout 120 podman rmi -f $ids >/dev/null 2>&1 || true
}

# Runs a step with a time limit; on failure shows the end of its log and stops the run.
step() {
  local name=$1 limit=$2 logfile
  shift 2
  logfile="$WORK/$(tr -c 'a-zA-Z0-9\n' '_' <<<"$name").log"
  local t0
  t0=$(date +%s)
  # A child bash, so that `timeout` can run (and end) the functions exported below. In the
  # background, and waited for, because bash runs the INT/TERM traps only once a foreground
  # command returns: a build would otherwise finish before an interrupted run cleans up.
  timeout --kill-after=10 "$limit" bash -c 'set -euo pipefail; "$@"' _ "$@" >"$logfile" 2>&1 &
  step_pid=$!
  if wait "$step_pid"; then
    step_pid=''
    pass "$name ($(($(date +%s) - t0)) s)"
  else
    local rc=$?
    step_pid=''
    tail -n 40 "$logfile" >&2
    fail "$name" "exit $rc after $(($(date +%s) - t0)) s (limit $limit s), log above"
    exit 1
  fi
}

if [ "$(id -u)" -ne 0 ]; then
  echo "test:container runs rootful podman: run it as root" >&2
  exit 1
fi

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/greet-cors-api-container.XXXXXX)

# ---------------------------------------------------------------------------------------------
# Tools: Debian's packages, installed when missing (like .ci/run's chromium step).
# ---------------------------------------------------------------------------------------------
missing=()
for pair in podman:podman runc:runc debootstrap:debootstrap newuidmap:uidmap curl:curl; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  timeout 300 apt-get update
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends \
    "${missing[@]}"
fi

# This VM has no systemd and hybrid v1/v2 cgroups: runc with cgroupfs runs containers where
# podman's defaults do not. Root here lacks CAP_SYS_RESOURCE, so the container's nofile and nproc
# limits must not exceed this shell's hard limits (podman's rootful defaults do), and nproc not
# 32768 either (podman build's chroot isolation lowers it to that before applying these). A
# private file leaves the machine's own containers.conf alone.
hard_limit() {
  local value
  value=$(ulimit -H "$1")
  if [ "$value" = unlimited ] || [ "$value" -gt "$2" ]; then value=$2; fi
  echo "$value"
}
nofile=$(hard_limit -n 1048576)
nproc=$(hard_limit -u 32768)
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$WORK/containers.conf"
log "podman $(podman version --format '{{.Client.Version}}'), runc $(runc --version | head -n1)"

remove_labelled

# ---------------------------------------------------------------------------------------------
# The stand-in base image
# ---------------------------------------------------------------------------------------------
base_from=$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)
if ! [[ "$base_from" =~ ^node:([0-9]+)-([a-z]+)-slim$ ]]; then
  fail "Dockerfile's base is node:<major>-<debian suite>-slim" "FROM $base_from"
  exit 1
fi
NODE_MAJOR=${BASH_REMATCH[1]}
SUITE=${BASH_REMATCH[2]}
BASE_TAG="docker.io/library/$base_from"
# The npm major that Node $NODE_MAJOR ships with (Node 24: npm 11).
NPM_MAJOR=11

# The first Debian mirror that apt's sources name for SUITE (deb822 .sources, then sources.list);
# any mirror they name serves every suite, so the first plain one is the fallback.
debian_mirror() {
  local suite=$1
  {
    # deb822 stanzas, one line each: "<uris>\t<suites>"
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -r "$f" ] || continue
      awk 'BEGIN { RS = ""; FS = "\n" }
        {
          uris = ""; suites = ""; types = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            line = $i
            if (line ~ /^[ \t]*#/) continue
            split(line, kv, ":"); key = tolower(kv[1]); sub(/^[^:]*:[ \t]*/, "", line)
            if (key == "uris") uris = line
            else if (key == "suites") suites = line
            else if (key == "types") types = line
            else if (key == "enabled") enabled = tolower(line)
          }
          if (types ~ /(^| )deb( |$)/ && enabled != "no") print uris "\t" suites
        }' "$f"
    done
    # one-line format: deb [options] uri suite components...
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -r "$f" ] || continue
      sed -E -n 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+).*/\2\t\3/p' "$f"
    done
  } | awk -F '\t' -v suite="$suite" '
      { n = split($1, uris, " "); m = split($2, suites, " ")
        for (i = 1; i <= m; i++) for (j = 1; j <= n; j++) {
          if (suites[i] == suite && exact == "") exact = uris[j]
          if (suites[i] !~ /security/ && plain == "") plain = uris[j]
        } }
      END { if (exact != "") print exact; else if (plain != "") print plain }'
}

build_standin() {
  local mirror rootfs node_cache node_bin ca_file npm_cafile registry node_version
  mirror=$(debian_mirror "$SUITE")
  if [ -z "$mirror" ]; then
    echo "no Debian mirror found in /etc/apt/sources.list{,.d/*}" >&2
    return 1
  fi
  rootfs="$WORK/standin-rootfs"
  echo "stand-in $BASE_TAG: debootstrap $SUITE from $mirror"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror"

  # The same Node.js binary .ci/run provisions: the npm registry's node-linux-<arch> package.
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no node-linux package for $(uname -m)" >&2; return 1 ;;
  esac
  node_cache="${NODE_CACHE_DIR:-/var/cache/greet-cors-api/node$NODE_MAJOR}"
  node_bin="$node_cache/node_modules/node-linux-$arch/bin/node"
  if [ ! -x "$node_bin" ] || [ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]; then
    mkdir -p "$node_cache"
    npm install --prefix "$node_cache" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-$arch@$NODE_MAJOR"
  fi
  node_version=$("$node_bin" --version)
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  # npm as the official image lays it out: /usr/local/lib/node_modules/npm, linked from bin/.
  npm install --global --prefix "$rootfs/usr/local" --no-audit --no-fund --ignore-scripts \
    "npm@$NPM_MAJOR"

  # The official image's user: uid/gid 1000, which the Dockerfile's `USER node` relies on.
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  # `npm ci` in `podman build` reaches the registry through whatever CA this machine trusts (a
  # TLS-inspecting proxy's included); the official image relies on Node's built-in roots.
  local changes=()
  mkdir -p "$rootfs/usr/local/share/stand-in"
  ca_file=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
  if [ -n "$ca_file" ] && [ -r "$ca_file" ]; then
    cp "$ca_file" "$rootfs/usr/local/share/stand-in/node-extra-ca-certs.pem"
    changes+=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/stand-in/node-extra-ca-certs.pem")
  fi
  npm_cafile=$(npm config get cafile 2>/dev/null || true)
  if [ -n "$npm_cafile" ] && [ "$npm_cafile" != null ] && [ "$npm_cafile" != undefined ] &&
    [ -r "$npm_cafile" ]; then
    cp "$npm_cafile" "$rootfs/usr/local/share/stand-in/npm-cafile.pem"
    changes+=(--change "ENV npm_config_cafile=/usr/local/share/stand-in/npm-cafile.pem")
  fi
  registry=$(npm config get registry 2>/dev/null || true)
  if [ -n "$registry" ] && [ "$registry" != https://registry.npmjs.org/ ]; then
    changes+=(--change "ENV npm_config_registry=$registry")
  fi

  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  tar -C "$rootfs" --numeric-owner -cf - . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${node_version#v}" \
    "${changes[@]}" \
    --change "LABEL org.opencontainers.image.description=stand-in for $base_from, built by test/container/run.sh: Debian $SUITE minbase, Node.js $node_version from the npm registry" \
    --change 'CMD ["node"]' \
    --message "stand-in for $base_from (test/container/run.sh)" \
    - "$BASE_TAG"
}

export WORK SUITE BASE_TAG NODE_MAJOR NPM_MAJOR base_from TEST_LABEL RUN_ID
export -f debian_mirror build_standin

if podman image exists "$BASE_TAG"; then
  description=$(timeout 30 podman image inspect --format '{{index .Labels "org.opencontainers.image.description"}}' "$BASE_TAG" 2>/dev/null || true)
  if [[ "$description" == stand-in* ]]; then
    pass "stand-in base $BASE_TAG cached ($description)"
  else
    pass "base $BASE_TAG present and not a stand-in: used as is"
  fi
else
  step "stand-in base $BASE_TAG built (debootstrap, Node.js $NODE_MAJOR, npm $NPM_MAJOR)" 900 \
    build_standin
fi

# ---------------------------------------------------------------------------------------------
# Build both targets from a clean checkout of HEAD
# ---------------------------------------------------------------------------------------------
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  log "note: uncommitted changes are not tested; the images are built from HEAD ($(git rev-parse --short HEAD))"
fi
mkdir "$WORK/context"
git archive --format=tar HEAD | tar -x -C "$WORK/context"

# chroot isolation: runc cannot run build steps under this VM's hybrid cgroups. docker format:
# the OCI format has no HEALTHCHECK and podman drops it. Host network: the build's `npm ci`.
build_image() {
  local target=$1 tag=$2
  podman build --isolation chroot --format docker --pull=never --network host --layers=false \
    --label "$TEST_LABEL=$RUN_ID" --target "$target" -t "$tag" "$WORK/context"
}
export -f build_image
# A first line that no container id matches, so that the variable is set even with none.
external_before=$(echo '-'; timeout 60 podman ps -aq --external --no-trunc | sort)
step "build target api" 900 build_image api "$API_TAG"
step "build target demo" 300 build_image demo "$DEMO_TAG"

image_mb() { timeout 30 podman image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }
sizes+=("size  base $BASE_TAG: $(image_mb "$BASE_TAG")")
sizes+=("size  api image: $(image_mb "$API_TAG")")
sizes+=("size  demo image: $(image_mb "$DEMO_TAG")")

# ---------------------------------------------------------------------------------------------
# The api image, at rest
# ---------------------------------------------------------------------------------------------
inspect_json=$(timeout 30 podman image inspect "$API_TAG")
check "api image: USER node, NODE_ENV=production, EXPOSE 5000 and 9464, HEALTHCHECK on /health/live" \
  node -e '
    const [image] = JSON.parse(process.argv[1]);
    const c = { ...image.Config, Healthcheck: image.Healthcheck };
    const problems = [];
    if (c.User !== "node") problems.push(`User ${c.User}`);
    if (!(c.Env || []).includes("NODE_ENV=production")) problems.push("no NODE_ENV=production");
    for (const port of ["5000/tcp", "9464/tcp"]) {
      if (!Object.keys(c.ExposedPorts || {}).includes(port)) problems.push(`${port} not exposed`);
    }
    const hc = (c.Healthcheck && c.Healthcheck.Test || []).join(" ");
    if (!hc.includes("/health/live")) problems.push(`healthcheck "${hc}"`);
    if (problems.length) { console.log(problems.join("; ")); process.exit(1); }
  ' "$inspect_json"

# What /app holds, judged against the lockfile the image was built from: nothing marked dev (or
# dev-optional, like typescript) in it, every production package present, no sources or tests.
contents_json=$(timeout 60 podman run --rm --network none --label "$TEST_LABEL=$RUN_ID" \
  --entrypoint node "$API_TAG" -e '
    const fs = require("node:fs");
    const path = require("node:path");
    const lock = JSON.parse(fs.readFileSync("/app/package-lock.json", "utf8")).packages;
    const exists = (p) => fs.existsSync(path.join("/app", p));
    const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
    const files = walk("/app/node_modules");
    const bytes = files.reduce((sum, f) => sum + fs.lstatSync(f).size, 0);
    // What `du` counts: whole blocks, directories included.
    const dirs = (dir) => [dir, ...fs.readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory()).flatMap((e) => dirs(path.join(dir, e.name)))];
    const diskBytes = [...files, ...dirs("/app/node_modules")]
      .reduce((sum, f) => sum + fs.lstatSync(f).blocks * 512, 0);
    const entries = Object.entries(lock).filter(([p]) => p.startsWith("node_modules/"));
    console.log(JSON.stringify({
      app: fs.readdirSync("/app").sort(),
      devPresent: entries.filter(([p, e]) => (e.dev || e.devOptional) && exists(p)).map(([p]) => p),
      prodMissing: entries.filter(([p, e]) => !e.dev && !e.devOptional && !e.optional && !exists(p)).map(([p]) => p),
      distNonJs: walk("/app/dist").filter((f) => !/\.js(\.map)?$/.test(f)),
      // The workspace package (nest-strict-cors): its package.json and compiled dist/ only.
      packagesOther: walk("/app/packages").filter(
        (f) => !/^\/app\/packages\/nest-strict-cors\/(package\.json|dist\/.+\.(js|d\.ts))$/.test(f)),
      nodeModulesBytes: bytes,
      nodeModulesDiskBytes: diskBytes,
      nodeModulesFiles: files.length,
      mapsOrTypes: files.filter((f) => /\.(map|d\.[cm]?ts)$/.test(f)).length,
    }));
  ' 2>>"$WORK/podman.stderr") ||
  contents_json="{\"error\": $(node -p 'JSON.stringify(process.argv[1])' "$(tail -n 3 "$WORK/podman.stderr")")}"

contents() { node -e "const c = JSON.parse(process.argv[1]); $1" "$contents_json"; }
check "api image: /app holds only dist/, node_modules/, packages/, package.json, package-lock.json" \
  contents 'const want = ["dist", "node_modules", "package-lock.json", "package.json", "packages"];
    if (JSON.stringify(c.app) !== JSON.stringify(want)) { console.log(JSON.stringify(c)); process.exit(1); }'
check "api image: no dev dependencies (lockfile dev/devOptional, typescript included), no production one missing" \
  contents 'if (c.error || c.devPresent.length || c.prodMissing.length) { console.log(JSON.stringify(c)); process.exit(1); }'
check "api image: dist/ has only compiled JavaScript (no sources, no tests)" \
  contents 'if (c.error || c.distNonJs.length) { console.log(JSON.stringify(c.distNonJs || c)); process.exit(1); }'
check "api image: packages/ holds nest-strict-cors's package.json and compiled dist/ only" \
  contents 'if (c.error || c.packagesOther.length) { console.log(JSON.stringify(c.packagesOther || c)); process.exit(1); }'
check "api image: no source maps or type declarations in node_modules" \
  contents 'if (c.error || c.mapsOrTypes !== 0) { console.log(c.mapsOrTypes); process.exit(1); }'
nm_line=$(contents 'const mb = (n) => (n / 1e6).toFixed(1);
  console.log(`${mb(c.nodeModulesBytes)} MB of files (${mb(c.nodeModulesDiskBytes)} MB on disk), ${c.nodeModulesFiles} files`)' 2>/dev/null || echo unknown)
sizes+=("size  api /app/node_modules (production): $nm_line")

check "api image: cors:explain runs on nest-strict-cors's dist (a refused origin explained, exit 1)" \
  bash -c '
    out=$(timeout 60 podman run --rm --network none --label "$1" \
      -e CORS_ALLOWED_ORIGINS=https://app.example.com --entrypoint node "$2" \
      dist/cli/cors-explain.js --origin https://evil.example 2>&1); rc=$?
    [ "$rc" -eq 1 ] && grep -qi "refused" <<<"$out" || { echo "exit $rc: $out"; exit 1; }
  ' _ "$TEST_LABEL=$RUN_ID" "$API_TAG"

check "api image: refuses to start without CORS_ALLOWED_ORIGINS (production validation, exit 1)" \
  bash -c '
    out=$(timeout 60 podman run --rm --network none --label "$1" "$2" 2>&1); rc=$?
    [ "$rc" -eq 1 ] && grep -q "Invalid configuration" <<<"$out" || { echo "exit $rc: $out"; exit 1; }
  ' _ "$TEST_LABEL=$RUN_ID" "$API_TAG"

# ---------------------------------------------------------------------------------------------
# The api container, running
# ---------------------------------------------------------------------------------------------
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => {
    console.log(s.address().port); s.close(); });'
}
# wait_http URL SECONDS: until the URL answers 200.
wait_http() {
  local deadline=$(($(date +%s) + $2))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "no 200 from $1 within $2 s"
      return 1
    fi
    sleep 0.2
  done
}

api_port=$(free_port)
api_url="http://127.0.0.1:$api_port"
# With docker-compose.yml's hardening: read-only root, no capabilities, no new privileges,
# only /tmp writable.
if ! timeout 60 podman run -d --name "$API_CTR" --label "$TEST_LABEL=$RUN_ID" \
  --read-only --tmpfs /tmp:size=16m --cap-drop ALL --security-opt no-new-privileges \
  -p "127.0.0.1:$api_port:5000" -e "CORS_ALLOWED_ORIGINS=$DEMO_ORIGIN" "$API_TAG" >/dev/null 2>>"$WORK/podman.stderr"; then
  fail "api container starts with -p 127.0.0.1:$api_port:5000" "$(tail -n 3 "$WORK/podman.stderr")"
  exit 1
fi
check "api: GET /health/live answers 200 through the published port" wait_http "$api_url/health/live" 30

greet() {
  curl -sS --max-time 5 -D "$WORK/greet-$2.headers" -o "$WORK/greet-$2.body" -w '%{http_code}' \
    -H "Origin: $1" -H 'Content-Type: application/json' \
    --data '{"name":"Alice","lang":"es"}' "$api_url/greet"
}
header() { tr -d '\r' <"$1" | awk -v name="$(tr '[:upper:]' '[:lower:]' <<<"$2")" -F ': ' 'tolower($1) == name { print $2 }'; }

check "api: POST /greet from $DEMO_ORIGIN gets 200 \"Hola, Alice!\" with Access-Control-Allow-Origin" \
  bash -c '
    status=$1 body=$(cat "$2") acao=$3
    [ "$status" = 200 ] && grep -q "\"greeting\":\"Hola, Alice!\"" <<<"$body" && [ "$acao" = "$4" ] ||
      { echo "status $status, body $body, Access-Control-Allow-Origin \"$acao\""; exit 1; }
  ' _ "$(greet "$DEMO_ORIGIN" allowed || true)" "$WORK/greet-allowed.body" \
  "$(header "$WORK/greet-allowed.headers" Access-Control-Allow-Origin)" "$DEMO_ORIGIN"

check "api: POST /greet from https://evil.example gets 403 without Access-Control-Allow-Origin" \
  bash -c '
    [ "$1" = 403 ] && [ -z "$2" ] || { echo "status $1, Access-Control-Allow-Origin \"$2\""; exit 1; }
  ' _ "$(greet https://evil.example refused || true)" \
  "$(header "$WORK/greet-refused.headers" Access-Control-Allow-Origin)"

# PID 1 is node itself (exec-form CMD), started as `npm start` starts it (Node flags included):
# its uid and environment are the service's.
check "api: the service (PID 1) runs as uid 1000, not root, with NODE_ENV=production, as npm start runs it" \
  timeout 30 podman exec "$API_CTR" node -e '
    const fs = require("node:fs");
    const status = fs.readFileSync("/proc/1/status", "utf8");
    const uids = /^Uid:\s+(.*)$/m.exec(status)[1].trim().split(/\s+/);
    const cmd = fs.readFileSync("/proc/1/cmdline", "utf8").split("\0").filter(Boolean);
    const env = fs.readFileSync("/proc/1/environ", "utf8").split("\0");
    const start = require("/app/package.json").scripts.start;
    const ok = uids.every((u) => u === "1000") && cmd.join(" ") === start &&
      env.includes("NODE_ENV=production");
    if (!ok) { console.log({ uids, cmd, start, nodeEnv: env.filter((e) => e.startsWith("NODE_ENV")) }); process.exit(1); }
  '

# In a container of its own without --read-only: file ownership alone must protect the app (a
# read-only root would hide a permission mistake behind EROFS).
check "api: the service user cannot modify or add app files (dist, node_modules, package.json, /app)" \
  timeout 60 podman run --rm --network none --label "$TEST_LABEL=$RUN_ID" "$API_TAG" node -e '
    const fs = require("node:fs");
    const writable = [];
    for (const f of ["/app/dist/main.js", "/app/package.json", "/app/node_modules/pino/package.json"]) {
      try { fs.appendFileSync(f, ""); writable.push(f); } catch (e) { if (e.code !== "EACCES") writable.push(`${f}: ${e.code}`); }
    }
    for (const f of ["/app/new-file", "/app/dist/new-file", "/app/node_modules/new-file"]) {
      try { fs.writeFileSync(f, "x"); writable.push(f); } catch (e) { if (e.code !== "EACCES") writable.push(`${f}: ${e.code}`); }
    }
    if (writable.length) { console.log(writable); process.exit(1); }
  '

check "api: runs hardened (read-only root, no capabilities, no new privileges)" \
  timeout 30 podman exec "$API_CTR" node -e '
    const fs = require("node:fs");
    const status = fs.readFileSync("/proc/1/status", "utf8");
    const capEff = /^CapEff:\s+(\S+)$/m.exec(status)[1];
    const noNewPrivs = /^NoNewPrivs:\s+(\d)$/m.exec(status)[1];
    let rootWritable = true;
    try { fs.writeFileSync("/probe", "x"); } catch (e) { rootWritable = e.code !== "EROFS"; }
    fs.writeFileSync("/tmp/probe", "x");
    if (/[^0]/.test(capEff) || noNewPrivs !== "1" || rootWritable) {
      console.log({ capEff, noNewPrivs, rootWritable }); process.exit(1);
    }
  '

check "api: the image's HEALTHCHECK passes (podman healthcheck run)" \
  timeout 30 podman healthcheck run "$API_CTR"

# Metrics are on by default on 9464 inside the container (not published here), and count the
# requests made above.
check "api: GET /metrics on 9464 inside the container counts the POST /greet 200 and 403" \
  timeout 30 podman exec "$API_CTR" node -e '
    fetch("http://127.0.0.1:9464/metrics").then(async (res) => {
      const text = await res.text();
      const ok = res.status === 200 &&
        /http_server_request_duration_seconds_count\{[^}]*http_route="\/greet"[^}]*http_response_status_code="200"\} 1/.test(text) &&
        /cors_decisions_total\{kind="actual",outcome="refused",reason="origin_not_allowed"\} 1/.test(text);
      if (!ok) { console.log(res.status, text.split("\n").filter((l) => /greet|cors_/.test(l)).join("\n")); process.exit(1); }
    }, (error) => { console.log(String(error)); process.exit(1); });
  '

stop_container() {
  local t0 t1 code
  t0=$(date +%s%N)
  timeout $((STOP_GRACE_S + 10)) podman stop -t "$STOP_GRACE_S" "$1" >/dev/null 2>>"$WORK/podman.stderr" ||
    return 1
  t1=$(date +%s%N)
  code=$(timeout 30 podman inspect --format '{{.State.ExitCode}}' "$1" 2>>"$WORK/podman.stderr")
  echo "exit code $code after $(((t1 - t0) / 1000000)) ms"
  [ "$code" = 0 ] && [ $(((t1 - t0) / 1000000)) -lt "$STOP_BUDGET_MS" ]
}
stop_out=$(stop_container "$API_CTR") && stop_ok=1 || stop_ok=0
if [ "$stop_ok" = 1 ]; then
  pass "api: podman stop -t $STOP_GRACE_S (SIGTERM) exits 0 within $STOP_BUDGET_MS ms ($stop_out)"
else
  fail "api: podman stop -t $STOP_GRACE_S (SIGTERM) exits 0 within $STOP_BUDGET_MS ms" "$stop_out"
fi

# After the stop, so the last batched log lines have been flushed.
timeout 30 podman logs "$API_CTR" >"$WORK/api.log" 2>&1 || true
check "api: logs are JSON lines, with the 200 and the 403 for POST /greet and a clean shutdown" \
  node -e '
    const lines = require("node:fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    const bad = lines.filter((l) => { try { return typeof JSON.parse(l) !== "object"; } catch { return true; } });
    const text = lines.join("\n");
    const greets = lines.map((l) => { try { return JSON.parse(l); } catch { return {}; } })
      .filter((r) => JSON.stringify(r).includes("/greet"));
    const statuses = new Set(greets.map((r) => r.res?.statusCode ?? r.statusCode ?? r.status));
    const problems = [];
    if (lines.length === 0) problems.push("no log lines");
    if (bad.length) problems.push(`not JSON: ${bad.slice(0, 3).join(" | ")}`);
    if (!statuses.has(200) || !statuses.has(403)) problems.push(`POST /greet statuses logged: ${[...statuses]}`);
    if (!/SIGTERM received/.test(text) || !/Shut down cleanly/.test(lines.at(-1) ?? "")) problems.push("no SIGTERM drain and clean shutdown logged last");
    if (problems.length) { console.log(problems.join("; ")); console.log(text.slice(-1500)); process.exit(1); }
  ' "$WORK/api.log"

# ---------------------------------------------------------------------------------------------
# DOCS_ENABLED=true: swagger still loads from the trimmed production dependencies
# ---------------------------------------------------------------------------------------------
docs_port=$(free_port)
docs_url="http://127.0.0.1:$docs_port"
if timeout 60 podman run -d --name "$DOCS_CTR" --label "$TEST_LABEL=$RUN_ID" \
  -p "127.0.0.1:$docs_port:5000" -e "CORS_ALLOWED_ORIGINS=$DEMO_ORIGIN" -e DOCS_ENABLED=true \
  "$API_TAG" >/dev/null 2>>"$WORK/podman.stderr"; then
  check "api with DOCS_ENABLED=true: /docs (Swagger UI) and /docs-json (OpenAPI with POST /greet) answer" \
    bash -c '
      wait_http() { local d=$(($(date +%s) + 30)); until curl -fsS -o /dev/null --max-time 2 "$1"; do
        [ "$(date +%s)" -lt "$d" ] || return 1; sleep 0.2; done; }
      wait_http "$1/health/live" || { echo "not live"; exit 1; }
      curl -fsS --max-time 5 "$1/docs" | grep -qi "swagger" || { echo "/docs has no Swagger UI"; exit 1; }
      curl -fsS --max-time 5 "$1/docs-json" | node -e "
        const doc = JSON.parse(require(\"node:fs\").readFileSync(0, \"utf8\"));
        if (!doc.openapi || !doc.paths[\"/greet\"]?.post) { console.log(Object.keys(doc.paths || {})); process.exit(1); }"
    ' _ "$docs_url"
  timeout 30 podman rm -f -t 0 "$DOCS_CTR" >/dev/null 2>&1 || true
else
  fail "api with DOCS_ENABLED=true starts" "$(tail -n 3 "$WORK/podman.stderr")"
fi

# ---------------------------------------------------------------------------------------------
# HTTP_PLATFORM=fastify: the same image on the other platform, hardened the same way
# ---------------------------------------------------------------------------------------------
fastify_port=$(free_port)
if timeout 60 podman run -d --name "$FASTIFY_CTR" --label "$TEST_LABEL=$RUN_ID" \
  --read-only --tmpfs /tmp:size=16m --cap-drop ALL --security-opt no-new-privileges \
  -p "127.0.0.1:$fastify_port:5000" -e "CORS_ALLOWED_ORIGINS=$DEMO_ORIGIN" -e HTTP_PLATFORM=fastify \
  "$API_TAG" >/dev/null 2>>"$WORK/podman.stderr"; then
  check "api with HTTP_PLATFORM=fastify: 200 with Access-Control-Allow-Origin, preflight 204, refusal 403, 415" \
    bash -c '
      url=$1 origin=$2
      d=$(($(date +%s) + 30)); until curl -fsS -o /dev/null --max-time 2 "$url/health/live"; do
        [ "$(date +%s)" -lt "$d" ] || { echo "not live"; exit 1; }; sleep 0.2; done
      post() { curl -sS --max-time 5 -D - -o /dev/null -H "Origin: $1" -H "Content-Type: $2" \
        --data "{\"name\":\"Alice\"}" "$url/greet" | tr -d "\r"; }
      ok=$(post "$origin" application/json)
      grep -q "^HTTP/1.1 200" <<<"$ok" && grep -qi "^access-control-allow-origin: $origin$" <<<"$ok" ||
        { echo "allowed: $ok"; exit 1; }
      pre=$(curl -sS --max-time 5 -D - -o /dev/null -X OPTIONS -H "Origin: $origin" \
        -H "Access-Control-Request-Method: POST" "$url/greet" | tr -d "\r")
      grep -q "^HTTP/1.1 204" <<<"$pre" || { echo "preflight: $pre"; exit 1; }
      evil=$(post https://evil.example application/json)
      grep -q "^HTTP/1.1 403" <<<"$evil" && ! grep -qi "^access-control-allow-origin" <<<"$evil" ||
        { echo "refused: $evil"; exit 1; }
      text=$(post "$origin" text/plain)
      grep -q "^HTTP/1.1 415" <<<"$text" || { echo "text/plain: $text"; exit 1; }
    ' _ "http://127.0.0.1:$fastify_port" "$DEMO_ORIGIN"
  timeout 30 podman rm -f -t 0 "$FASTIFY_CTR" >/dev/null 2>&1 || true
else
  fail "api with HTTP_PLATFORM=fastify starts" "$(tail -n 3 "$WORK/podman.stderr")"
fi

# ---------------------------------------------------------------------------------------------
# The demo image
# ---------------------------------------------------------------------------------------------
demo_port=$(free_port)
demo_url="http://127.0.0.1:$demo_port"
if timeout 60 podman run -d --name "$DEMO_CTR" --label "$TEST_LABEL=$RUN_ID" \
  -p "127.0.0.1:$demo_port:1234" "$DEMO_TAG" >/dev/null 2>>"$WORK/podman.stderr"; then
  check "demo: GET / serves the page through the published port" bash -c '
    d=$(($(date +%s) + 30))
    until body=$(curl -fsS --max-time 2 "$1/" 2>/dev/null); do
      [ "$(date +%s)" -lt "$d" ] || { echo "no 200 from $1/"; exit 1; }; sleep 0.2; done
    grep -qi "<html" <<<"$body" && grep -q "app.js" <<<"$body" || { echo "$body" | head -c 400; exit 1; }
    curl -fsS --max-time 5 -o /dev/null "$1/app.js" || { echo "no app.js"; exit 1; }
  ' _ "$demo_url"
  check "demo: runs as uid 1000 and its HEALTHCHECK passes" bash -c '
    uid=$(timeout 30 podman exec "$1" node -p "process.getuid()") && [ "$uid" = 1000 ] ||
      { echo "uid $uid"; exit 1; }
    timeout 30 podman healthcheck run "$1"
  ' _ "$DEMO_CTR"
  stop_out=$(stop_container "$DEMO_CTR") && stop_ok=1 || stop_ok=0
  if [ "$stop_ok" = 1 ]; then
    pass "demo: podman stop (SIGTERM) exits 0 within $STOP_BUDGET_MS ms ($stop_out)"
  else
    fail "demo: podman stop (SIGTERM) exits 0 within $STOP_BUDGET_MS ms" "$stop_out"
  fi
else
  fail "demo container starts with -p 127.0.0.1:$demo_port:1234" "$(tail -n 3 "$WORK/podman.stderr")"
fi
