/** The one clock. Stored timestamps use the database's server date; this is for domain rules. */
export function now(): Date {
  return new Date();
}
