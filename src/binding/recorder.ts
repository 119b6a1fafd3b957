// Where a failed binding is reported besides the log: a Kubernetes Warning Event
// on the WorkflowEventBinding (reason WorkflowEventBindingError), as Argo does.
import type { WorkflowEventBinding } from "../api/index.js";

export const BINDING_ERROR_REASON = "WorkflowEventBindingError";

export interface EventRecorder {
  /** Records a Warning on the binding; never throws (a failed record is only logged). */
  warning(binding: WorkflowEventBinding, reason: string, message: string): Promise<void>;
}

/** Local mode: there is no API to record on; the log line is the record. */
export class NoopEventRecorder implements EventRecorder {
  async warning(): Promise<void> {}
}
