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

// Modes (one node process per form in the tests):
//   node fill.mjs form.xml fill.json out-dir            one fill (described above)
//   node fill.mjs --batch form.xml fills.json out-dir   {"fills": [spec, ...]}: fill k writes
//     out-dir/k/ as above, and out-dir/results.json lists [{"errors": [...]}, ...]
//   node fill.mjs --probe form.xml probe.json           {"base": {answers}, "probes": [{"item",
//     "value"}, ...]}: fill the base answers, then answer one question per probe as an
//     enumerator would (putting the base answer back after) and print {"base_errors",
//     "results": [{"status": accepted | constraint | required | unrepresentable | not_asked,
//     "text": the instance value}]}
const args = process.argv.slice(2);
const mode = args[0] === '--batch' || args[0] === '--probe' ? args.shift() : '--one';
const [formPath, fillPath, outDir] = args;
if (!formPath || !fillPath || (mode !== '--probe' && !outDir)) {
  process.stderr.write('usage: node fill.mjs [--batch|--probe] form.xml fill.json [out-dir]\n');
  process.exit(2);
}
const formXml = readFileSync(formPath, 'utf8');

const nameOf = (node) => node.definition.nodeName ?? node.currentState.reference.split('/').pop();

function* walk(node) {
  for (const child of node.currentState.children ?? []) {
    yield child;
    if (child.nodeType === 'group' || child.nodeType === 'subtree') {
      yield* walk(child);
    }
  }
}

async function open(spec) {
  if (!spec.edit) return createInstance(formXml);
  const data = new FormData();
  const previous = readFileSync(spec.edit);
  data.set('xml_submission_file', new File([previous], 'xml_submission_file', { type: 'text/xml' }));
  return editInstance(formXml, { inputType: 'FORM_INSTANCE_INPUT_RESOLVED', data: [data] });
}

// Set one answer on a node; a problem is returned as [code, message], or null.
function answer(node, value) {
  if (node.nodeType === 'select') {
    const codes = value === null ? [] : Array.isArray(value) ? value.map(String) : String(value).split(/\s+/);
    const known = new Set(node.currentState.valueOptions.map((o) => o.value));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) return ['unknown_choice', `no choice ${unknown.join(', ')} in the list`];
    node.selectValues(codes);
    return null;
  }
  node.setValue(value === null ? '' : String(value));
  return null;
}

async function fillOne(spec) {
  const answers = spec.answers ?? {};
  const errors = [];
  const problem = (item, code, message) => errors.push({ item, code, message });
  const { root } = await open(spec);
  const used = new Set();
  for (const node of walk(root)) {
    const name = nameOf(node);
    if (!(name in answers) || !node.currentState.relevant) continue;
    if (node.nodeType !== 'select' && node.nodeType !== 'input') continue;
    used.add(name);
    try {
      const bad = answer(node, answers[name]);
      if (bad) problem(name, ...bad);
    } catch (e) {
      problem(name, 'unrepresentable', String(e));
    }
  }
  for (const name of Object.keys(answers)) {
    if (!used.has(name)) {
      problem(name, 'not_asked', 'the form never asked this question (unknown or not relevant)');
    }
  }
  return { root, errors };
}

async function payloadOf(root, errors) {
  const payload = await root.prepareInstancePayload({ payloadType: 'monolithic' });
  if (payload.status !== 'ready') {
    for (const v of payload.violations ?? []) {
      const item = String(v.reference ?? v.fileName ?? '').split('/').pop();
      const condition = v.violation?.condition ?? 'invalid';
      errors.push({ item, code: condition, message: v.violation?.message?.asString || `${condition} not satisfied` });
    }
  }
  return payload;
}

async function write(payload, dir) {
  mkdirSync(dir, { recursive: true });
  const parts = [];
  for (const [key, file] of payload.data[0].entries()) {
    const bytes = Buffer.from(await file.arrayBuffer());
    writeFileSync(join(dir, file.name), bytes);
    parts.push({ field: key, file: file.name, type: file.type, size: bytes.length });
  }
  writeFileSync(join(dir, 'payload.json'), JSON.stringify({ parts, submissionMeta: { method: payload.submissionMeta.submissionMethod, action: payload.submissionMeta.submissionAction?.href ?? null } }, null, 2));
}

const spec = JSON.parse(readFileSync(fillPath, 'utf8'));
if (mode === '--one') {
  const { root, errors } = await fillOne(spec);
  const payload = await payloadOf(root, errors);
  if (errors.length) {
    process.stderr.write(JSON.stringify({ errors }) + '\n');
    process.exit(1);
  }
  await write(payload, outDir);
} else if (mode === '--batch') {
  const results = [];
  for (const [k, one] of (spec.fills ?? []).entries()) {
    const { root, errors } = await fillOne(one);
    const payload = await payloadOf(root, errors);
    if (!errors.length) await write(payload, join(outDir, String(k)));
    results.push({ errors });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results));
} else {
  const { root, errors } = await fillOne({ answers: spec.base ?? {} });
  const nodes = new Map();
  for (const node of walk(root)) nodes.set(nameOf(node), node);
  const results = [];
  for (const p of spec.probes ?? []) {
    const node = nodes.get(p.item);
    if (!node || !node.currentState.relevant || (node.nodeType !== 'select' && node.nodeType !== 'input')) {
      results.push({ status: 'not_asked' });
      continue;
    }
    const before = node.nodeType === 'select' ? [...node.currentState.value].map((o) => o.value ?? o) : node.currentState.instanceValue;
    let out;
    try {
      const bad = answer(node, p.value);
      if (bad) {
        out = { status: 'unrepresentable', message: bad[1] };
      } else {
        const violation = node.validationState.violation;
        out = violation
          ? { status: violation.condition }
          : { status: 'accepted', text: node.currentState.instanceValue };
      }
    } catch (e) {
      out = { status: 'unrepresentable', message: String(e) };
    }
    try {
      answer(node, before);
    } catch (e) {
      out.restore_failed = String(e);
    }
    results.push(out);
  }
  process.stdout.write(JSON.stringify({ base_errors: errors, results }));
}
