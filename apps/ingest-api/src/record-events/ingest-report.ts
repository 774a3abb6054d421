/** The answer to an ingest request: how many events were accepted, and why each other one was not. */
export interface RejectedEvent {
  readonly index: number;
  readonly messageId: string | null;
  readonly reason: string;
}

export interface IngestReport {
  readonly success: boolean;
  readonly accepted: number;
  readonly rejected: readonly RejectedEvent[];
}
