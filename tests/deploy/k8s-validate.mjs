// k8s-validate.mjs — offline schema validation of rendered Kubernetes
// objects (tests/deploy/helm.sh).
//
//   node k8s-validate.mjs OBJECTS.json
//
// OBJECTS.json is a JSON array of {source, object} (helm.sh converts the
// rendered YAML). Each object is checked against the Kubernetes OpenAPI
// schema compiled into the npm package kubernetes-models (ServiceMonitor:
// @kubernetes-models/prometheus-operator): types, enums, required fields.
//
// Those schemas, like the API server, accept unknown fields, so a typo such
// as "hostPid: true" would pass them and be dropped silently by the API
// server. This script also reports unknown fields: it hands the validator
// a Proxy of the object and records which properties the validator reads.
// A property of a structured object that the validator never read is not in
// the schema; objects the validator enumerates (maps such as labels or
// ConfigMap data) may hold any key.
//
// Prints one line per problem and exits 1 if there was any.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Schemas are loaded by file path: not every package exports its _schemas.
const modules = join(dirname(fileURLToPath(import.meta.url)), "node_modules");
const schemaUrl = (m) => pathToFileURL(join(modules, `${m}.js`)).href;

// apiVersion/kind -> module exporting the compiled validate function. An
// object of any other kind is an error: add its schema here.
const SCHEMAS = {
  "v1/ConfigMap": "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap",
  "v1/Secret": "kubernetes-models/_schemas/IoK8sApiCoreV1Secret",
  "v1/Service": "kubernetes-models/_schemas/IoK8sApiCoreV1Service",
  "v1/ServiceAccount": "kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount",
  "apps/v1/DaemonSet": "kubernetes-models/_schemas/IoK8sApiAppsV1DaemonSet",
  "rbac.authorization.k8s.io/v1/ClusterRole":
    "kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding":
    "kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRoleBinding",
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/_schemas/ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoringV1ServiceMonitor",
};

// Wrap o (recursively) so that reads and enumerations are recorded.
function track(o, path, seen) {
  if (o === null || typeof o !== "object") return o;
  const rec = { obj: o, path, read: new Set(), enumerated: false };
  seen.push(rec);
  const copy = Array.isArray(o)
    ? o.map((v, i) => track(v, `${path}[${i}]`, seen))
    : Object.fromEntries(
        Object.entries(o).map(([k, v]) => [k, track(v, `${path}.${k}`, seen)]),
      );
  return new Proxy(copy, {
    get(t, k, r) {
      if (typeof k === "string") rec.read.add(k);
      return Reflect.get(t, k, r);
    },
    has(t, k) {
      if (typeof k === "string") rec.read.add(k);
      return Reflect.has(t, k);
    },
    ownKeys(t) {
      rec.enumerated = true;
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, k) {
      if (typeof k === "string") rec.read.add(k);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
}

const items = JSON.parse(readFileSync(process.argv[2], "utf8"));
let problems = 0;
let checked = 0;
const report = (src, msg) => {
  problems++;
  console.log(`${src}: ${msg}`);
};

for (const { source, object } of items) {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${source} ${object.kind}/${object?.metadata?.name}`;
  const mod = SCHEMAS[key];
  if (!mod) {
    report(name, `no schema known for ${key} (add it to k8s-validate.mjs)`);
    continue;
  }
  const { validate } = await import(schemaUrl(mod));
  const seen = [];
  const ok = validate(track(object, "", seen));
  checked++;
  if (!ok) {
    for (const e of validate.errors ?? [])
      report(name, `${e.instancePath || "/"} ${e.message ?? e.keyword}`);
    continue;
  }
  for (const rec of seen) {
    if (Array.isArray(rec.obj) || rec.enumerated) continue;
    for (const k of Object.keys(rec.obj))
      if (!rec.read.has(k)) report(name, `unknown field ${rec.path}.${k}`);
  }
}

console.log(`k8s-validate: ${checked} object(s) checked, ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
