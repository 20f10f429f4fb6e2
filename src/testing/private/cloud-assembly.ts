import * as fs from 'fs';
import * as path from 'path';

/** Nested assemblies deeper than this are refused (a Stage in a Stage in a Stage ... is legal, but not unbounded). */
const MAX_ASSEMBLY_DEPTH = 16;

/** A stack of a cloud assembly: its template and, when the stack has one, its environment. */
export interface RawStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly template: any;
  readonly account?: string;
  readonly region?: string;
  readonly paths?: Map<string, string>;
}

function readJson(file: string, what: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads the stacks of a cloud assembly and of its nested assemblies (`Stage`s). */
function readAssembly(directory: string, stacks: RawStack[], agnostic: string[], depth: number): void {
  if (depth > MAX_ASSEMBLY_DEPTH) {
    throw new Error(`${directory}: nested cloud assemblies go deeper than ${MAX_ASSEMBLY_DEPTH} levels`);
  }
  const manifestPath = path.join(directory, 'manifest.json');
  const manifest = readJson(manifestPath, 'the cloud assembly manifest');
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest) || (manifest.artifacts !== undefined && (manifest.artifacts === null || typeof manifest.artifacts !== 'object'))) {
    throw new Error(`the cloud assembly manifest ${manifestPath} is malformed: expected an object with "artifacts"`);
  }
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact?.type === 'cdk:cloud-assembly') {
      const dir = artifact.properties?.directoryName;
      if (typeof dir !== 'string' || dir.includes('..') || path.isAbsolute(dir)) {
        throw new Error(`the cloud assembly manifest ${manifestPath} is malformed: nested assembly ${id} has no valid directoryName`);
      }
      readAssembly(path.join(directory, dir), stacks, agnostic, depth + 1);
      continue;
    }
    if (artifact?.type !== 'aws:cloudformation:stack') {
      continue;
    }
    const templateFile = artifact.properties?.templateFile ?? `${id}.template.json`;
    if (typeof templateFile !== 'string' || templateFile.includes('..') || path.isAbsolute(templateFile)) {
      throw new Error(`the cloud assembly manifest ${manifestPath} is malformed: stack ${id} has no valid templateFile`);
    }
    const template = readJson(path.join(directory, templateFile), `the template of stack ${artifact.displayName ?? id}`);
    if (template === null || typeof template !== 'object' || Array.isArray(template)) {
      throw new Error(`the template of stack ${artifact.displayName ?? id} (${path.join(directory, templateFile)}) is not a JSON object`);
    }
    const m = /^aws:\/\/([^/]+)\/(.+)$/.exec(typeof artifact.environment === 'string' ? artifact.environment : '');
    const account = m && m[1] !== 'unknown-account' ? m[1] : undefined;
    const region = m && m[2] !== 'unknown-region' ? m[2] : undefined;
    const stackId = typeof artifact.displayName === 'string' ? artifact.displayName : id;
    if (account === undefined || region === undefined) {
      agnostic.push(stackId);
    }
    stacks.push({ stackName: artifact.properties?.stackName ?? stackId, stackId, template, account, region });
  }
}


/**
 * Every stack of a cloud assembly (a `cdk.out` directory), nested assemblies of `Stage`s included, and the ids of the
 * environment-agnostic ones.
 *
 * @throws Error if the directory is not a cloud assembly, or a manifest or template cannot be read
 */
export function readCloudAssembly(directory: string): { stacks: RawStack[]; agnostic: string[] } {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new Error(`${directory} is not a directory: expected a cloud assembly (cdk.out)`);
  }
  if (!fs.existsSync(path.join(directory, 'manifest.json'))) {
    throw new Error(`${directory} is not a cloud assembly: it has no manifest.json (run "cdk synth" first)`);
  }
  const stacks: RawStack[] = [];
  const agnostic: string[] = [];
  readAssembly(directory, stacks, agnostic, 0);
  return { stacks, agnostic };
}
