// The package's public API: `import { ... } from "trigger-gateway"`.
//
// Named exports only. What is not listed here is internal and may change; each
// folder is reached through its index.ts where it has one.

// Run a gateway in-process.
// serveCommand is `trigger-gateway serve` as a function: config paths in, the YAML
// watched, the bus chosen from the EventBus specs, the events endpoint served.
// startGateway is the part under it: you bring the specs, bus, store and secrets.
export { serveCommand, startGateway, type ServeOptions, type Gateway, type GatewayOptions, type GatewayRole } from "./gateway/index.js";
export { groupSpecs, type SpecSet } from "./config/specs.js";
export type { ApplyFailure, ApplyResult, SpecSource } from "./config/spec-source.js";
export { DirSecretStore, MapSecretStore, type SecretStore } from "./config/secrets.js";

// Load and validate specs.
export {
  loadAndValidate,
  loadSpecs,
  loadSpecsFromText,
  validateSpecs,
  type EventBus as EventBusSpec,
  type EventSource,
  type EventSourceSpec,
  type KubeObject,
  type LoadedSpec,
  type LoadResult,
  type ObjectMeta,
  type SecretKeySelector,
  type Sensor,
  type SensorSpec,
  type Spec,
  type WorkflowEventBinding,
  type WorkflowTemplate,
} from "./api/index.js";

// Evaluate a Sensor offline: which triggers fire on these events, and what each would create.
export {
  compileSensor,
  dryRun,
  type CompiledSensor,
  type DryRunEvent,
  type DryRunResult,
  type DryRunTrigger,
  type EventContext,
  type SensorEvent,
} from "./sensor/index.js";
export { offlineEventData, type SourceType } from "./eventsource/index.js";

// Simulate a provider's delivery (`trigger-gateway send`).
export { providerHeaders, send, type SendOptions } from "./commands/send.js";

// Event buses.
export {
  connectJetStream,
  MemoryEventBus,
  type BusMessage,
  type CloudEvent,
  type EventBus,
  type JetStreamEventBus,
  type JetStreamOptions,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
} from "./eventbus/index.js";

// Where triggers create Workflows and other resources.
export type { ListOptions, PatchStrategy, WorkflowClient } from "./workflows/client.js";
export { DEFAULT_LOCAL_STORE_DIR, LocalWorkflowStore, type LocalWorkflowStoreOptions } from "./workflows/local.js";

// Typed errors: each with a stable `code` and, where it reaches HTTP, a `status`.
export {
  AlreadyExistsError,
  ApiUnavailableError,
  BadRequestError,
  BusUnavailableError,
  BusyError,
  ConflictError,
  ExpressionError,
  ForbiddenError,
  GatewayError,
  InvalidError,
  MethodNotAllowedError,
  NotFoundError,
  NotSupportedError,
  PayloadTooLargeError,
  SecretNotFoundError,
  SpecError,
  SpecWarning,
  SubmissionInvalidError,
  TriggerError,
  UnauthorizedError,
} from "./errors.js";

// Logging (pino).
export { createLogger, silentLogger, type Logger, type LoggerOptions } from "./logger.js";
