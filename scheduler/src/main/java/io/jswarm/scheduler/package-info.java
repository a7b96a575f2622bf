/**
 * Pure task placement: node filters that explain refusals, ranking, batches. No I/O. (Issue 3.)
 */
package io.jswarm.scheduler;
