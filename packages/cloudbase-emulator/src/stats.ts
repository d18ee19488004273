/** Counters behind `GET /v1/stats`: gateway actions and container starts per function. */
export class Stats {
  private actions: Record<string, number> = {};

  countAction(action: string): void {
    this.actions[action] = (this.actions[action] ?? 0) + 1;
  }

  actionCounts(): Record<string, number> {
    return { ...this.actions };
  }

  clear(): void {
    this.actions = {};
  }
}
