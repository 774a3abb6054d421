/** Injection token of the worker's processing options (`ProcessingOptions`, from its config). */
export const PROCESSING_OPTIONS = Symbol('PROCESSING_OPTIONS');
