{{/*
Helpers of the local gateway chart. Names, labels and selectors follow Istio's gateway chart
(manifests/charts/gateway/templates/_helpers.tpl) so that objects rendered here carry the same
names and labels as the official chart's.
*/}}

{{/* Object name: .Values.name, else the release name. */}}
{{- define "gateway.name" -}}
{{- if eq .Release.Name "RELEASE-NAME" -}}
{{- .Values.name | default "istio-ingressgateway" -}}
{{- else -}}
{{- .Values.name | default .Release.Name | default "istio-ingressgateway" -}}
{{- end -}}
{{- end -}}

{{/* app / istio: from .Values.labels, else the name (istio without its "istio-" prefix). */}}
{{- define "gateway.selectorLabels" -}}
{{- $name := include "gateway.name" . -}}
app: {{ .Values.labels.app | default $name | quote }}
istio: {{ .Values.labels.istio | default ($name | trimPrefix "istio-") | quote }}
{{- end -}}

{{/* Selector labels, then every other entry of .Values.labels. */}}
{{- define "gateway.labels" -}}
{{ include "gateway.selectorLabels" . }}
{{- range $key, $val := .Values.labels }}
{{- if and (ne $key "app") (ne $key "istio") }}
{{ $key | quote }}: {{ $val | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The Service selector: the pods' selector labels plus service.selectorLabels. */}}
{{- define "gateway.serviceSelectorLabels" -}}
{{- $extra := .Values.service.selectorLabels | default dict -}}
{{- $name := include "gateway.name" . -}}
app: {{ $extra.app | default .Values.labels.app | default $name | quote }}
istio: {{ $extra.istio | default .Values.labels.istio | default ($name | trimPrefix "istio-") | quote }}
{{- range $key, $val := $extra }}
{{- if and (ne $key "app") (ne $key "istio") }}
{{ $key | quote }}: {{ $val | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod labels that ask the injector for a proxy (and a revision, if one is set). */}}
{{- define "gateway.sidecarInjectionLabels" -}}
sidecar.istio.io/inject: "true"
{{- with .Values.revision }}
istio.io/rev: {{ . | quote }}
{{- end }}
{{- end -}}

{{- define "gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "gateway.name" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* Labels every Istio chart puts on all its objects. */}}
{{- define "istio.labels" -}}
{{- with .Release.Service }}
app.kubernetes.io/managed-by: {{ . | quote }}
{{- end }}
{{- with .Release.Name }}
app.kubernetes.io/instance: {{ . | quote }}
{{- end }}
app.kubernetes.io/part-of: "istio"
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
{{- if and .Chart.Name .Chart.Version }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{- end }}
{{- end -}}

{{/* metadata.labels of every object. */}}
{{- define "gateway.metadataLabels" -}}
app.kubernetes.io/name: {{ include "gateway.name" . | quote }}
{{- include "istio.labels" . }}
{{ include "gateway.labels" . }}
{{- end -}}

{{/* Annotations with every value as a string (the schema allows integers). */}}
{{- define "gateway.annotations" -}}
{{- $out := dict }}
{{- range $key, $val := . }}
{{- $_ := set $out $key (toString $val) }}
{{- end }}
{{- toYaml $out }}
{{- end -}}

{{/* resources, leaving out null or empty quantities (the schema allows null cpu / memory). */}}
{{- define "gateway.resources" -}}
{{- $out := dict }}
{{- range $kind := list "limits" "requests" }}
{{- $set := dict }}
{{- range $res, $qty := (index $ $kind | default dict) }}
{{- if $qty }}{{- $_ := set $set $res $qty }}{{- end }}
{{- end }}
{{- if $set }}{{- $_ := set $out $kind $set }}{{- end }}
{{- end }}
{{- if $out }}{{- toYaml $out }}{{- end }}
{{- end -}}
