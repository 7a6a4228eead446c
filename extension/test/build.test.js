import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, mergeManifest } from '../build.mjs';

const out = mkdtempSync(join(tmpdir(), 'parallax-build-'));
const results = build(out);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('mergeManifest merges objects, replaces arrays and deletes on null', () => {
  const merged = mergeManifest({ a: { b: 1, c: 2 }, list: [1], gone: 1 }, { a: { c: 3 }, list: [2], gone: null });
  assert.deepEqual(merged, { a: { b: 1, c: 3 }, list: [2] });
});

test('the Chrome build has a module service worker', () => {
  const manifest = JSON.parse(readFileSync(join(results.chrome.dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.background, { service_worker: 'background/main.js', type: 'module' });
  assert.equal(manifest.browser_specific_settings, undefined);
});

test('the Firefox build has background scripts and a gecko id', () => {
  const manifest = JSON.parse(readFileSync(join(results.firefox.dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.background, { scripts: ['background/main.js'], type: 'module' });
  assert.match(manifest.browser_specific_settings.gecko.id, /@/);
});

test('permissions stay minimal', () => {
  const manifest = results.chrome.manifest;
  assert.deepEqual(manifest.permissions.sort(), ['alarms', 'storage']);
  assert.ok(!manifest.permissions.includes('tabs'));
  assert.ok(manifest.host_permissions.every((p) => p.startsWith('http://127.0.0.1') || p.startsWith('http://localhost')));
});

test('every file the manifest names is in the build', () => {
  const manifest = results.chrome.manifest;
  const named = [
    manifest.background.service_worker, manifest.action.default_popup, manifest.options_ui.page,
    ...manifest.content_scripts.flatMap((c) => c.js), ...Object.values(manifest.icons),
  ];
  for (const path of named) assert.ok(existsSync(join(results.chrome.dir, path)), path);
});

test('shipped code has no remote code, no innerHTML, no eval, no console.log', () => {
  for (const path of files(results.chrome.dir).filter((p) => /\.(js|html)$/.test(p))) {
    const text = readFileSync(path, 'utf8');
    assert.doesNotMatch(text, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write/, path);
    assert.doesNotMatch(text, /\beval\(|new Function\(/, path);
    assert.doesNotMatch(text, /console\.log/, path);
    assert.doesNotMatch(text, /<script[^>]+src="https?:/, path);
    assert.doesNotMatch(text, /import[^'"]*['"]https?:/, path);
  }
});

test('the zips are complete archives with the manifest first', () => {
  for (const { zip, dir } of Object.values(results)) {
    const data = readFileSync(zip);
    const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    assert.ok(end > 0, 'end of central directory');
    assert.equal(data.readUInt16LE(end + 10), files(dir).length);
    assert.equal(data.toString('utf8', 30, 30 + 'manifest.json'.length), 'manifest.json');
  }
});
