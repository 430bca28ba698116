{{/*
Names, labels and the pieces of the pod spec that need logic.
*/}}

{{- define "auditwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart, unless the release name already contains the
chart name. Truncated to 63 characters (DNS label).
*/}}
{{- define "auditwatch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "auditwatch.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{- define "auditwatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "auditwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "auditwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "auditwatch.labels" -}}
helm.sh/chart: {{ include "auditwatch.chart" . }}
{{ include "auditwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: auditwatch
{{- end }}

{{- define "auditwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "auditwatch.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "auditwatch.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.registry }}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "auditwatch.configName" -}}
{{- include "auditwatch.fullname" . }}
{{- end }}

{{- define "auditwatch.rulesName" -}}
{{- printf "%s-rules" (include "auditwatch.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "auditwatch.secretName" -}}
{{- include "auditwatch.fullname" . }}
{{- end }}

{{/*
The configuration file as rendered into the ConfigMap. Also hashed for the
checksum/config annotation, so it is defined once.
*/}}
{{- define "auditwatch.configYaml" -}}
{{- toYaml .Values.auditwatch }}
{{- end }}

{{/*
True when the chart itself must create a Secret (a URL given in values and
no existingSecret to use instead).
*/}}
{{- define "auditwatch.chartSecret" -}}
{{- if or (and .Values.slack.webhookUrl (not .Values.slack.existingSecret)) (and .Values.webhook.url (not .Values.webhook.existingSecret)) }}true{{ end }}
{{- end }}

{{/*
Capabilities added to the container: audit control and read always, the
/proc ones with capabilities.procAccess (see values.yaml for why).
*/}}
{{- define "auditwatch.capabilities" -}}
{{- $caps := list "AUDIT_CONTROL" "AUDIT_READ" }}
{{- if .Values.capabilities.procAccess }}
{{- $caps = append $caps "SYS_PTRACE" }}
{{- $caps = append $caps "DAC_READ_SEARCH" }}
{{- end }}
{{- if .Values.capabilities.netAdmin }}
{{- $caps = append $caps "NET_ADMIN" }}
{{- end }}
{{- range .Values.capabilities.extra }}
{{- $caps = append $caps . }}
{{- end }}
{{- toYaml (uniq $caps) }}
{{- end }}

{{- define "auditwatch.appArmorField" -}}
{{- and .Values.appArmorProfile (semverCompare ">=1.30-0" .Capabilities.KubeVersion.Version) }}
{{- end }}

{{/*
The container securityContext: root (audit netlink is gated by
capabilities, reading /proc and the hostPath store by root ownership), no
privilege escalation, read-only root filesystem, only the capabilities
above. containerSecurityContext replaces all of it when set.
*/}}
{{- define "auditwatch.securityContext" -}}
{{- if .Values.containerSecurityContext }}
{{- toYaml .Values.containerSecurityContext }}
{{- else -}}
runAsUser: 0
runAsGroup: 0
runAsNonRoot: false
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
  add:
{{- include "auditwatch.capabilities" . | nindent 4 }}
{{- with .Values.seccompProfile }}
seccompProfile:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- if eq (include "auditwatch.appArmorField" .) "true" }}
appArmorProfile:
  type: {{ .Values.appArmorProfile }}
{{- end }}
{{- with .Values.seLinuxOptions }}
seLinuxOptions:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Before Kubernetes 1.30 AppArmor is set by a pod annotation, with the
profile spelled "unconfined" or "runtime/default".
*/}}
{{- define "auditwatch.appArmorAnnotation" -}}
{{- if and .Values.appArmorProfile (not .Values.containerSecurityContext) (ne (include "auditwatch.appArmorField" .) "true") }}
{{- $p := .Values.appArmorProfile }}
{{- if eq $p "Unconfined" }}{{ $p = "unconfined" }}{{ end }}
{{- if eq $p "RuntimeDefault" }}{{ $p = "runtime/default" }}{{ end -}}
container.apparmor.security.beta.kubernetes.io/auditwatch: {{ $p }}
{{- end }}
{{- end }}
