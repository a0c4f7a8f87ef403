package dev.patron.analytics;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * New and returning buying members per calendar month of the period, with their tickets and net
 * sales. A member is new in the month of their first SALE ticket ever (chain-wide), returning in
 * every later month they buy in.
 */
@Schema(description = "New vs returning members per month: buyers, sale tickets and net sales (fen)")
public record NewVsReturning(LocalDate from, LocalDate to, String storeCode, List<Month> months, Month total) {

    /**
     * One month (the total: {@code month} null, member counts summed over months, so a member
     * returning in two months counts twice).
     */
    public record Month(
            YearMonth month,
            long newMembers,
            long returningMembers,
            long newTickets,
            long returningTickets,
            long newSalesFen,
            long returningSalesFen) {}

    public List<DataTable> tables() {
        List<List<Object>> rows = new ArrayList<>();
        months.forEach(m -> rows.add(Arrays.asList(
                m.month().toString(),
                m.newMembers(),
                m.returningMembers(),
                m.newTickets(),
                m.returningTickets(),
                m.newSalesFen(),
                m.returningSalesFen())));
        return List.of(new DataTable(
                "months",
                List.of(
                        "month",
                        "newMembers",
                        "returningMembers",
                        "newTickets",
                        "returningTickets",
                        "newSalesFen",
                        "returningSalesFen"),
                rows));
    }
}
