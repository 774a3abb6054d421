/** A dependency a service needs before it can take traffic. `check` rejects when it cannot. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}
