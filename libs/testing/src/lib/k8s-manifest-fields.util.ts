import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT, type K8sObject } from './k8s-manifests.util';

// Kept apart from k8s-manifests.util.ts (which @tally/testing exports) so that only the
// test that needs the TypeScript compiler loads it.

/** The kubernetes-models module of each API group/version the manifests use. */
const MODEL_MODULES: Readonly<Record<string, string>> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'policy/v1': 'kubernetes-models/policy/v1',
};

/**
 * The JSON schemas accept fields they do not know (the API server drops them, or refuses
 * them under strict field validation), so a misspelt `initialDelaySecond` would pass
 * them silently. The models' TypeScript types do list every field: each object is
 * type-checked as an object literal of its kind, where an unknown field is an error.
 * Returns one message per problem, naming the object.
 */
export function unknownFieldProblems(
  objects: readonly { readonly label: string; readonly object: K8sObject }[],
): string[] {
  const problems: string[] = [];
  const lines = objects.map(({ label, object }, i) => {
    const module = MODEL_MODULES[object.apiVersion];
    if (!module) problems.push(`${label}: no model for apiVersion ${object.apiVersion}`);
    return module ? `export const m${i}: import('${module}').I${object.kind} = ${JSON.stringify(object)};` : '';
  });
  const fileName = join(REPO_ROOT, 'libs', 'testing', 'k8s-manifests.typecheck.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const source = ts.createSourceFile(fileName, lines.join('\n'), ts.ScriptTarget.ES2022, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, ...rest) => (name === fileName ? source : getSourceFile(name, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
    const line = d.start === undefined ? -1 : source.getLineAndCharacterOfPosition(d.start).line;
    problems.push(`${objects[line]?.label ?? '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return problems;
}
