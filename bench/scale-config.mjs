// The specs of the sensorScale bench (issue #16): one GitHub EventSource with a
// webhook secret, one WorkflowTemplate, and N Sensors; Sensor i only takes pushes
// to `repo-<i>`, so an event for repo-k fires exactly one of them.
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import { newEventId } from "../dist/src/eventbus/cloudevent.js";
import { deterministicName } from "../dist/src/sensor/naming.js";

export const SCALE_SECRET = "sensor-scale-secret";
export const WORKFLOW_NAMESPACE = "bench";
const SENSOR_NAMESPACE = "argo-events";
const EVENT_SOURCE_NAME = "github";
const EVENT_NAME = "push";
const TRIGGER = "submit";
const GENERATE_NAME = "ci-";

const EVENT_SOURCE = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: ${EVENT_SOURCE_NAME}
  namespace: ${SENSOR_NAMESPACE}
spec:
  github:
    ${EVENT_NAME}:
      webhook:
        endpoint: /push
        port: "12000"
        method: POST
      events: [push]
      webhookSecret:
        name: github-webhook
        key: secret
      contentType: json
`;

const WORKFLOW_TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: ci
  namespace: ${WORKFLOW_NAMESPACE}
spec:
  entrypoint: build
  arguments:
    parameters:
      - name: repo
      - name: revision
  templates:
    - name: build
      container:
        image: alpine:3.20
        command: [echo, "{{workflow.parameters.repo}}@{{workflow.parameters.revision}}"]
`;

/** Sensor i, with the filters: repository name, branch, and an exprs on `size`. */
function sensor(i) {
  return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: scale-${i}
  namespace: ${SENSOR_NAMESPACE}
spec:
  dependencies:
    - name: push
      eventSourceName: ${EVENT_SOURCE_NAME}
      eventName: ${EVENT_NAME}
      filters:
        data:
          - path: body.repository.name
            type: string
            value: ["^repo-${i}$"]
          - path: body.ref
            type: string
            value: [refs/heads/main, "refs/heads/release-.*"]
        exprs:
          - expr: n > 0
            fields:
              - name: n
                path: body.size
  triggers:
    - template:
        name: ${TRIGGER}
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: ${GENERATE_NAME}
                namespace: ${WORKFLOW_NAMESPACE}
              spec:
                workflowTemplateRef:
                  name: ci
                arguments:
                  parameters:
                    - name: repo
                      value: unknown
                    - name: revision
                      value: HEAD
          parameters:
            - src: {dependencyName: push, dataKey: body.repository.full_name}
              dest: spec.arguments.parameters.0.value
            - src: {dependencyName: push, dataKey: body.after}
              dest: spec.arguments.parameters.1.value
`;
}

/**
 * Writes `dir`/config (eventsource.yaml, workflowtemplate.yaml, and all Sensors in one
 * multi-document sensors.yaml: one file, so the gateway's config watcher needs no
 * watch per Sensor) and `dir`/secrets; returns both paths.
 */
export async function writeScaleConfig(dir, sensors) {
  const configDir = join(dir, "config");
  const secretsDir = join(dir, "secrets");
  await mkdir(configDir, { recursive: true });
  await mkdir(join(secretsDir, "github-webhook"), { recursive: true });
  await writeFile(join(secretsDir, "github-webhook", "secret"), SCALE_SECRET);
  await writeFile(join(configDir, "eventsource.yaml"), EVENT_SOURCE);
  await writeFile(join(configDir, "workflowtemplate.yaml"), WORKFLOW_TEMPLATE);
  const out = createWriteStream(join(configDir, "sensors.yaml"));
  for (let i = 0; i < sensors; i++) {
    if (!out.write(`${i ? "---\n" : ""}${sensor(i)}`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return { configDir, secretsDir };
}

/** The file the Workflow of delivery `delivery` to Sensor `k` is stored as (the gateway derives it). */
export function workflowFile(delivery, k) {
  const eventId = newEventId(delivery, `${EVENT_SOURCE_NAME}/${EVENT_NAME}`);
  const ids = { sensorNamespace: SENSOR_NAMESPACE, sensorName: `scale-${k}`, triggerName: TRIGGER, eventIds: [eventId] };
  return `${deterministicName(GENERATE_NAME, ids)}.yaml`;
}
