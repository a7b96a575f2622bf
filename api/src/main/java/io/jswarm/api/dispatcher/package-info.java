/**
 * The dispatcher protocol between a worker's agent and the leader's dispatcher, on the cluster port (see
 * {@code docs/control-plane.md}): {@code POST /dispatcher/session} ({@link SessionRequest} -> a stream of
 * newline-delimited {@link DispatcherMessage}s), {@code /dispatcher/heartbeat} ({@link HeartbeatRequest} ->
 * {@link HeartbeatResponse}) and {@code /dispatcher/status} ({@link StatusRequest}). The calling node is named
 * by its client certificate, never by a message field.
 */
package io.jswarm.api.dispatcher;
