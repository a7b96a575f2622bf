/**
 * The leader's dispatcher: worker sessions over the cluster port, heartbeats and Down detection, assignment
 * streams, batched task-status reports. See {@link io.jswarm.manager.dispatcher.Dispatcher}.
 */
package io.jswarm.manager.dispatcher;
