/**
 * The longest duration a setting takes (100 years): dates it is subtracted from or added to stay
 * within what PostgreSQL's timestamptz and `Date` hold. Longer ones are refused at start-up,
 * not left to fail every vote or housekeeping round.
 */
export const MAX_DAYS = 36_500;
export const MAX_DURATION_MS = MAX_DAYS * 86_400_000;
