#!/usr/bin/env python3
"""helm_check.py — assertions on the objects the Helm chart renders.

Called by tests/deploy/helm.sh:

    helm_check.py SCENARIO RENDERED.yaml [VALUES.yaml]
    helm_check.py tojson OUT.json RENDERED.yaml...      (for k8s-validate.mjs)
    helm_check.py checksums RENDERED.yaml               (prints them)
    helm_check.py extract-config RENDERED.yaml DIR      (config + rules files)
    helm_check.py args RENDERED.yaml                    (container args, one per line)

Each scenario states what the pod must look like for that set of values:
the namespaces it shares with the host, its capabilities, mounts, how the
notifier secrets reach it, and what the custom rules ConfigMap holds. A
failed check prints what was expected and what was rendered, and exits 1.
"""

import json
import sys

import yaml

failures = []


def check(cond, what, got=None):
    if not cond:
        failures.append(what + ("" if got is None else f" (got {got!r})"))


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def index(docs):
    by = {}
    for d in docs:
        by.setdefault(d["kind"], []).append(d)
    return by


def one(by, kind):
    objs = by.get(kind, [])
    check(len(objs) == 1, f"exactly one {kind}", len(objs))
    return objs[0] if objs else {}


def pod_parts(by):
    ds = one(by, "DaemonSet")
    spec = ds.get("spec", {}).get("template", {}).get("spec", {})
    meta = ds.get("spec", {}).get("template", {}).get("metadata", {})
    ctrs = spec.get("containers", [])
    check(len(ctrs) == 1, "one container", len(ctrs))
    return ds, meta, spec, ctrs[0] if ctrs else {}


def env_map(ctr):
    return {e["name"]: e for e in ctr.get("env", [])}


def mounts(ctr):
    return {m["mountPath"]: m for m in ctr.get("volumeMounts", [])}


def volumes(spec):
    return {v["name"]: v for v in spec.get("volumes", [])}


def caps(ctr):
    c = ctr.get("securityContext", {}).get("capabilities", {})
    return set(c.get("add", [])), set(c.get("drop", []))


# ------------------------------------------------------------ common checks

def common(by, values):
    """What every rendering must satisfy, whatever the values."""
    ds, meta, spec, ctr = pod_parts(by)
    check(spec.get("hostPID") is True, "hostPID: true", spec.get("hostPID"))
    if spec.get("hostNetwork"):
        check(spec.get("dnsPolicy") == "ClusterFirstWithHostNet",
              "dnsPolicy ClusterFirstWithHostNet with hostNetwork",
              spec.get("dnsPolicy"))
    # Selector must match the template labels, or the DaemonSet is invalid.
    sel = ds["spec"]["selector"]["matchLabels"]
    for k, v in sel.items():
        check(meta.get("labels", {}).get(k) == v,
              f"template label {k}={v} matching the selector")
    ann = meta.get("annotations", {})
    for k in ("checksum/config", "checksum/rules", "checksum/secret"):
        check(len(ann.get(k, "")) == 64, f"{k} annotation (sha256)",
              ann.get(k))

    # The configuration ConfigMap, mounted where the args point.
    cm = [c for c in by.get("ConfigMap", []) if "auditwatch.yaml" in
          c.get("data", {})]
    check(len(cm) == 1, "one ConfigMap with auditwatch.yaml", len(cm))
    args = ctr.get("args", [])
    check(args[-1:] == ["run"], "args end with the run command", args)
    check(args[:2] == ["-c", "/etc/auditwatch/auditwatch.yaml"],
          "args start with -c /etc/auditwatch/auditwatch.yaml", args[:2])
    m = mounts(ctr).get("/etc/auditwatch/auditwatch.yaml")
    check(m is not None and m.get("subPath") == "auditwatch.yaml"
          and m.get("readOnly") is True,
          "config mounted read-only at /etc/auditwatch/auditwatch.yaml", m)
    if cm and m:
        vol = volumes(spec).get(m["name"], {})
        check(vol.get("configMap", {}).get("name")
              == cm[0]["metadata"]["name"],
              "config volume refers to the config ConfigMap", vol)
        cfg = yaml.safe_load(cm[0]["data"]["auditwatch.yaml"])
        check(cfg == values.get("auditwatch"),
              "ConfigMap holds values.auditwatch verbatim")

    # Store and state on hostPaths, writable /tmp, root filesystem read-only.
    vols = volumes(spec)
    ms = mounts(ctr)
    store = ms.get("/var/lib/auditwatch")
    check(store is not None and not store.get("readOnly"),
          "writable mount at /var/lib/auditwatch", store)
    if store:
        hp = vols.get(store["name"], {}).get("hostPath", {})
        check(hp.get("path") == values["store"]["hostPath"]
              and hp.get("type") == "DirectoryOrCreate",
              "store is hostPath store.hostPath, DirectoryOrCreate", hp)
    state = ms.get("/run/auditwatch")
    check(state is not None, "mount at /run/auditwatch (audit.state_file)")
    if state:
        hp = vols.get(state["name"], {}).get("hostPath", {})
        check(hp.get("path") == values["runtimeState"]["hostPath"],
              "state is hostPath runtimeState.hostPath", hp)
    check("/tmp" in ms and "emptyDir" in vols.get(ms["/tmp"]["name"], {}),
          "/tmp is an emptyDir")
    sqlite_path = values["auditwatch"]["sqlite"]["path"]
    check(sqlite_path.startswith("/var/lib/auditwatch/"),
          "sqlite.path inside the store mount", sqlite_path)
    state_file = values["auditwatch"]["audit"]["state_file"]
    check(state_file.startswith("/run/auditwatch/"),
          "audit.state_file inside the state mount", state_file)
    return ds, meta, spec, ctr


def generated_security(ctr, expect_caps):
    sc = ctr.get("securityContext", {})
    add, drop = caps(ctr)
    check(add == set(expect_caps), f"capabilities.add == {sorted(expect_caps)}",
          sorted(add))
    check(drop == {"ALL"}, "capabilities.drop == [ALL]", sorted(drop))
    check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
    check(sc.get("privileged") is False, "privileged: false")
    check(sc.get("allowPrivilegeEscalation") is False,
          "allowPrivilegeEscalation: false")
    check(sc.get("runAsUser") == 0, "runAsUser 0", sc.get("runAsUser"))


def secret_ref(ctr, var):
    e = env_map(ctr).get(var)
    if e is None:
        return None
    check("value" not in e, f"{var} is not given in clear text")
    return e.get("valueFrom", {}).get("secretKeyRef")


# ------------------------------------------------------------ scenarios

def sc_default(by, values):
    ds, meta, spec, ctr = common(by, values)
    check(spec.get("hostNetwork") is True, "hostNetwork: true")
    generated_security(ctr, ["AUDIT_CONTROL", "AUDIT_READ", "SYS_PTRACE",
                             "DAC_READ_SEARCH"])
    sc = ctr["securityContext"]
    check(sc.get("seccompProfile") == {"type": "RuntimeDefault"},
          "seccompProfile RuntimeDefault", sc.get("seccompProfile"))
    check(sc.get("appArmorProfile") == {"type": "Unconfined"},
          "appArmorProfile field on a current Kubernetes",
          sc.get("appArmorProfile"))
    check(not any(k.startswith("container.apparmor")
                  for k in meta.get("annotations", {})),
          "no AppArmor annotation when the field is used")
    tols = {(t.get("key"), t.get("effect")) for t in spec.get("tolerations", [])}
    for key in ("node-role.kubernetes.io/control-plane",
                "node-role.kubernetes.io/master"):
        check((key, "NoSchedule") in tols, f"toleration for {key}")
    check("priorityClassName" not in spec, "no priorityClassName by default")
    check("Secret" not in by, "no Secret without URLs")
    check(secret_ref(ctr, "AUDITWATCH_SLACK_WEBHOOK_URL") is None,
          "no Slack env without a URL")
    check(secret_ref(ctr, "AUDITWATCH_WEBHOOK_URL") is None,
          "no webhook env without a URL")
    check(not any(c["data"].get("auditwatch.yaml") is None
                  for c in by.get("ConfigMap", [])),
          "no rules ConfigMap without customRules")
    check("/etc/auditwatch/rules.d" not in mounts(ctr),
          "no rules.d mount without customRules")
    check("Service" not in by and "ServiceMonitor" not in by,
          "no Service/ServiceMonitor with metrics disabled")
    check("ports" not in ctr and "livenessProbe" not in ctr,
          "no port or probe with metrics disabled")
    args = ctr["args"]
    check("enrich.kubelet_url=https://$(AUDITWATCH_NODE_IP):10250" in args,
          "kubelet URL from the node IP", args)
    env = env_map(ctr)
    check(env.get("AUDITWATCH_NODE_IP", {}).get("valueFrom", {})
          .get("fieldRef", {}).get("fieldPath") == "status.hostIP",
          "AUDITWATCH_NODE_IP from status.hostIP")
    check(spec.get("automountServiceAccountToken") is True,
          "service-account token mounted for the kubelet")
    sa = one(by, "ServiceAccount")
    check(sa.get("automountServiceAccountToken") is False,
          "ServiceAccount does not automount by default")
    role = one(by, "ClusterRole")
    res = set(role.get("rules", [{}])[0].get("resources", []))
    check(res == {"nodes/pods", "nodes/proxy"}, "ClusterRole resources", res)
    check(role["rules"][0].get("verbs") == ["get"], "ClusterRole get only")
    crb = one(by, "ClusterRoleBinding")
    check(crb["subjects"][0]["name"] == sa["metadata"]["name"],
          "binding names the ServiceAccount")
    check(spec.get("serviceAccountName") == sa["metadata"]["name"],
          "pod uses the ServiceAccount")


TUTORIAL_RULE = """- rule: Detect cryptocurrency mining
  desc: Detects execution of known cryptocurrency mining binaries
  condition: spawned_process and proc.name in (xmrig, cpuminer, ccminer)
  output: "Crypto miner started (user=%user.name command=%proc.cmdline container=%container.name)"
  priority: CRITICAL"""


def sc_full(by, values):
    ds, meta, spec, ctr = common(by, values)
    generated_security(ctr, ["AUDIT_CONTROL", "AUDIT_READ", "SYS_PTRACE",
                             "DAC_READ_SEARCH", "NET_ADMIN", "AUDIT_WRITE"])
    sc = ctr["securityContext"]
    check("appArmorProfile" not in sc,
          "no appArmorProfile field before Kubernetes 1.30")
    check(meta["annotations"].get(
        "container.apparmor.security.beta.kubernetes.io/auditwatch")
        == "unconfined", "AppArmor annotation before 1.30")
    check(spec.get("priorityClassName") == "system-node-critical",
          "priorityClassName", spec.get("priorityClassName"))

    # customRules: the Falco tutorial's form, content byte for byte.
    rules_cm = [c for c in by.get("ConfigMap", [])
                if c["metadata"]["name"].endswith("-rules")]
    check(len(rules_cm) == 1, "one rules ConfigMap", len(rules_cm))
    if rules_cm:
        data = rules_cm[0]["data"]
        check(sorted(data) == ["a-structured.yml", "my-rules.yaml"],
              "one key per customRules file", sorted(data))
        check(data.get("my-rules.yaml") == TUTORIAL_RULE,
              "my-rules.yaml content unchanged", data.get("my-rules.yaml"))
        parsed = yaml.safe_load(data.get("a-structured.yml", ""))
        check(parsed == values["customRules"]["a-structured.yml"],
              "structured customRules written as YAML", parsed)
        m = mounts(ctr).get("/etc/auditwatch/rules.d")
        check(m is not None and m.get("readOnly") is True,
              "rules mounted read-only at /etc/auditwatch/rules.d", m)
        if m:
            v = volumes(spec)[m["name"]]
            check(v.get("configMap", {}).get("name")
                  == rules_cm[0]["metadata"]["name"],
                  "rules volume refers to the rules ConfigMap", v)
    check("/etc/auditwatch/rules.d" in values["auditwatch"]["rules_files"],
          "rules_files lists rules.d")

    # Slack URL from the chart's Secret, webhook from an existing one.
    secrets = by.get("Secret", [])
    check(len(secrets) == 1, "one Secret (Slack URL)", len(secrets))
    ref = secret_ref(ctr, "AUDITWATCH_SLACK_WEBHOOK_URL")
    check(ref is not None and secrets and
          ref.get("name") == secrets[0]["metadata"]["name"] and
          ref.get("key") == "slack-webhook-url",
          "Slack URL env from the chart's Secret", ref)
    if secrets:
        import base64
        got = base64.b64decode(secrets[0]["data"]["slack-webhook-url"]).decode()
        check(got == values["slack"]["webhookUrl"], "Secret holds the URL")
        check("webhook-url" not in secrets[0]["data"],
              "webhook URL not copied into the chart's Secret")
    ref = secret_ref(ctr, "AUDITWATCH_WEBHOOK_URL")
    check(ref == {"name": "my-notifiers", "key": "hook"},
          "webhook URL env from existingSecret/existingSecretKey", ref)
    cm_text = json.dumps([c.get("data") for c in by.get("ConfigMap", [])])
    check(values["slack"]["webhookUrl"] not in cm_text,
          "Slack URL not in any ConfigMap")
    check(values["slack"]["webhookUrl"] not in json.dumps(ds),
          "Slack URL not in the DaemonSet")

    # Metrics: port, probes, listen override, Service and ServiceMonitor.
    ports = ctr.get("ports", [])
    check(ports == [{"name": "metrics", "containerPort": 9100,
                     "protocol": "TCP"}], "metrics port", ports)
    for p in ("livenessProbe", "readinessProbe"):
        g = ctr.get(p, {}).get("httpGet", {})
        check(g == {"path": "/healthz", "port": "metrics"}, f"{p} /healthz", g)
    check("metrics.listen=$(AUDITWATCH_POD_IP):9100" in ctr["args"],
          "metrics.listen from the pod IP", ctr["args"])
    svc = one(by, "Service")
    check(svc.get("spec", {}).get("clusterIP") == "None", "headless Service")
    check(svc.get("spec", {}).get("selector") == ds["spec"]["selector"]
          ["matchLabels"], "Service selects the DaemonSet's pods")
    smon = one(by, "ServiceMonitor")
    check(smon.get("spec", {}).get("selector", {}).get("matchLabels", {})
          .items() <= svc["metadata"]["labels"].items(),
          "ServiceMonitor selects the Service")
    check(smon.get("metadata", {}).get("labels", {}).get("release")
          == "prom", "serviceMonitor.labels applied")

    # extra.*
    env = env_map(ctr)
    check(env.get("EXTRA_VAR", {}).get("value") == "1", "extra.env")
    check("-v" in ctr["args"] and ctr["args"].index("-v")
          < ctr["args"].index("run"), "extra.args before the command")
    check("/var/log/auditwatch" in mounts(ctr), "extra.volumeMounts")
    check("logs" in volumes(spec), "extra.volumes")
    check(ds["metadata"]["namespace"] == "security",
          "release namespace", ds["metadata"]["namespace"])


def sc_minimal(by, values):
    ds, meta, spec, ctr = common(by, values)
    check(spec.get("hostNetwork") is False, "hostNetwork: false honoured")
    check(spec.get("dnsPolicy") == "ClusterFirst",
          "dnsPolicy ClusterFirst without hostNetwork", spec.get("dnsPolicy"))
    generated_security(ctr, ["AUDIT_CONTROL", "AUDIT_READ"])
    check(not any(a.startswith("enrich.kubelet_url") for a in ctr["args"]),
          "no kubelet URL with kubelet.enabled false")
    check(spec.get("automountServiceAccountToken") is False,
          "no token without the kubelet")
    check("ClusterRole" not in by and "ClusterRoleBinding" not in by,
          "no RBAC without the kubelet")
    check("ServiceAccount" not in by, "serviceAccount.create false")
    check(spec.get("serviceAccountName") == "audit-sa",
          "existing service account used")
    check("Secret" not in by, "no chart Secret with existingSecret only")
    ref = secret_ref(ctr, "AUDITWATCH_SLACK_WEBHOOK_URL")
    check(ref == {"name": "team-slack", "key": "slack-webhook-url"},
          "Slack URL from existingSecret", ref)
    check(secret_ref(ctr, "AUDITWATCH_WEBHOOK_URL") is None,
          "no webhook env without a URL")
    check("seccompProfile" not in ctr["securityContext"],
          "seccompProfile omitted when set to null")
    check("appArmorProfile" not in ctr["securityContext"] and
          not any(k.startswith("container.apparmor")
                  for k in meta.get("annotations", {})),
          "AppArmor left to the runtime when appArmorProfile is empty")
    check(ds["spec"]["template"]["spec"]["containers"][0]["image"]
          == "registry.example/aw/auditwatch:dev", "image override")


def sc_override(by, values):
    ds, meta, spec, ctr = common(by, values)
    check(ctr.get("securityContext") == values["containerSecurityContext"],
          "containerSecurityContext replaces the generated one",
          ctr.get("securityContext"))
    role = one(by, "ClusterRole")
    res = set(role.get("rules", [{}])[0].get("resources", []))
    check(res == {"nodes/pods"}, "rbac.nodesProxy false drops nodes/proxy",
          res)
    check("enrich.kubelet_url=https://[$(AUDITWATCH_NODE_IP)]:10255"
          in ctr["args"], "kubelet host and port", ctr["args"])


SCENARIOS = {"default": sc_default, "full": sc_full, "minimal": sc_minimal,
             "override": sc_override}


# ------------------------------------------------------------ helpers

def checksums(path):
    ds = index(load(path))["DaemonSet"][0]
    ann = ds["spec"]["template"]["metadata"]["annotations"]
    for k in ("checksum/config", "checksum/rules", "checksum/secret"):
        print(f"{k} {ann[k]}")


def tojson(out, paths):
    items = []
    for p in paths:
        for d in load(p):
            items.append({"source": p.rsplit("/", 1)[-1], "object": d})
    with open(out, "w") as f:
        json.dump(items, f)


def extract_config(path, outdir):
    import os
    by = index(load(path))
    for c in by.get("ConfigMap", []):
        data = c.get("data", {})
        if "auditwatch.yaml" in data:
            with open(os.path.join(outdir, "auditwatch.yaml"), "w") as f:
                f.write(data["auditwatch.yaml"])
        elif c["metadata"]["name"].endswith("-rules"):
            os.makedirs(os.path.join(outdir, "rules.d"), exist_ok=True)
            for name, text in data.items():
                with open(os.path.join(outdir, "rules.d", name), "w") as f:
                    f.write(text)


def args(path):
    ds = index(load(path))["DaemonSet"][0]
    for a in ds["spec"]["template"]["spec"]["containers"][0]["args"]:
        print(a)


def main():
    cmd = sys.argv[1]
    if cmd == "checksums":
        return checksums(sys.argv[2])
    if cmd == "tojson":
        return tojson(sys.argv[2], sys.argv[3:])
    if cmd == "extract-config":
        return extract_config(sys.argv[2], sys.argv[3])
    if cmd == "args":
        return args(sys.argv[2])
    rendered, values_files = sys.argv[2], sys.argv[3:]
    values = {}
    for vf in values_files:
        values = merge(values, yaml.safe_load(open(vf)) or {})
    SCENARIOS[cmd](index(load(rendered)), values)
    if failures:
        for f in failures:
            print(f"helm_check {cmd}: FAIL: {f}")
        sys.exit(1)
    print(f"helm_check {cmd}: ok")


def merge(a, b):
    """Helm's values merge: maps merge recursively, anything else replaces;
    null deletes the key."""
    out = dict(a)
    for k, v in b.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


if __name__ == "__main__":
    main()
