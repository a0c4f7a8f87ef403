package dev.patron.sales;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;

/**
 * One row of a KPI report: a store, counter or brand ({@code id}, {@code code}, {@code name}; id 0
 * collects lines without a counter or brand) or a time bucket ({@code date}, its first day).
 */
@Schema(description = "A store, counter, brand (id 0: lines without one) or time bucket (date = first day)")
public record SalesKpiRow(
        @Schema(description = "Store / counter / brand code, or the bucket's first day", example = "SH001")
        String key,

        Long id,
        String code,
        String name,
        @Schema(description = "The store of a counter") String storeCode,
        LocalDate date,
        SalesKpiFigures figures) {}
