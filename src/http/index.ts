// The HTTP edge shared by the webhook receivers, the events endpoint and the admin
// server: bodies read under a size limit and one process-wide budget, Go-style
// headers, listening with connection and time limits, draining on shutdown, and
// signature checks (pure functions of body, secret and header).
export { readBody, discardRest } from "./body.js";
export { BodyBudget, DEFAULT_BODY_BUDGET_BYTES } from "./body-budget.js";
export { canonicalHeaderKey, goHeaders, headerValue, type GoHeader } from "./headers.js";
export { HttpDrain, DRAIN_RETRY_AFTER_SECONDS } from "./drain.js";
export { webhookServer, closeServer, listen, urlHost } from "./listen.js";
export { signHmac, verifyHmac, tokenEquals, type HmacAlgorithm } from "./signature.js";
