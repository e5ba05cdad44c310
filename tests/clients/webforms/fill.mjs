// Headless ODK Web Forms: fills an XForm with @getodk/xforms-engine (the engine of ODK Web
// Forms) running in Node on jsdom, and writes the payload a browser client would POST.
//
//   node fill.mjs form.xml fill.json out-dir
//
// fill.json: {"answers": {"<question name>": "1" | ["1", "3"] | 42 | null, ...},
//             "edit": "previous-submission.xml" (optional)}
// With "edit", the engine opens the earlier submission in edit mode, as Web Forms does for
// Central's "edit submission": it gives the new version a fresh meta/instanceID and records the
// earlier one as meta/deprecatedID.
// out-dir receives one file per FormData entry of the engine's instance payload
// (xml_submission_file and any attachments) and payload.json listing them. Problems
// (constraint, required, an answer for a question never shown, unknown choice) are printed
// as JSON on stderr, exit status 1.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

// The engine expects a browser: give Node the DOM globals jsdom provides, as vitest's jsdom
// environment does, plus the CommonJS shims some of its dependencies look for.
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { url: 'http://localhost/' });
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (!(key in globalThis)) {
    try {
      globalThis[key] = dom.window[key];
    } catch {
      // read-only globals (e.g. performance in newer Node) stay Node's own
    }
  }
}
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.__dirname = dirname(fileURLToPath(import.meta.url));
globalThis.require = createRequire(import.meta.url);

const { createInstance, editInstance } = await import('@getodk/xforms-engine');

const [formPath, fillPath, outDir] = process.argv.slice(2);
if (!formPath || !fillPath || !outDir) {
  process.stderr.write('usage: node fill.mjs form.xml fill.json out-dir\n');
  process.exit(2);
}
const formXml = readFileSync(formPath, 'utf8');
const spec = JSON.parse(readFileSync(fillPath, 'utf8'));
const answers = spec.answers ?? {};
const errors = [];
const problem = (item, code, message) => errors.push({ item, code, message });

async function open() {
  if (!spec.edit) return createInstance(formXml);
  const data = new FormData();
  const previous = readFileSync(spec.edit);
  data.set('xml_submission_file', new File([previous], 'xml_submission_file', { type: 'text/xml' }));
  return editInstance(formXml, { inputType: 'FORM_INSTANCE_INPUT_RESOLVED', data: [data] });
}
const { root } = await open();

const nameOf = (node) => node.definition.nodeName ?? node.currentState.reference.split('/').pop();

function* walk(node) {
  for (const child of node.currentState.children ?? []) {
    yield child;
    if (child.nodeType === 'group' || child.nodeType === 'subtree') {
      yield* walk(child);
    }
  }
}

const used = new Set();
for (const node of walk(root)) {
  const name = nameOf(node);
  if (!(name in answers) || !node.currentState.relevant) continue;
  const value = answers[name];
  if (node.nodeType === 'select') {
    const codes = value === null ? [] : Array.isArray(value) ? value.map(String) : String(value).split(/\s+/);
    const known = new Set(node.currentState.valueOptions.map((o) => o.value));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) {
      problem(name, 'unknown_choice', `no choice ${unknown.join(', ')} in the list`);
      used.add(name);
      continue;
    }
    node.selectValues(codes);
  } else if (node.nodeType === 'input') {
    node.setValue(value === null ? '' : String(value));
  } else {
    continue;
  }
  used.add(name);
}
for (const name of Object.keys(answers)) {
  if (!used.has(name)) {
    problem(name, 'not_asked', 'the form never asked this question (unknown or not relevant)');
  }
}

const payload = await root.prepareInstancePayload({ payloadType: 'monolithic' });
if (payload.status !== 'ready') {
  for (const v of payload.violations ?? []) {
    const item = String(v.reference ?? v.fileName ?? '').split('/').pop();
    const condition = v.violation?.condition ?? 'invalid';
    problem(item, condition, v.violation?.message?.asString || `${condition} not satisfied`);
  }
}
if (errors.length) {
  process.stderr.write(JSON.stringify({ errors }) + '\n');
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const parts = [];
for (const [key, file] of payload.data[0].entries()) {
  const bytes = Buffer.from(await file.arrayBuffer());
  writeFileSync(join(outDir, file.name), bytes);
  parts.push({ field: key, file: file.name, type: file.type, size: bytes.length });
}
writeFileSync(join(outDir, 'payload.json'), JSON.stringify({ parts, submissionMeta: { method: payload.submissionMeta.submissionMethod, action: payload.submissionMeta.submissionAction?.href ?? null } }, null, 2));
