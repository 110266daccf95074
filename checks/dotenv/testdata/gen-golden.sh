#!/bin/sh
# Regenerates golden.json from the real loaders; not run by make test.
# Needs python-dotenv (pip install python-dotenv) and dotenv for Node
# (npm install dotenv) where NODE_PATH finds it. Run in this directory.
set -eu
python3 - <<'PY'
import io, json, os
from importlib.metadata import version
from dotenv import dotenv_values
cases = json.load(open("cases.json"))
out = {"python-dotenv": version("python-dotenv"), "cases": {}}
for name, text in cases.items():
    os.environ.pop("MISSING", None)
    vals = dotenv_values(stream=io.StringIO(text))
    out["cases"][name] = {k: v for k, v in vals.items() if v is not None}
json.dump(out, open("golden-python.json", "w"), indent=1, ensure_ascii=False, sort_keys=True)
PY
node -e '
const fs = require("fs"); const dotenv = require("dotenv");
const cases = JSON.parse(fs.readFileSync("cases.json", "utf8"));
const out = {"dotenv": require("dotenv/package.json").version, cases: {}};
for (const [name, text] of Object.entries(cases)) out.cases[name] = dotenv.parse(text);
fs.writeFileSync("golden-node.json", JSON.stringify(out, null, 1));
'
