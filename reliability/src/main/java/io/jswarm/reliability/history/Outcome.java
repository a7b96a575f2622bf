package io.jswarm.reliability.history;

/** How an operation ended, as its client saw it. */
public enum Outcome {
  /** Acknowledged: it took effect. */
  OK,
  /** Refused for sure (a 4xx conflict, a 503 before anything was proposed): it did not take effect. */
  FAILED,
  /** No answer, a timeout, or a no-quorum 503 after proposing: it may or may not have taken effect, at any later time. */
  UNKNOWN
}
