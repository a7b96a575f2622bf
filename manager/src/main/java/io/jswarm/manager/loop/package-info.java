/**
 * The machinery the leader-only control loops share ({@link io.jswarm.manager.loop.LeaderLoop}): store watch,
 * model load, when passes run (leading edge, trailing debounce, retries, timers), start and stop.
 */
package io.jswarm.manager.loop;
