// Copies the built browser files of the pinned npm packages into Django's static tree.
// Run by `make` (npm ci && npm run build); the result is not committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "misto", "core", "static", "vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "htmx.org/dist/ext/sse.js": "htmx-sse.js",
  "maplibre-gl/dist/maplibre-gl.js": "maplibre-gl.js",
  "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl.css",
  "axe-core/axe.min.js": "axe.min.js",
};
mkdirSync(target, { recursive: true });
for (const [source, name] of Object.entries(files)) {
  copyFileSync(join(here, "node_modules", source), join(target, name));
  console.log(`vendor/${name}`);
}
