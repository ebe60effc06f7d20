#!/usr/bin/env node
// Part of `npm run api-client`: documents every route's success answer in the OpenAPI document (ADR 0021).
// For each controller it reads the handlers' return types with the TypeScript checker (after a build, so
// other libs resolve to their .d.ts), turns them into JSON Schemas (OpenAPI 3.0: `nullable`, Date as a
// date-time string, string-literal unions as enums) and writes `<name>.responses.ts` beside the
// controller: a class decorator that libs/common's `documentResponses` applies. It also adds that
// decorator to a controller that lacks it. Routes answering files declare `@ApiFileResponse(...types)`.
// It also marks the routes that can answer 409: those whose handler reaches (through the calls it makes,
// followed in the library sources) an error code whose status is 409 — `conflicts: true`, so that the
// document declares a conflict only where one can happen.
// test/medium/api-client.test.ts fails when a generated file differs from what this tool writes.
import ts from 'typescript';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const root = resolve(import.meta.dirname, '..');
function walk(dir, out = []) {
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n === 'dist') continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.controller.ts')) out.push(p);
  }
  return out;
}
const files = [...walk(resolve(root, 'libs')), ...walk(resolve(root, 'apps'))].filter((f) => !f.includes('/console/'));
/** Every library source file (not specs): where the conflicts analysis follows a handler's calls. */
function libSources(dir = resolve(root, 'libs'), out = []) {
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n === 'dist') continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) libSources(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.spec.ts') && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
let program;
let checker;
/** The program of every controller and library source, read after a build (other libs resolve to their .d.ts). */
function load() {
  const base = ts.readConfigFile(resolve(root, 'tsconfig.base.json'), ts.sys.readFile).config.compilerOptions;
  const { options } = ts.convertCompilerOptionsFromJson(
    { ...base, composite: false, declaration: false, declarationMap: false, noEmit: true },
    root,
  );
  program = ts.createProgram([...new Set([...files, ...libSources()])], options);
  checker = program.getTypeChecker();
}

// ---- Which routes can answer 409 (a conflict with the current state) ----
// Every domain error is a member of a string-code enum mapped to its status in an exhaustive table
// (`[XErrorCode.Member]: { status: 409, … }`). A route can conflict when its handler — or anything it
// calls, followed through the library sources — names a code whose status is 409.

/** `XErrorCode.Member` → HTTP status, from the error tables of every library. */
function errorStatuses() {
  const out = new Map();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !sf.fileName.includes('/libs/')) continue;
    const visit = (node) => {
      if (
        ts.isPropertyAssignment(node) &&
        ts.isComputedPropertyName(node.name) &&
        ts.isPropertyAccessExpression(node.name.expression) &&
        ts.isObjectLiteralExpression(node.initializer)
      ) {
        const status = node.initializer.properties.find(
          (p) => ts.isPropertyAssignment(p) && p.name.getText() === 'status' && ts.isNumericLiteral(p.initializer),
        );
        if (status) out.set(node.name.expression.getText(), Number(status.initializer.text));
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** The source declaration behind a declaration in a built lib's .d.ts (libs/x/dist/a/b.d.ts → libs/x/src/a/b.ts). */
function sourceDeclaration(decl) {
  const file = decl.getSourceFile().fileName;
  const m = /^(.*\/libs\/[^/]+)\/dist\/(.*)\.d\.ts$/.exec(file);
  if (!m) return decl;
  const sf = program.getSourceFile(`${m[1]}/src/${m[2]}.ts`);
  if (!sf) return decl;
  const member = decl.name?.getText();
  const owner = ts.isClassDeclaration(decl.parent) ? decl.parent.name?.getText() : undefined;
  let found = decl;
  const visit = (node) => {
    if (found !== decl) return;
    if (owner && ts.isClassDeclaration(node) && node.name?.getText() === owner) {
      const mm = node.members.find((x) => x.name?.getText() === member && (x.body || x.initializer));
      if (mm) found = mm;
      return;
    }
    if (!owner && (ts.isFunctionDeclaration(node) || ts.isVariableDeclaration(node)) && node.name?.getText() === member)
      found = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Whether a function-like declaration, or anything it calls, names an error code of that status. */
function makeReaches(statuses) {
  const memo = new Map();
  const reaches = (decl, status) => {
    const key = decl;
    if (memo.has(key)) return memo.get(key);
    memo.set(key, false); // a cycle adds nothing
    let found = false;
    const visit = (node) => {
      if (found) return;
      if (ts.isPropertyAccessExpression(node) && /ErrorCode$/.test(node.expression.getText())) {
        if (statuses.get(node.getText()) === status) found = true;
        return;
      }
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        let sym = checker.getSymbolAtLocation(
          ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression,
        );
        if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
        for (const d of sym?.declarations ?? []) {
          const src = sourceDeclaration(d);
          const fn = ts.isVariableDeclaration(src) ? src.initializer : src;
          if (
            fn &&
            (fn.body || ts.isArrowFunction(fn)) &&
            !fn.getSourceFile().isDeclarationFile &&
            reaches(fn, status)
          ) {
            found = true;
            return;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    if (decl.body) visit(decl.body);
    memo.set(key, found);
    return found;
  };
  return reaches;
}
const HTTP = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete']);
/** The name of the TypeScript type an object schema was made from (a symbol key: never written out). */
const NAME = Symbol('type name');
const UTILITY = new Set(['Omit', 'Pick', 'Partial', 'Required', 'Readonly', 'Record', 'Awaited', 'NonNullable']);
/** A component name for a named object type (`Page<TeacherSummary>` → `Page_TeacherSummary`); none if anonymous. */
function typeName(t) {
  const sym = t.aliasSymbol ?? t.getSymbol();
  const n = sym?.getName();
  if (!n || n.startsWith('__') || UTILITY.has(n)) return undefined;
  const text = checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  if (/[{}"'()]/.test(text)) return n === text ? n : undefined;
  return text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}
const decoName = (d) => {
  const e = d.expression;
  return ts.isCallExpression(e) ? e.expression.getText() : e.getText();
};

function toSchema(t, depth, binary) {
  if (depth > 14) return {};
  const f = t.flags;
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
  if (f & ts.TypeFlags.Never) return { not: {} };
  if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
  if (t.isUnion()) {
    let parts = t.types;
    const nullable = parts.some((p) => p.flags & ts.TypeFlags.Null);
    parts = parts.filter((p) => !(p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const sf = parts.filter((p) => p.getSymbol()?.getName() === 'StreamableFile');
    if (sf.length) {
      binary.push(true);
      parts = parts.filter((p) => !sf.includes(p));
    }
    let s;
    const boolLits = parts.filter((p) => p.flags & ts.TypeFlags.BooleanLiteral);
    if (boolLits.length === 2)
      parts = [...parts.filter((p) => !(p.flags & ts.TypeFlags.BooleanLiteral)), checker.getBooleanType()];
    if (parts.length && parts.every((p) => p.isStringLiteral()))
      s = { type: 'string', enum: parts.map((p) => p.value) };
    else if (parts.length && parts.every((p) => p.isNumberLiteral()))
      s = { type: 'number', enum: parts.map((p) => p.value) };
    else if (parts.length === 1) s = toSchema(parts[0], depth + 1, binary);
    else if (parts.length === 0) s = {};
    else s = { anyOf: parts.map((p) => toSchema(p, depth + 1, binary)) };
    if (nullable && s.anyOf) s = { ...s, nullable: true };
    else if (nullable && !s.type && Object.keys(s).length === 0) s = {};
    else if (nullable && !s.type) s = { anyOf: [s], nullable: true };
    else if (nullable) s = { ...s, nullable: true, ...(s.enum ? { enum: [...s.enum, null] } : {}) };
    return s;
  }
  if (f & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [t.value] };
  if (f & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [t.value] };
  if (f & ts.TypeFlags.BooleanLiteral) return { type: 'boolean', enum: [t.intrinsicName === 'true'] };
  if (f & ts.TypeFlags.StringLike) return { type: 'string' };
  if (f & ts.TypeFlags.NumberLike) return { type: 'number' };
  if (f & ts.TypeFlags.BooleanLike) return { type: 'boolean' };
  if (f & ts.TypeFlags.Null) return { type: 'null' };
  if (f & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return null;
  const name = t.getSymbol()?.getName();
  if (name === 'Date') return { type: 'string', format: 'date-time' };
  if (name === 'StreamableFile') {
    binary.push(true);
    return null;
  }
  if (checker.isArrayType(t) || checker.isTupleType(t)) {
    const args = checker.getTypeArguments(t);
    if (checker.isTupleType(t))
      return {
        type: 'array',
        items: args.length
          ? args.length === 1
            ? toSchema(args[0], depth + 1, binary)
            : { anyOf: args.map((a) => toSchema(a, depth + 1, binary)) }
          : {},
        minItems: args.length,
        maxItems: args.length,
      };
    return { type: 'array', items: toSchema(args[0], depth + 1, binary) ?? {} };
  }
  if (f & ts.TypeFlags.Object || t.isIntersection()) {
    const props = checker.getPropertiesOfType(t);
    const out = { type: 'object', properties: {}, required: [] };
    for (const p of props) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const pt = checker.getTypeOfSymbol(p);
      if (pt.getCallSignatures().length && !(pt.flags & ts.TypeFlags.Union)) continue;
      const s = toSchema(pt, depth + 1, binary);
      if (s === null) continue;
      out.properties[p.getName()] = s;
      const optional =
        p.flags & ts.SymbolFlags.Optional || (pt.isUnion() && pt.types.some((x) => x.flags & ts.TypeFlags.Undefined));
      if (!optional) out.required.push(p.getName());
    }
    const idx = checker.getIndexInfosOfType(t);
    // Closed unless the type has an index signature: a member answered but not in the type fails the test.
    out.additionalProperties = idx.length ? (toSchema(idx[0].type, depth + 1, binary) ?? {}) : false;
    if (!props.length && !idx.length) return {};
    if (!out.required.length) delete out.required;
    if (!Object.keys(out.properties).length) delete out.properties;
    const name = typeName(t);
    if (name) out[NAME] = name;
    return out;
  }
  return {};
}

/** The success status Nest answers with: `@HttpCode(n)`, else 201 for POST and 200 otherwise. */
function statusOf(method, decos) {
  const code = decos.find((d) => decoName(d) === 'HttpCode');
  if (code) {
    const arg = code.expression.arguments[0];
    if (ts.isNumericLiteral(arg)) return Number(arg.text);
    const v = checker.getConstantValue(arg);
    if (typeof v === 'number') return v;
    throw new Error(`${method}: @HttpCode with a value this tool cannot read`);
  }
  return decos.some((d) => decoName(d) === 'Post') ? 201 : 200;
}

/** Every subschema of a schema, depth first (children before their parent). */
function* nodes(s) {
  if (Array.isArray(s)) for (const x of s) yield* nodes(x);
  else if (s && typeof s === 'object') {
    for (const v of Object.values(s)) yield* nodes(v);
    yield s;
  }
}
const withoutNullable = (s) => {
  const { nullable: _n, ...rest } = s;
  return rest;
};

/**
 * Named components for the named types (interfaces, aliases, classes; in any route of either node):
 * each such schema becomes `{ $ref: '#/components/schemas/<Name>' }` (nullable: `anyOf` of the
 * reference), and its definition goes to libs/common's generated `RESPONSE_COMPONENTS`, which libs/server
 * adds to each node's document for the references it holds. A name shared by two different types gets a
 * suffix. An anonymous object schema identical to a component (a type spelled out again inline) is
 * replaced by the reference too ({@link dedupe}).
 */
function extractComponents(schemas) {
  const variants = new Map();
  const key = (s) => JSON.stringify(withoutNullable(s));
  for (const root of schemas)
    for (const n of nodes(root)) {
      if (!n[NAME]) continue;
      const k = key(n);
      if (!variants.has(n[NAME])) variants.set(n[NAME], []);
      const list = variants.get(n[NAME]);
      if (!list.includes(k)) list.push(k);
    }
  const components = {};
  const replace = (s) => {
    if (Array.isArray(s)) return s.map(replace);
    if (!s || typeof s !== 'object') return s;
    const out = {};
    for (const [k, v] of Object.entries(s)) out[k] = replace(v);
    if (!s[NAME]) return out;
    const i = variants.get(s[NAME]).indexOf(key(s));
    const name = i === 0 ? s[NAME] : `${s[NAME]}${i + 1}`;
    components[name] = withoutNullable(out);
    const ref = { $ref: `#/components/schemas/${name}` };
    return s.nullable ? { anyOf: [ref], nullable: true } : ref;
  };
  return { replace, components };
}

/** Replaces every anonymous object schema equal to a component's body by a reference to that component. */
function dedupe(components) {
  const byBody = new Map(Object.entries(components).map(([name, body]) => [JSON.stringify(body), name]));
  const walk = (s, own) => {
    if (Array.isArray(s)) return s.map((x) => walk(x));
    if (!s || typeof s !== 'object') return s;
    const out = {};
    for (const [k, v] of Object.entries(s)) out[k] = walk(v);
    if (out.type !== 'object' || own) return out;
    const name = byBody.get(JSON.stringify(withoutNullable(out)));
    if (!name) return out;
    const ref = { $ref: `#/components/schemas/${name}` };
    return out.nullable ? { anyOf: [ref], nullable: true } : ref;
  };
  return (schema, own = false) => walk(schema, own);
}

export const componentsFile = resolve(root, 'libs/common/src/response-components.ts');

const exportName = (cls) => `${cls}Responses`;
const responsesFile = (controllerFile) => controllerFile.replace(/\.controller\.ts$/, '.responses.ts');

/** Per controller file: the generated responses file's text, and the problems found. */
export async function generate() {
  load();
  const out = new Map();
  const problems = [];
  const found = [];
  const reaches = makeReaches(errorStatuses());
  for (const sf of program.getSourceFiles()) {
    const file = resolve(sf.fileName);
    if (!files.includes(file)) continue;
    const classes = [];
    ts.forEachChild(sf, (node) => {
      if (!ts.isClassDeclaration(node) || !ts.getDecorators(node)?.some((d) => decoName(d) === 'Controller')) return;
      const routes = {};
      for (const m of node.members) {
        if (!ts.isMethodDeclaration(m)) continue;
        const decos = ts.getDecorators(m) ?? [];
        if (!decos.some((d) => HTTP.has(decoName(d)))) continue;
        const key = `${node.name.text}.${m.name.getText()}`;
        const rt = checker.getAwaitedType(checker.getReturnTypeOfSignature(checker.getSignatureFromDeclaration(m)));
        const binary = [];
        const schema = toSchema(rt, 0, binary);
        const usesRes = m.parameters.some((p) =>
          (ts.getDecorators(p) ?? []).some((d) => decoName(d) === 'Res' && !d.getText().includes('passthrough')),
        );
        const files = decos.some((d) => decoName(d) === 'ApiFileResponse');
        const manual = decos.some((d) => /^Api(Ok|Created|Accepted|NoContent)?Response$/.test(decoName(d)));
        if ((binary.length || usesRes) && !files && !manual)
          problems.push(`${key} answers a file or writes the response itself: declare @ApiFileResponse(...types)`);
        routes[m.name.getText()] = {
          status: statusOf(key, decos),
          ...(schema ? { schema } : {}),
          ...(reaches(m, 409) ? { conflicts: true } : {}),
        };
      }
      classes.push({ name: node.name.text, routes });
    });
    found.push({ file, classes });
  }
  const { replace, components } = extractComponents(
    found.flatMap((x) => x.classes.flatMap((c) => Object.values(c.routes).map((r) => r.schema))),
  );
  for (const { classes } of found)
    for (const c of classes) for (const r of Object.values(c.routes)) if (r.schema) r.schema = replace(r.schema);
  const deduped = dedupe(components);
  for (const name of Object.keys(components)) components[name] = deduped(components[name], true);
  for (const { file, classes } of found) {
    for (const c of classes) for (const r of Object.values(c.routes)) if (r.schema) r.schema = deduped(r.schema);
    let text =
      `// Generated by \`npm run api-client\` (tools/openapi-responses.mjs) from the return types of the handlers in\n` +
      `// ${basename(file)}: the success answers in the OpenAPI document (ADR 0021). Do not edit.\n` +
      `import { documentResponses } from '@tmis/common';\n\n`;
    for (const c of classes)
      text += `export const ${exportName(c.name)} = documentResponses(${JSON.stringify(c.routes)});\n\n`;
    const target = responsesFile(file);
    const config = (await prettier.resolveConfig(target)) ?? {};
    out.set(target, { text: await prettier.format(text, { ...config, filepath: target }), controller: file, classes });
  }
  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  const text =
    `// Generated by \`npm run api-client\` (tools/openapi-responses.mjs): the named response schemas (every\n` +
    `// named type a route answers, or that nests in one), referenced as #/components/schemas/<Name>. Do not edit.\n` +
    `import type { ResponseSchema } from './openapi.js';\n\n` +
    `export const RESPONSE_COMPONENTS: Record<string, ResponseSchema> = ${JSON.stringify(sorted)};\n`;
  const config = (await prettier.resolveConfig(componentsFile)) ?? {};
  out.set(componentsFile, { text: await prettier.format(text, { ...config, filepath: componentsFile }), classes: [] });
  return { out, problems };
}

/** Adds the import and the class decorator of the generated file to a controller that lacks them. */
function wire(controllerFile, classes) {
  let src = readFileSync(controllerFile, 'utf8');
  const mod = './' + basename(responsesFile(controllerFile)).replace(/\.ts$/, '.js');
  const names = classes.map((c) => exportName(c.name));
  if (!src.includes(mod)) {
    const lastImport = [...src.matchAll(/^import [^;]+;$/gms)].pop();
    const at = lastImport ? lastImport.index + lastImport[0].length : 0;
    src = src.slice(0, at) + `\nimport { ${names.join(', ')} } from '${mod}';` + src.slice(at);
  } else {
    // A controller class added to a file that already imports its generated responses: extend the import.
    src = src.replace(new RegExp(`import \\{([^}]*)\\} from '${mod.replace(/\./g, '\\.')}';`), (all, list) => {
      const have = list
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const missing = names.filter((n) => !have.includes(n));
      return missing.length ? `import { ${[...have, ...missing].join(', ')} } from '${mod}';` : all;
    });
  }
  for (const c of classes) {
    if (src.includes(`@${exportName(c.name)}\n`)) continue;
    const re = new RegExp(`((?:^@[^\\n]+\\n)*)(export class ${c.name}\\b)`, 'm');
    src = src.replace(re, (_all, decos, cls) => `${decos}@${exportName(c.name)}\n${cls}`);
  }
  writeFileSync(controllerFile, src);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { out, problems } = await generate();
  for (const [target, g] of out) {
    writeFileSync(target, g.text);
    if (g.controller) wire(g.controller, g.classes);
  }
  const count = [...out.values()].reduce(
    (n, g) => n + g.classes.reduce((k, c) => k + Object.keys(c.routes).length, 0),
    0,
  );
  console.log(`${count} routes in ${out.size} controller files`);
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}
