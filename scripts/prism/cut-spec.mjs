#!/usr/bin/env node
// Cuts GitHub's official REST description (from the installed @octokit/openapi
// package) down to the operations docgate uses, for Prism to mock.
//
//   node scripts/prism/cut-spec.mjs OUT.json [--base URL]
//
// The source is the dereferenced OpenAPI 3.0 description
// (generated/api.github.com.deref.json): every schema is inlined, so keeping an
// operation keeps everything it refers to, and the cut has no components.
//
// Response headers (Link, Location) whose examples point at
// https://api.github.com are rewritten to point at the mock: to `{{BASE}}` by
// default, a placeholder the harness replaces with http://127.0.0.1:PORT, or
// to URL when --base is given. `servers` gets the same placeholder. Response
// body examples keep their api.github.com URLs (they are data, not links the
// client follows). The Link example keeps GitHub's generic path
// (`/resource?page=2`, rel="next" and "last"): Prism serves it verbatim on
// every page, so a client that follows it gets a 404 from the mock, where a
// link to the real path would make a "fetch every page" loop endless.
//
// Two more deliberate differences, listed with the header rewrites in the
// cut's info["x-docgate-adjustments"]: create-review's comments[].side and
// start_side get the LEFT/RIGHT enum that the description gives `side`
// elsewhere (so a wrong side is a 422, as on GitHub), and JSON responses are
// also offered as application/vnd.github+json and application/vnd.github.v3+json
// (else Prism answers 406 to GitHub's recommended Accept header).
//
// Node 20, no dependencies beyond the package it reads.
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PLACEHOLDER = "{{BASE}}";
const GITHUB = "https://api.github.com";

/** The operations docgate sends, and so the only ones the mock accepts. */
const OPERATIONS = [
  ["get", "/user"],
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"],
  ["post", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"],
];

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "node_modules", "@octokit", "openapi");
const source = join(pkgDir, "generated", "api.github.com.deref.json");

function die(msg) {
  process.stderr.write(`cut-spec: ${msg}\n`);
  process.exit(1);
}

function rewriteUrls(value, base) {
  if (typeof value === "string") return value.split(GITHUB).join(base);
  if (Array.isArray(value)) return value.map((v) => rewriteUrls(v, base));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteUrls(v, base)]));
  }
  return value;
}

// Every place where the cut differs from GitHub's description on purpose,
// listed in the cut's info.x-docgate-adjustments.
const adjustments = [];

// GitHub's docs recommend `Accept: application/vnd.github+json` on every
// operation (and clients still send the older v3 form), but the description
// lists only application/json, and Prism answers 406 to any Accept it cannot
// match exactly. Each JSON response is also offered under these types.
const JSON_ALIASES = ["application/vnd.github+json", "application/vnd.github.v3+json"];

function aliasMediaTypes(paths) {
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      for (const response of Object.values(op.responses ?? {})) {
        const json = response.content?.["application/json"];
        if (!json) continue;
        for (const alias of JSON_ALIASES) response.content[alias] ??= json;
      }
    }
  }
  adjustments.push(`responses served as application/json are also served as ${JSON_ALIASES.join(" and ")}`);
}

function tighten(spec, paths) {
  // POST .../pulls/{pull_number}/reviews: comments[].side and start_side are a
  // bare `type: string` in the description, but GitHub answers 422 for
  // anything but LEFT or RIGHT. The review-comment endpoint of the same
  // description (POST .../pulls/{pull_number}/comments) has the enum for
  // `side`; reuse it for both.
  const reviewComment = spec.paths["/repos/{owner}/{repo}/pulls/{pull_number}/comments"]?.post;
  const sides = reviewComment?.requestBody?.content?.["application/json"]?.schema?.properties?.side?.enum;
  if (!Array.isArray(sides)) die("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments has no enum for `side` any more");
  const review = paths["/repos/{owner}/{repo}/pulls/{pull_number}/reviews"].post;
  const item = review.requestBody?.content?.["application/json"]?.schema?.properties?.comments?.items;
  if (!item?.properties) die("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews: comments[] has no properties any more");
  for (const name of ["side", "start_side"]) {
    const prop = item.properties[name];
    if (!prop) die(`POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews: comments[].${name} is gone`);
    if (!prop.enum) {
      prop.enum = [...sides];
      adjustments.push(`POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews: comments[].${name} enum ${JSON.stringify(sides)}`);
    }
  }
}

function cut(spec, base) {
  const paths = {};
  const rewritten = new Set();
  for (const [method, path] of OPERATIONS) {
    const item = spec.paths[path];
    const op = item && item[method];
    if (!op) die(`${method.toUpperCase()} ${path} is not in ${source}`);
    paths[path] ??= {};
    // Path-level parameters apply to every method of the path.
    if (item.parameters) paths[path].parameters = item.parameters;
    const copy = structuredClone(op);
    for (const response of Object.values(copy.responses ?? {})) {
      // Headers only: examples and schemas (enum, default, pattern) alike.
      if (response.headers && JSON.stringify(response.headers).includes(GITHUB)) {
        response.headers = rewriteUrls(response.headers, base);
        rewritten.add(`${Object.keys(response.headers).join(", ")} header examples point at ${base}`);
      }
    }
    paths[path][method] = copy;
  }
  adjustments.push(...rewritten);
  tighten(spec, paths);
  aliasMediaTypes(paths);
  const usedTags = new Set(Object.values(paths).flatMap((item) =>
    Object.values(item).flatMap((op) => (op && op.tags) || [])));
  const cutSpec = {
    openapi: spec.openapi,
    info: {
      ...spec.info,
      title: `${spec.info.title} (cut for docgate's tests)`,
      description: `${OPERATIONS.length} operations of ${source.split("node_modules/")[1]}, ` +
        `@octokit/openapi ${spec.info.version}, cut by scripts/prism/cut-spec.mjs.`,
      "x-docgate-adjustments": adjustments,
    },
    servers: [{ url: base, description: "the Prism mock" }],
    tags: (spec.tags ?? []).filter((t) => usedTags.has(t.name)),
    paths,
  };
  if (spec.security) cutSpec.security = spec.security;
  const leftover = JSON.stringify(cutSpec).match(/"\$ref"/g);
  if (leftover) die(`the cut still has ${leftover.length} $ref(s): the source is not fully dereferenced`);
  return cutSpec;
}

function main(argv) {
  const args = argv.slice(2);
  let base = PLACEHOLDER;
  const i = args.indexOf("--base");
  if (i >= 0) {
    base = args[i + 1];
    if (!base) die("--base needs a URL, e.g. http://127.0.0.1:4010");
    base = base.replace(/\/+$/, "");
    args.splice(i, 2);
  }
  if (args.length !== 1 || args[0].startsWith("-")) {
    die("usage: node scripts/prism/cut-spec.mjs OUT.json [--base URL]");
  }
  const out = args[0];
  let text;
  try {
    text = readFileSync(source, "utf8");
  } catch (e) {
    die(`cannot read ${source} (${e.code}): run \`npm ci --prefix scripts/prism\``);
  }
  const spec = JSON.parse(text);
  if (!String(spec.openapi).startsWith("3.0.")) {
    die(`expected an OpenAPI 3.0 description, got ${spec.openapi}`);
  }
  const result = JSON.stringify(cut(spec, base), null, 1) + "\n";
  // Write then rename, so a concurrent reader never sees half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, result);
  renameSync(tmp, out);
}

main(process.argv);
