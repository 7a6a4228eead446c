// Build the extension for each browser: merge the base manifest with the browser's patch, copy
// the source folders as they are (plain ES modules, no bundler) into dist/<browser>/ and zip
// each folder for the stores. Usage: node extension/build.mjs [--out DIR]

import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
// What ships: everything else in extension/ (tests, this script, the manifests' parts) stays home.
export const SOURCE_DIRS = ['background', 'content', 'shared', 'popup', 'options', 'diary', 'icons'];
export const BROWSERS = { chrome: null, firefox: 'manifest.firefox.json' };

/**
 * Merge a patch into a manifest: objects merge key by key, anything else (arrays included)
 * replaces, and null deletes the key (Firefox has no `background.service_worker`).
 */
export function mergeManifest(base, patch) {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeManifest(out[key], value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Return the manifest for a browser. */
export function manifestFor(browser) {
  const base = readJson(join(HERE, 'manifest.base.json'));
  const patch = BROWSERS[browser] ? readJson(join(HERE, BROWSERS[browser])) : {};
  return mergeManifest(base, patch);
}

function listFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

// CRC-32 (the zip format's checksum); node:zlib only exposes it from Node 22.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Write a zip of `files` ([name, Buffer]) with deflate, fixed timestamps (reproducible builds)
 * and no extra fields: the subset of the format both stores accept.
 */
export function writeZip(path, files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = (1 << 5) | 1; // 1980-01-01
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...locals, ...centrals, end]));
}

/** Build every browser into `outDir`; return {browser: {dir, zip}}. */
export function build(outDir = join(HERE, '..', 'dist')) {
  const results = {};
  for (const browser of Object.keys(BROWSERS)) {
    const dir = join(outDir, browser);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const manifest = manifestFor(browser);
    const files = [['manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]];
    for (const source of SOURCE_DIRS) {
      for (const path of listFiles(join(HERE, source))) {
        files.push([relative(HERE, path).split(sep).join('/'), readFileSync(path)]);
      }
    }
    for (const [name, data] of files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    const zip = join(outDir, `parallax-${browser}-${manifest.version}.zip`);
    writeZip(zip, files);
    results[browser] = { dir, zip, manifest };
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--out');
  const results = build(at > 0 ? process.argv[at + 1] : undefined);
  for (const [browser, { dir, zip }] of Object.entries(results)) {
    process.stdout.write(`${browser}: ${dir} (${zip})\n`);
  }
}

