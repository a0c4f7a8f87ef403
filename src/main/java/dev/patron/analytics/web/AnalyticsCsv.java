package dev.patron.analytics.web;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.analytics.DataTable;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes one chart's {@link DataTable} as CSV (UTF-8 with a byte-order mark so that Excel opens the
 * Chinese labels right; decimals in plain notation, empty cells for "no value").
 */
final class AnalyticsCsv {

    private AnalyticsCsv() {}

    /** The table {@code chart} names (the first when blank); 400 naming {@code chart} if unknown. */
    static DataTable pick(List<DataTable> tables, String chart) {
        if (chart == null || chart.isBlank()) {
            return tables.get(0);
        }
        return tables.stream()
                .filter(t -> t.id().equals(chart.strip()))
                .findFirst()
                .orElseThrow(() -> PatronException.invalid(
                        "chart",
                        "analytics.chart",
                        tables.stream().map(DataTable::id).collect(Collectors.joining(", "))));
    }

    static void write(HttpServletResponse response, String dashboard, DataTable table) throws IOException {
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader(
                "Content-Disposition", "attachment; filename=\"analytics-" + dashboard + "-" + table.id() + ".csv\"");
        OutputStream out = response.getOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CsvWriter csv = CsvWriter.builder().build(writer);
        csv.writeRecord(table.columns());
        for (List<Object> row : table.rows()) {
            csv.writeRecord(row.stream().map(AnalyticsCsv::cell).toList());
        }
        csv.flush();
    }

    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return v.toString();
    }
}
