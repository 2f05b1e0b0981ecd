/**
 * The JMX bean of each open database, registered at open and removed at close.
 *
 * <p>May import: the public API ({@code Database}, {@code Stats}). The engine registers beans;
 * nothing else imports this package.
 *
 * <p>Invariants: a bean only reads; registering never makes opening a database fail.
 */
package dev.sapwood.internal.jmx;
