// The package a release would publish: copy the checkout's tracked files to a temporary folder,
// `npm pack` there (prepack builds dist/ from scratch), check the tarball's contents, install it
// into an empty project without network (its runtime dependencies come from the npm cache that
// `npm ci` filled, pinned by this repository's lockfile), then import it as ESM, require() it
// from CommonJS and type-check a consumer file with tsc.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = await mkdtemp(path.join(tmpdir(), 'switchyard-pack-'));
after(() => rm(work, { recursive: true, force: true }));

interface LockEntry { readonly version: string; readonly dependencies?: Record<string, string> }
interface PackageJson { readonly name: string; readonly version: string; readonly dependencies: Record<string, string>; readonly scripts?: Record<string, string> }

/** npm's stderr without its progress notices; what is left are warnings and errors. */
const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => /npm (warn|error)|ExperimentalWarning/i.test(l));

test('npm pack from a clean copy of the checkout, install offline into an empty project, import, require and type-check', { timeout: 600_000 }, async (t) => {
  // 1. a clean copy: tracked and new (not ignored) files only, so no dist/ or .cache/ leaks in
  const src = path.join(work, 'src-copy');
  const { stdout: listing } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 << 20 });
  for (const file of listing.split('\0').filter(Boolean)) {
    if (!existsSync(path.join(root, file))) continue; // deleted in the work tree
    await mkdir(path.dirname(path.join(src, file)), { recursive: true });
    await cp(path.join(root, file), path.join(src, file));
  }
  await symlink(path.join(root, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  assert.equal(existsSync(path.join(src, 'dist')), false);

  // 2. pack (prepack builds)
  const out = path.join(work, 'out');
  await mkdir(out);
  const pack = await run(npm, ['pack', '--json', '--pack-destination', out], { cwd: src, maxBuffer: 64 << 20 });
  assert.deepEqual(warnings(pack.stderr), [], 'npm pack printed warnings');
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  const files = info.files.map((f) => f.path).sort();
  t.diagnostic(`${info.filename}: ${files.length} files`);
  for (const required of ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts',
    'dist/embed/transformers-embedder.js', 'dist/embed/transformers-embedder.d.ts']) {
    assert.ok(files.includes(required), `tarball lacks ${required}`);
  }
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), [], 'source maps without their sources');
  assert.deepEqual(files.filter((f) => /^(src|test|bench|examples|\.cache)\//.test(f)), []);
  const manifest = JSON.parse(await readFile(path.join(src, 'package.json'), 'utf8')) as PackageJson;
  assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['eventemitter3', 'lru-cache', 'ml-matrix', 're2js']);
  // npm lists a packed `prepare` as an unapproved install script for tarball and git installs
  assert.equal(manifest.scripts?.['prepare'], undefined);

  // 3. an empty project whose lockfile pins the runtime dependencies to this repository's lockfile
  const app = path.join(work, 'app');
  await mkdir(app);
  const tarball = `file:../out/${info.filename}`;
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = {};
  const queue = Object.keys(manifest.dependencies);
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const entry = lock.packages[key];
    assert.ok(entry, `${name} is not in package-lock.json`);
    packages[key] = entry;
    queue.push(...Object.keys(entry.dependencies ?? {}));
  }
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { switchyard: tarball } }, null, 2));
  await writeFile(path.join(app, 'package-lock.json'), JSON.stringify({
    name: 'app', lockfileVersion: 3, requires: true,
    packages: {
      '': { name: 'app', dependencies: { switchyard: tarball } },
      'node_modules/switchyard': { version: manifest.version, resolved: tarball, dependencies: manifest.dependencies },
      ...packages,
    },
  }, null, 2));
  const install = await run(npm, ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app });
  assert.deepEqual(warnings(install.stderr), [], 'npm ci of the tarball printed warnings');

  // 4. ESM import, both entry points
  await writeFile(path.join(app, 'esm.js'), [
    "import { FastProjectRouter, isSwitchyardError } from 'switchyard';",
    "import { TransformersEmbedder } from 'switchyard/transformers';",
    "const router = await FastProjectRouter.create({ projects: [{ name: 'llamas', description: 'llama husbandry', keywords: ['llama'] }] });",
    "console.log(router.routeSync('auto', 'my llama is ill').modelPath, typeof isSwitchyardError, typeof TransformersEmbedder);",
  ].join('\n'));
  const esm = await run(process.execPath, ['esm.js'], { cwd: app });
  assert.equal(esm.stdout.trim(), 'default/llamas function function');

  // 5. require() from CommonJS (require(esm), Node 20.19+ / 22.12+: no top-level await in the package)
  await writeFile(path.join(app, 'cjs.cjs'), "const { HashEmbedder, ApiMap } = require('switchyard');\nconsole.log(new HashEmbedder().dim, typeof ApiMap);\n");
  const cjs = await run(process.execPath, ['cjs.cjs'], { cwd: app });
  assert.equal(cjs.stdout.trim(), '384 function');

  // 6. a consumer type-checks against the shipped declarations (strict, NodeNext)
  await writeFile(path.join(app, 'consumer.ts'), [
    "import { FastProjectRouter, type RouteResult, type SwitchyardErrorCode } from 'switchyard';",
    "import { TransformersEmbedder, type TransformersEmbedderOptions } from 'switchyard/transformers';",
    "const router: FastProjectRouter = await FastProjectRouter.create({ threshold: 0.3 });",
    "const r: RouteResult = router.routeSync('auto', 'hello');",
    "const code: SwitchyardErrorCode = 'ERR_INVALID_OPTION';",
    "const options: TransformersEmbedderOptions = { modelPath: '/models/x' };",
    "// @ts-expect-error the options are typed",
    "await FastProjectRouter.create({ threshold: 'high' });",
    "export const used = [r.method, code, options, TransformersEmbedder] as const;",
  ].join('\n'));
  await writeFile(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
      exactOptionalPropertyTypes: true, skipLibCheck: false, types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')],
    },
    files: ['consumer.ts'],
  }));
  const tsc = await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app })
    .catch((e: { stdout?: string }) => assert.fail(`tsc failed:\n${e.stdout}`));
  assert.equal(tsc.stdout.trim(), '');
});
