package dev.sapwood.testlog;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that injects failures on purpose: what the engine logs while its tests run
 * (the errors of background tasks it made fail) is kept by {@link CapturedLog} and printed only if
 * a test fails, so the build stays quiet and real failures still show their log.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(CapturedLogExtension.class)
public @interface CapturesEngineLog {}
