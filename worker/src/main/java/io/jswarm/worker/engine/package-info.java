/**
 * This node's engine as the Docker client sees it: the tasks' containers as Docker containers ({@code docker ps},
 * {@code inspect}, {@code logs}, {@code top}, {@code stats}, {@code kill}) and {@code docker exec} into them. Served
 * only on the node's API listeners (the unix socket and TLS-verified TCP), never on the cluster port: exec is root
 * in a container.
 */
package io.jswarm.worker.engine;
