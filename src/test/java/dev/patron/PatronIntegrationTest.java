package dev.patron;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole application on a random port against the shared test PostgreSQL. All integration tests
 * use exactly this configuration so that Spring starts the application once per test run; tests
 * therefore create their own uniquely coded data ({@link TestData#unique}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "patron.security.admin-password=" + TestData.ADMIN_PASSWORD,
            "patron.security.bootstrap-api-key=" + TestData.BOOTSTRAP_API_KEY,
            "patron.security.login-attempts-per-ip-per-minute=1000",
            "patron.members.sign-up-per-minute=1000"
        })
@ContextConfiguration(initializers = TestDatabase.class)
public @interface PatronIntegrationTest {}
