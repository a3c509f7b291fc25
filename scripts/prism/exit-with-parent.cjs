// Preloaded into Prism (`node --require`) by tests/it/support/prism.rs.
//
// The test process holds the write end of Prism's stdin. When that process
// exits, however it exits (panic, abort, SIGKILL), the pipe closes and Prism
// exits too, removing DOCGATE_PRISM_SCRATCH (the folder holding the spec it
// served and its log). This is what lets one Prism be shared by all the tests
// of a test binary, from a static that is never dropped.
"use strict";
const fs = require("node:fs");

let done = false;
function bye() {
  if (done) return;
  done = true;
  const dir = process.env.DOCGATE_PRISM_SCRATCH;
  if (dir) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: the folder is under target/
    }
  }
  process.exit(0);
}

process.stdin.on("end", bye);
process.stdin.on("close", bye);
process.stdin.on("error", bye);
process.stdin.resume();
