package dev.medallion.sample.events;

/** How generated events spread over time, users and sessions. */
public enum TimeShape {
  /**
   * Any of 10,000 users at any time of the span, each with four sessions that last the whole
   * stream: every batch touches most users and sessions, the hardest case for exactness.
   */
  UNIFORM,

  /**
   * A shop's traffic: 100,000 users, of whom a rotating tenth is active on a given (UTC) day and a
   * few hundred in a given hour; a session is a user's events within the same half hour; a late
   * event is one to six hours late, one in ten of them one to three days. The same users are active
   * in an hour whatever the seed, so an increment generated apart from a history shares its users.
   * What a history-length benchmark needs: an hour touches a small share of the entities.
   */
  DAILY
}
