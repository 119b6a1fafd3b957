// The public surface of src/hooks: the only module other folders import from it.
export { BitbucketServerHookClient } from "./bitbucketserver.js";
