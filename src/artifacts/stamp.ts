/**
 * Stamps tie compiled artifacts (bmv2 JSON, P4Info) to the exact P4 sources they were
 * compiled from, so a test can tell when sources changed without a recompile.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** What a stamp file records. */
export interface ArtifactStamp {
  /** `p4c --version` output of the compiler that produced the artifacts. */
  compiler: string;
  /** sha256 over the sources, see {@link hashSources}. */
  sourceHash: string;
  /** The source files covered, relative to the source root, sorted. */
  sources: string[];
  /** Artifact files written, relative to the stamp's directory. */
  artifacts: string[];
}

/** Every regular file below `root`, as sorted POSIX-style relative paths. */
export function listSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * sha256 over the named files: for each, its relative path, a NUL, its bytes, a NUL.
 * Paths are part of the hash so that renaming a file changes it too.
 */
export function hashSources(root: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function readStamp(path: string): ArtifactStamp {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as ArtifactStamp).sourceHash !== 'string' ||
    !Array.isArray((parsed as ArtifactStamp).sources)
  ) {
    throw new Error(`${path}: not an artifact stamp (needs sourceHash and sources)`);
  }
  return parsed as ArtifactStamp;
}

export function writeStamp(path: string, stamp: ArtifactStamp): void {
  writeFileSync(path, `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Result of comparing a stamp with the sources on disk. */
export interface StampCheck {
  upToDate: boolean;
  expectedHash: string;
  actualHash: string;
  added: string[];
  removed: string[];
}

export function checkStamp(
  stamp: ArtifactStamp,
  sourceRoot: string,
  files = listSourceFiles(sourceRoot),
): StampCheck {
  const actualHash = hashSources(sourceRoot, files);
  return {
    upToDate: actualHash === stamp.sourceHash,
    expectedHash: stamp.sourceHash,
    actualHash,
    added: files.filter((f) => !stamp.sources.includes(f)),
    removed: stamp.sources.filter((f) => !files.includes(f)),
  };
}
