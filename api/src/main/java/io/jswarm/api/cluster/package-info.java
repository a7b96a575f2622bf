/**
 * Messages of the cluster port's join and certificate routes ({@code POST /join}, {@code POST /renew},
 * {@code POST /raft/join}), shared by the manager that serves them and the node that calls them. Public camelCase
 * fields, serialized PascalCase by {@link io.jswarm.api.json.Json} like the other api types.
 */
package io.jswarm.api.cluster;
