/**
 * The cluster CA's routes on the cluster port: {@code GET /ca} (the root certificate), {@code POST /join} (token
 * check, node row, first certificate), {@code POST /renew} (a new certificate for the caller's node) and
 * {@code POST /raft/join} (a manager with its certificate asks to enter the Raft group). {@link
 * io.jswarm.manager.ca.ClusterBootstrap} makes the root, tokens and first certificate at {@code swarm init}.
 */
package io.jswarm.manager.ca;
