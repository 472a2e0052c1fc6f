// The SPARQL query editor of GET /sparql (api/templates/editor.html).
//
// The page works without this script: it is a form with a textarea that submits to /sparql.
// This script enhances it. It turns the textarea into a CodeMirror 5 editor with SPARQL syntax
// highlighting when the vendored CodeMirror was loaded (api/static/vendor/, built by
// `make vendor`), and keeps the plain textarea when it was not. It runs the query in the page:
// the form is POSTed to /sparql as application/x-www-form-urlencoded, and the answer is shown
// as a table (SELECT), yes or no (ASK), or Turtle text (CONSTRUCT, DESCRIBE).
//
// The page's Content-Security-Policy allows scripts and styles from this server only. So: no
// inline script or event-handler attribute, no style attribute, no eval; and everything shown
// from an answer is built with DOM APIs and textContent, never innerHTML, so that a value in
// the graph can never become markup.

/** What the script asks for: SPARQL JSON results, or Turtle when the query builds a graph. */
const RESULTS_JSON = "application/sparql-results+json";
const ACCEPT = `${RESULTS_JSON}, text/turtle;q=0.9`;

const XSD = "http://www.w3.org/2001/XMLSchema#";
const RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
const NUMERIC_TYPES = new Set(
  ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map((t) => XSD + t),
);

/** The page furniture this script writes, in the page's languages (nb is the default). */
const MESSAGES = {
  nb: {
    running: "Kjører spørringen …",
    rows: (n) => `${numbers.format(n)} ${n === 1 ? "rad" : "rader"}`,
    yes: "ja",
    no: "nei",
    answer: "Svar",
    graph: (bytes) => `Turtle, ${bytes}`,
    error: (status) => `Feil ${status}`,
    network: "Fikk ikke kontakt med tjeneren",
    unreadable: "Svaret kunne ikke leses",
    editor: "SPARQL-spørring",
  },
  en: {
    running: "Running the query …",
    rows: (n) => `${numbers.format(n)} ${n === 1 ? "row" : "rows"}`,
    yes: "yes",
    no: "no",
    answer: "Answer",
    graph: (bytes) => `Turtle, ${bytes}`,
    error: (status) => `Error ${status}`,
    network: "Could not reach the server",
    unreadable: "The answer could not be read",
    editor: "SPARQL query",
  },
};

const lang = document.documentElement.lang === "en" ? "en" : "nb";
const ui = MESSAGES[lang];
const numbers = new Intl.NumberFormat(lang === "nb" ? "nb-NO" : "en-GB", {
  maximumFractionDigits: 2,
});

/** The JSON in a <script type="application/json"> block of the page (data, never run). */
function pageData(id, fallback) {
  const block = document.getElementById(id);
  if (!block) return fallback;
  try {
    return JSON.parse(block.textContent);
  } catch {
    return fallback;
  }
}

const examples = pageData("examples", []);
const config = pageData("editor-config", {});
const prefixes = Object.entries(config.prefixes ?? {})
  // the longest namespace first, so that an IRI gets its most specific prefix
  .sort(([, a], [, b]) => b.length - a.length);
const idBase = config.idBase ?? "https://w3id.org/helsegraf/id/";
const ontologyBase = config.prefixes?.hg ?? "https://w3id.org/helsegraf/ontology#";

const form = document.getElementById("sparql-form");
const textarea = document.getElementById("query");
const runButton = document.getElementById("run");
const exampleForm = document.getElementById("example-form");
const exampleSelect = document.getElementById("example");
const statusBox = document.getElementById("status");
const answerBox = document.getElementById("answer");
const table = document.getElementById("results");
const graphBox = document.getElementById("graph");

// -- the editor -----------------------------------------------------------------------------

/**
 * The query text, behind one small interface whether CodeMirror is there or not.
 * @returns {{getValue: () => string, setValue: (text: string) => void}}
 */
function createEditor() {
  const CodeMirror = window.CodeMirror;
  if (typeof CodeMirror?.fromTextArea !== "function") {
    // Plain textarea: Ctrl/Cmd-Enter runs the query all the same.
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
    return { getValue: () => textarea.value, setValue: (text) => { textarea.value = text; } };
  }
  const editor = CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query",
    lineNumbers: true,
    lineWrapping: true,
    matchBrackets: true,
    indentUnit: 2,
    tabSize: 2,
    // CodeMirror's hidden-textarea input (the default on desktops): its contenteditable input
    // lets the browser's own editing write style attributes, which the CSP blocks
    inputStyle: "textarea",
    screenReaderLabel: ui.editor,
    viewportMargin: Infinity,
    extraKeys: {
      "Ctrl-Enter": () => run(),
      "Cmd-Enter": () => run(),
      "Ctrl-/": "toggleComment",
      "Cmd-/": "toggleComment",
      // Tab indents (with spaces) inside the editor; Esc hands the focus on to the Run
      // button, so that keyboard users are not trapped in the editor.
      Tab: (cm) => (cm.somethingSelected() ? cm.indentSelection("add") : cm.replaceSelection("  ")),
      "Shift-Tab": "indentLess",
      Esc: () => runButton.focus(),
    },
  });
  return { getValue: () => editor.getValue(), setValue: (text) => editor.setValue(text) };
}

const editor = createEditor();

// -- running a query ------------------------------------------------------------------------

/** The request in flight, aborted when another query is run before it answers. */
let inFlight = null;

/** POST the query to /sparql and show its answer (or the server's error) on the page. */
async function run() {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  clearAnswer();
  setStatus(ui.running);
  table.setAttribute("aria-busy", "true");
  const started = performance.now();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
      body: new URLSearchParams({ query: editor.getValue() }).toString(),
      signal: controller.signal,
    });
    const body = await response.text();
    if (controller.signal.aborted) return;
    const elapsed = formatElapsed(performance.now() - started);
    if (!response.ok) {
      // 400, 403, 413, 503, ... carry their reason as text/plain
      showError(`${ui.error(response.status)}: ${body.trim() || response.statusText}`);
      return;
    }
    const mediaType = (response.headers.get("Content-Type") ?? "").split(";")[0].trim();
    if (mediaType === RESULTS_JSON || mediaType === "application/json") {
      const results = JSON.parse(body);
      if (typeof results.boolean === "boolean") {
        showBoolean(results.boolean);
        setStatus(`${ui.answer}: ${results.boolean ? ui.yes : ui.no} · ${elapsed}`);
      } else {
        const count = showTable(results);
        setStatus(`${ui.rows(count)} · ${elapsed}`);
      }
    } else {
      graphBox.textContent = body;
      graphBox.hidden = false;
      setStatus(`${ui.graph(formatBytes(new Blob([body]).size))} · ${elapsed}`);
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(error instanceof SyntaxError ? ui.unreadable : `${ui.network}: ${error.message}`);
  } finally {
    if (inFlight === controller) {
      inFlight = null;
      table.removeAttribute("aria-busy");
    }
  }
}

function clearAnswer() {
  table.replaceChildren();
  answerBox.textContent = "";
  answerBox.hidden = true;
  graphBox.textContent = "";
  graphBox.hidden = true;
}

/** A status line, announced politely. */
function setStatus(text) {
  statusBox.setAttribute("role", "status");
  statusBox.classList.remove("error");
  statusBox.textContent = text;
}

/** An error, announced at once (role="alert"). */
function showError(text) {
  statusBox.setAttribute("role", "alert");
  statusBox.classList.add("error");
  statusBox.textContent = text;
}

function showBoolean(value) {
  answerBox.textContent = value ? ui.yes : ui.no;
  answerBox.classList.toggle("yes", value);
  answerBox.classList.toggle("no", !value);
  answerBox.hidden = false;
}

/**
 * SELECT results (SPARQL 1.1 Query Results JSON) as the rows of #results.
 * @returns {number} the number of rows
 */
function showTable(results) {
  const variables = results.head?.vars ?? [];
  const bindings = results.results?.bindings ?? [];
  const head = document.createElement("thead");
  const headRow = head.insertRow();
  for (const variable of variables) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = `?${variable}`;
    headRow.append(th);
  }
  const body = document.createElement("tbody");
  for (const binding of bindings) {
    const row = body.insertRow();
    for (const variable of variables) {
      const cell = row.insertCell();
      const term = binding[variable];
      if (term) cell.append(renderTerm(term));
      if (isNumeric(term)) cell.classList.add("num");
    }
  }
  table.replaceChildren(head, body);
  return bindings.length;
}

// -- RDF terms --------------------------------------------------------------------------------

/** One RDF term of a result as DOM nodes: a link for an IRI, text for the rest. */
function renderTerm(term) {
  switch (term.type) {
    case "uri":
      return renderIri(term.value);
    case "bnode": {
      const span = element("span", "bnode", `_:${term.value}`);
      return span;
    }
    case "triple": {
      // SPARQL 1.2 / RDF-star: << subject predicate object >>
      const span = element("span", "triple", "<< ");
      const { subject, predicate, object } = term.value ?? {};
      for (const part of [subject, predicate, object]) {
        if (part) span.append(renderTerm(part), " ");
      }
      span.append(">>");
      return span;
    }
    default:
      return renderLiteral(term);
  }
}

/** An IRI: a link when it is http(s) (helsegraf's own IRIs to this server), else text. */
function renderIri(iri) {
  const href = localHref(iri);
  const label = compact(iri);
  if (href === null) return element("span", "iri", label);
  const link = element("a", "iri", label);
  link.href = href;
  if (label !== iri) link.title = iri;
  return link;
}

/**
 * Where a page links an IRI (as api/web.py's `href` does): resources under the base to their
 * /id/ pages and ontology terms to /ontology, so browsing stays on this server; other http(s)
 * IRIs as they are; anything else (urn:, mailto:, javascript:, ...) is not linked at all.
 */
function localHref(iri) {
  if (iri.startsWith(idBase)) return `/id/${iri.slice(idBase.length)}`;
  if (iri.startsWith(ontologyBase)) return `/ontology#${iri.slice(ontologyBase.length)}`;
  return /^https?:\/\//i.test(iri) ? iri : null;
}

/** `prefix:local` when a known prefix covers the IRI and the rest is a plain name. */
function compact(iri) {
  for (const [prefix, namespace] of prefixes) {
    if (!iri.startsWith(namespace)) continue;
    const local = iri.slice(namespace.length);
    if (local === "" || /^[\p{L}\p{N}_]([\p{L}\p{N}_.-]*[\p{L}\p{N}_-])?$/u.test(local)) {
      return `${prefix}:${local}`;
    }
  }
  return iri;
}

/** A literal: its text, with its language tag or (other than a plain string) its datatype. */
function renderLiteral(term) {
  const span = element("span", "literal", term.value ?? "");
  const language = term["xml:lang"];
  const datatype = term.datatype;
  if (language) {
    span.lang = language;
    return fragment(span, element("span", "tag", `@${language}`));
  }
  if (!datatype || datatype === `${XSD}string` || datatype === RDF_LANG_STRING) return span;
  if (NUMERIC_TYPES.has(datatype) || datatype === `${XSD}boolean`) {
    // numbers and booleans speak for themselves; the datatype is a tooltip
    span.title = compact(datatype);
    return span;
  }
  return fragment(span, element("span", "tag", `^^${compact(datatype)}`));
}

function isNumeric(term) {
  return term?.type === "literal" && NUMERIC_TYPES.has(term.datatype);
}

// -- small helpers ----------------------------------------------------------------------------

/** A new element with a class and text content. */
function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

function fragment(...nodes) {
  const result = document.createDocumentFragment();
  result.append(...nodes);
  return result;
}

function formatElapsed(milliseconds) {
  return milliseconds < 1000
    ? `${Math.round(milliseconds)} ms`
    : `${numbers.format(milliseconds / 1000)} s`;
}

function formatBytes(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${numbers.format(bytes / 1024)} kB`;
}

// -- wiring -----------------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

// Choosing an example loads its text at once (without the script, the "Show" button asks the
// server for the page with that example). The address says which example, for a bookmark.
document.getElementById("load-example").hidden = true;
exampleForm.addEventListener("submit", (event) => event.preventDefault());
exampleSelect.addEventListener("change", () => {
  const example = examples.find((candidate) => candidate.name === exampleSelect.value);
  if (!example) return;
  editor.setValue(example.text);
  inFlight?.abort();
  clearAnswer();
  setStatus("");
  const url = new URL(window.location.href);
  url.searchParams.set("example", example.name);
  window.history.replaceState(null, "", url);
});

// The keyboard hint, once the keys work; on a Mac the key is Cmd.
const keys = document.getElementById("keys");
if (/Mac|iPhone|iPad/.test(navigator.userAgentData?.platform ?? navigator.platform)) {
  keys.textContent = keys.textContent.replace("Ctrl+", "⌘+");
}
keys.hidden = false;
