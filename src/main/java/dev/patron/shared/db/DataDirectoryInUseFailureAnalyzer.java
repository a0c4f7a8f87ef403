package dev.patron.shared.db;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a second start on a busy data directory into a short, clear start-up failure instead of a stack trace. */
class DataDirectoryInUseFailureAnalyzer
        extends AbstractFailureAnalyzer<EmbeddedPostgresServer.DataDirectoryInUseException> {

    @Override
    protected FailureAnalysis analyze(Throwable root, EmbeddedPostgresServer.DataDirectoryInUseException cause) {
        return new FailureAnalysis(
                cause.getMessage(),
                "Stop the other Patron process first, or set PATRON_DB_DATA_DIR to another directory.",
                cause);
    }
}
