// Copies the built browser files of the pinned npm packages into Django's static tree, and
// builds the maps' label glyphs (MapLibre's SDF glyph PBFs) from Debian's DejaVu fonts.
// Run by `make` (npm ci && npm run build); the result is not committed.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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

// Glyphs: every map style names `glyphs: /static/vendor/glyphs/{fontstack}/{range}.pbf`
// (misto/core/static/misto/maps.js). fontnik (FreeType + SDF, its linux-x64 binary ships
// inside the npm package) renders each block of 256 code points; all 256 blocks are written,
// so a label in any script finds its file (blocks the font lacks are a few bytes).
// The fonts come from Debian's fonts-dejavu-core (in the Makefile's APT_PACKAGES): Latin,
// Cyrillic (Ukrainian's ґ є і ї and the apostrophe ʼ), punctuation and the № sign.
const FONT_DIR = process.env.MISTO_FONT_DIR || "/usr/share/fonts/truetype/dejavu";
const STACKS = { "DejaVuSans": "DejaVuSans.ttf", "DejaVuSans-Bold": "DejaVuSans-Bold.ttf" };
const fontnik = createRequire(import.meta.url)("fontnik");

function range(font, start) {
  return new Promise((resolve, reject) => {
    fontnik.range({ font, start, end: start + 255 }, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

async function buildStack(stack, file) {
  const path = join(FONT_DIR, file);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install Debian's fonts-dejavu-core (make system-deps)`);
  }
  const font = readFileSync(path);
  const out = join(target, "glyphs", stack);
  mkdirSync(out, { recursive: true });
  for (let start = 0; start < 65536; start += 256) {
    writeFileSync(join(out, `${start}-${start + 255}.pbf`), await range(font, start));
  }
  console.log(`vendor/glyphs/${stack}/{0..65280}-{255..65535}.pbf`);
}

await Promise.all(Object.entries(STACKS).map(([stack, file]) => buildStack(stack, file)));
