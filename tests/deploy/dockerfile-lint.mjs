// dockerfile-lint.mjs — the Dockerfile through dockerfile-utils' validator
// (the one behind editors' Dockerfile support): syntax, instruction
// arguments, stage references. Writes its diagnostics as JSON to argv[3];
// dockerfile_check.py reports them.
//
//   node dockerfile-lint.mjs Dockerfile OUT.json

import { readFileSync, writeFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const problems = validate(readFileSync(process.argv[2], "utf8"), {});
writeFileSync(process.argv[3], JSON.stringify(problems));
