import type { ManagedProcess } from '../managed-process';

export type Log = (line: string) => void;

/**
 * One piece of real infrastructure the stack can provide. `up` asks, in order: is our
 * process already running? is something else already answering on the address? —
 * and only then provisions (install/build, cached) and launches its own.
 */
export interface StackComponent {
  readonly name: string;
  /** Where clients reach it, as the apps' configuration names it. */
  readonly address: string;
  readonly process: ManagedProcess;
  /** Components that must be ready before this one starts (and stay up while it runs). */
  readonly requires?: readonly string[];
  /** Components whose data refers to this one's, so a reset of this one must include them. */
  readonly resetWith?: readonly { readonly name: string; readonly why: string }[];
  isAnswering(): Promise<boolean>;
  provision(log: Log): Promise<void>;
  launch(log: Log): Promise<void>;
  waitReady(): Promise<void>;
  /** Work that must hold whoever runs the service (e.g. Kafka topics exist). */
  afterReady?(log: Log): Promise<void>;
}
