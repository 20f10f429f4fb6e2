import * as fs from 'fs';
import * as path from 'path';
import { readBoundedText } from './bounded-file';

/** Nested assemblies deeper than this are refused (a Stage in a Stage in a Stage ... is legal, but not unbounded). */
const MAX_ASSEMBLY_DEPTH = 16;
/**
 * The largest manifest or template read, in bytes. CloudFormation takes templates of at most 1 MB (from S3,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html); 10 MiB leaves room for
 * what a synthesized app can hold before it is deployed.
 */
const MAX_ASSEMBLY_FILE_BYTES = 10 * 1024 * 1024;

/** A stack of a cloud assembly: its template and, when the stack has one, its environment. */
export interface RawStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly template: any;
  readonly account?: string;
  readonly region?: string;
  readonly paths?: Map<string, string>;
  /**
   * Logical ID → construct path from the manifest's `aws:cdk:logicalId` metadata (present even without path
   * metadata in the templates): used to find a resource by construct path (deploy-time value bindings).
   */
  readonly constructPaths?: Map<string, string>;
}

/** Logical ID → construct path, from a stack artifact's metadata (`/Stack/Bucket/Resource`: aws:cdk:logicalId). */
function constructPathsOf(metadata: any): Map<string, string> {
  const out = new Map<string, string>();
  if (metadata === null || typeof metadata !== 'object') {
    return out;
  }
  for (const [p, entries] of Object.entries<any>(metadata)) {
    if (!Array.isArray(entries)) {
      continue;
    }
    for (const entry of entries) {
      if (entry?.type === 'aws:cdk:logicalId' && typeof entry.data === 'string' && !out.has(entry.data)) {
        let trimmed = p.replace(/^\//, '');
        while (trimmed.endsWith('/Resource')) {
          trimmed = trimmed.slice(0, -'/Resource'.length);
        }
        out.set(entry.data, trimmed);
      }
    }
  }
  return out;
}

/** A JSON file of the assembly rooted at `root`: bounded, inside it, and reported without its content. */
function readJson(file: string, what: string, root: string): any {
  const text = readBoundedText(file, MAX_ASSEMBLY_FILE_BYTES, what, root);
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8's message can quote the text around the error; only where it is, is said.
    const at = /at position (\d+)/.exec((e as Error).message);
    throw new Error(`${what} ${file} is not valid JSON${at ? ` (at position ${at[1]})` : ''}`);
  }
}

/** Reads the stacks of a cloud assembly and of its nested assemblies (`Stage`s). */
function readAssembly(directory: string, root: string, stacks: RawStack[], agnostic: string[], depth: number): void {
  if (depth > MAX_ASSEMBLY_DEPTH) {
    throw new Error(`${directory}: nested cloud assemblies go deeper than ${MAX_ASSEMBLY_DEPTH} levels`);
  }
  const manifestPath = path.join(directory, 'manifest.json');
  const manifest = readJson(manifestPath, 'the cloud assembly manifest', root);
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest) || (manifest.artifacts !== undefined && (manifest.artifacts === null || typeof manifest.artifacts !== 'object'))) {
    throw new Error(`the cloud assembly manifest ${manifestPath} is malformed: expected an object with "artifacts"`);
  }
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact?.type === 'cdk:cloud-assembly') {
      const dir = artifact.properties?.directoryName;
      if (typeof dir !== 'string' || dir.includes('..') || path.isAbsolute(dir)) {
        throw new Error(`the cloud assembly manifest ${manifestPath} is malformed: nested assembly ${id} has no valid directoryName`);
      }
      readAssembly(path.join(directory, dir), root, stacks, agnostic, depth + 1);
      continue;
    }
    if (artifact?.type !== 'aws:cloudformation:stack') {
      continue;
    }
    const templateFile = artifact.properties?.templateFile ?? `${id}.template.json`;
    if (typeof templateFile !== 'string' || templateFile.includes('..') || path.isAbsolute(templateFile)) {
      throw new Error(`the cloud assembly manifest ${manifestPath} is malformed: stack ${id} has no valid templateFile`);
    }
    const template = readJson(path.join(directory, templateFile), `the template of stack ${artifact.displayName ?? id}`, root);
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
    // Newer CDK versions write the metadata to a file of its own (`additionalMetadataFile`).
    const metadataFile = artifact.additionalMetadataFile;
    const metadata = typeof metadataFile === 'string' && !metadataFile.includes('..') && !path.isAbsolute(metadataFile)
      && fs.existsSync(path.join(directory, metadataFile))
      ? readJson(path.join(directory, metadataFile), `the metadata of stack ${stackId}`, root)
      : artifact.metadata;
    const stackName = artifact.properties?.stackName ?? stackId;
    stacks.push({ stackName, stackId, template, account, region, constructPaths: constructPathsOf(metadata) });
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
  readAssembly(directory, directory, stacks, agnostic, 0);
  return { stacks, agnostic };
}
