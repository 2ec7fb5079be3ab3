#!/usr/bin/env bash
# Hermetic Docker-build helper: packs @bytelyst/* from ../learning_ai_common_plat
# into .docker-deps/ and rewrites backend/package.json to use the tarballs.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMON=../learning_ai_common_plat
mkdir -p .docker-deps
for dir in "$COMMON"/packages/*/; do
  (cd "$dir" && pnpm pack --pack-destination "$OLDPWD/.docker-deps" >/dev/null)
done
cp backend/package.json backend/package.json.bak
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("backend/package.json", "utf8"));
  const tgz = fs.readdirSync(".docker-deps");
  const file = (name) => tgz.find((t) => t.startsWith(name.replace("@", "").replace("/", "-") + "-"));
  pkg.pnpm = pkg.pnpm || {};
  pkg.pnpm.overrides = pkg.pnpm.overrides || {};
  for (const t of tgz) {
    const name = "@bytelyst/" + t.replace(/^bytelyst-/, "").replace(/-\d+\.\d+\.\d+\.tgz$/, "");
    pkg.pnpm.overrides[name] = "file:../.docker-deps/" + t;
  }
  for (const dep of Object.keys(pkg.dependencies || {})) {
    if (dep.startsWith("@bytelyst/") && file(dep)) pkg.dependencies[dep] = "file:../.docker-deps/" + file(dep);
  }
  fs.writeFileSync("backend/package.json", JSON.stringify(pkg, null, 2) + "\n");
'
echo "prepared .docker-deps/ ($(ls .docker-deps | wc -l) tarballs); restore with: mv backend/package.json.bak backend/package.json"
