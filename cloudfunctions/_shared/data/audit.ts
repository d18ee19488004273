/** `settings_audit`: who changed which setting from what to what, when. Written inside the change's own transaction. */
export interface AuditEntry {
  at: Date;
  /** An admin's openid, or "system" for breakers. */
  by: string;
  field: string;
  from: unknown;
  to: unknown;
  note: string | null;
}
