// Validate a diagram written by `docgate graph` with the real parsers:
//   node scripts/diagrams/validate.mjs mermaid|dot < diagram
// Mermaid: mermaid.parse() (the parser GitHub's renderer runs), in a jsdom
// window because Mermaid needs a DOM. DOT: Graphviz (WebAssembly) lays the
// graph out. Exit 0 when it parses, 1 with the parser's message when not,
// 2 on bad usage.
import { readFileSync } from 'node:fs';

const kind = process.argv[2];
if (kind !== 'mermaid' && kind !== 'dot') {
  console.error('usage: validate.mjs mermaid|dot < diagram');
  process.exit(2);
}
const text = readFileSync(0, 'utf8');
try {
  if (kind === 'mermaid') {
    const { JSDOM } = await import('jsdom');
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    globalThis.window = dom.window;
    globalThis.document = dom.window.document;
    const { default: mermaid } = await import('mermaid');
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    const parsed = await mermaid.parse(text);
    console.log(`ok: ${parsed.diagramType}`);
  } else {
    const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
    const graphviz = await Graphviz.load();
    const svg = graphviz.layout(text, 'svg', 'dot');
    const clusters = (svg.match(/class="cluster"/g) || []).length;
    const nodes = (svg.match(/class="node"/g) || []).length;
    const edges = (svg.match(/class="edge"/g) || []).length;
    console.log(`ok: ${clusters} clusters, ${nodes} nodes, ${edges} edges`);
  }
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}
