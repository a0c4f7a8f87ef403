package dev.patron.members;

import java.util.List;
import java.util.Map;

/**
 * An uploaded file before it is imported: its columns, the first rows, and a suggested mapping of
 * column header to member field (see {@link #fields}; {@code externalId:<system>} and
 * {@code custom:<code>} are allowed too).
 */
public record ImportPreview(
        long jobId,
        String fileName,
        String format,
        List<String> headers,
        List<List<String>> sample,
        Map<String, String> suggestedMapping,
        List<String> fields) {}
