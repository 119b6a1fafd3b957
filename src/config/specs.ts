import type {
  EventBus as EventBusSpec,
  EventSource,
  Sensor,
  Spec,
  WorkflowEventBinding,
  WorkflowTemplate,
} from "../api/index.js";

/** The loaded specs, by kind. */
export interface SpecSet {
  eventSources: EventSource[];
  sensors: Sensor[];
  eventBuses: EventBusSpec[];
  workflowTemplates: WorkflowTemplate[];
  bindings: WorkflowEventBinding[];
}

export function groupSpecs(specs: Spec[]): SpecSet {
  const set: SpecSet = { eventSources: [], sensors: [], eventBuses: [], workflowTemplates: [], bindings: [] };
  for (const s of specs) {
    switch (s.kind) {
      case "EventSource":
        set.eventSources.push(s as EventSource);
        break;
      case "Sensor":
        set.sensors.push(s as Sensor);
        break;
      case "EventBus":
        set.eventBuses.push(s as EventBusSpec);
        break;
      case "WorkflowTemplate":
      case "ClusterWorkflowTemplate":
        set.workflowTemplates.push(s as WorkflowTemplate);
        break;
      case "WorkflowEventBinding":
        set.bindings.push(s as WorkflowEventBinding);
        break;
    }
  }
  return set;
}
