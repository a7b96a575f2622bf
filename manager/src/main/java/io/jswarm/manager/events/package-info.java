/**
 * {@code GET /events}: Docker's event stream. {@link io.jswarm.manager.events.EventBus} keeps the last events and
 * fans each new one out to bounded per-subscriber buffers (a subscriber that falls behind is dropped, never waited
 * for); {@link io.jswarm.manager.events.ClusterEventSource} turns this manager's store changes into swarm-scope
 * events; the worker's container events are published into the same bus by the daemon.
 */
package io.jswarm.manager.events;
