#!/usr/bin/env bash
# Packs nest-strict-cors, installs the tarball into a fresh NestJS 12 (then 11) TypeScript app in
# a temp folder (the NestJS packages from the registry), compiles it and checks it black-box on Express
# and on Fastify, in middleware and before-routing modes. Run by .ci/run after `npm test`;
# locally: `npm run test:fresh-app`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
package="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== npm pack (the prepack script builds dist/)"
(cd "$package" && npm pack --pack-destination "$work" --silent >/dev/null)
tarball="$(ls "$work"/nest-strict-cors-*.tgz)"
# The listing is read once: `tar | grep -q` fails under pipefail when grep stops reading early.
listing="$(tar tzf "$tarball" | sort)"
echo "$(basename "$tarball"):"
sed 's/^/  /' <<<"$listing"
# Compiled CommonJS and declarations only: no TypeScript sources, no specs, no maps.
unexpected="$(grep -vE '^package/(dist/.+\.(js|d\.ts)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$' <<<"$listing" || true)"
if [ -n "$unexpected" ]; then echo "unexpected files in the tarball: $unexpected" >&2; exit 1; fi
if grep -qE '\.spec\.|\.map$|[^d]\.ts$' <<<"$listing"; then echo "specs, maps or sources in the tarball" >&2; exit 1; fi
for file in README.md LICENSE CHANGELOG.md dist/index.js dist/index.d.ts; do
  grep -qx "package/$file" <<<"$listing" || { echo "package/$file missing from the tarball" >&2; exit 1; }
done

failed=0
port=5740
# NestJS 12 (ESM packages, loaded through require(esm)) and 11 (CommonJS): the peer range.
for nest in 12 11; do
  echo "== a fresh NestJS $nest app, the tarball and the platforms from the registry"
  app="$work/app-$nest"
  mkdir -p "$app"
  cp -r "$here/template/." "$app/"
  cat >"$app/package.json" <<'JSON'
{ "name": "fresh-nest-app", "version": "1.0.0", "private": true, "type": "commonjs" }
JSON
  (cd "$app" && npm install --no-audit --no-fund --loglevel=error \
    "$tarball" "@nestjs/common@^$nest" "@nestjs/core@^$nest" "@nestjs/platform-express@^$nest" \
    "@nestjs/platform-fastify@^$nest" reflect-metadata rxjs typescript@~6.0.0 @types/node@^24 \
    @types/express@^5)
  (cd "$app" && node -e "for (const p of ['@nestjs/core','@nestjs/platform-express','@nestjs/platform-fastify','nest-strict-cors']) console.log('  ' + p + '@' + require(p + '/package.json').version)")

  echo "== compile (tsc, strict, the package's declarations checked too)"
  (cd "$app" && npx tsc -p tsconfig.json)
  (cd "$app" && node esm-import.mjs)

  for platform in express fastify; do
    for mode in middleware before-routing; do
      port=$((port + 1))
      log="$work/$nest-$platform-$mode.log"
      (cd "$app" && PLATFORM=$platform CORS_MODE=$mode PORT=$port \
        CORS_ALLOWED_ORIGINS=https://app.example.com exec node dist/main.js >"$log" 2>&1) &
      pids+=($!)
      for _ in $(seq 1 100); do
        grep -q listening "$log" && break
        sleep 0.1
      done
      if ! grep -q listening "$log"; then cat "$log"; failed=1; continue; fi
      node "$here/check.mjs" "$port" "nest$nest/$platform/$mode" "$mode" || failed=1
    done
  done

  echo "== bad options stop bootstrap, naming the variable and the value"
  for bad in 'https://*.com' 'https://app.example.com/path' 'null'; do
    # Bounded: a start that wrongly succeeds would otherwise listen for ever.
    out="$(cd "$app" && PLATFORM=express PORT=5799 CORS_ALLOWED_ORIGINS="$bad" timeout 20 node dist/main.js 2>&1 || true)"
    if echo "$out" | grep -qF "CORS_ALLOWED_ORIGINS: \"$bad\""; then
      echo "ok   nest$nest: refused at bootstrap: CORS_ALLOWED_ORIGINS=$bad"
    else
      echo "FAIL nest$nest: CORS_ALLOWED_ORIGINS=$bad did not stop bootstrap with its name: $out"
      failed=1
    fi
  done
done

if [ "$failed" -ne 0 ]; then echo "fresh-app checks FAILED" >&2; exit 1; fi
echo "fresh-app checks passed: NestJS 12 and 11, Express and Fastify, both modes"
