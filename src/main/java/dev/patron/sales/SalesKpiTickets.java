package dev.patron.sales;

import dev.patron.shared.security.CurrentStaff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A ticket as the console's ticket page shows it: the ticket (404 outside the caller's stores), the
 * returns made of it (in the caller's stores), and display names of its store, counters, brands and
 * categories (code → name).
 */
@Service
public class SalesKpiTickets {

    /** The ticket page's data. */
    public record TicketDetail(
            Ticket ticket,
            String storeName,

            @io.swagger.v3.oas.annotations.media.Schema(description = "occurredAt in the store's time zone")
            java.time.LocalDateTime occurredLocal,

            List<Ticket> returns,
            Map<String, String> counterNames,
            Map<String, String> brandNames,
            Map<String, String> categoryNames) {}

    private final SalesManagement sales;
    private final JdbcClient jdbc;
    private final SalesKpiNames names;

    SalesKpiTickets(SalesManagement sales, JdbcClient jdbc, SalesKpiNames names) {
        this.sales = sales;
        this.jdbc = jdbc;
        this.names = names;
    }

    @Transactional(readOnly = true)
    public TicketDetail detail(long id) {
        Ticket t = sales.ticket(id);
        Long[] scope = CurrentStaff.scope().filterOrNull();
        List<Long> returnIds = t.kind() == SaleKind.SALE
                ? jdbc.sql("""
                        select id from sales.sale where original_sale_id = ?
                        and (?::bigint[] is null or store_id = any(?::bigint[])) order by business_date, id""").params(id, scope, scope).query(Long.class).list()
                : List.of();
        List<Ticket> returns = sales.tickets(returnIds);
        Map<String, String> counters = new HashMap<>();
        Map<String, String> brands = new HashMap<>();
        Map<String, String> categories = new HashMap<>();
        Set<Long> counterIds = new HashSet<>();
        List<Ticket> all = new ArrayList<>(returns);
        all.add(t);
        // names by code: counters through the reporting view, brands and categories from the cache
        Set<String> counterCodes = new HashSet<>();
        for (Ticket x : all) {
            for (Ticket.Line l : x.lines()) {
                if (l.counterCode() != null) {
                    counterCodes.add(l.counterCode());
                }
            }
        }
        if (!counterCodes.isEmpty()) {
            jdbc.sql("select id from organization.v_counter where code = any(?)")
                    .param(counterCodes.toArray(String[]::new))
                    .query(Long.class)
                    .list()
                    .forEach(counterIds::add);
            names.counters(counterIds).values().forEach(n -> counters.put(n.code(), n.name()));
        }
        Set<String> brandCodes = new HashSet<>();
        Set<String> categoryCodes = new HashSet<>();
        for (Ticket x : all) {
            for (Ticket.Line l : x.lines()) {
                if (l.brandCode() != null) {
                    brandCodes.add(l.brandCode());
                }
                if (l.categoryCode() != null) {
                    categoryCodes.add(l.categoryCode());
                }
            }
        }
        brands.putAll(names.brandNamesByCode(brandCodes));
        categories.putAll(names.categoryNamesByCode(categoryCodes));
        SalesKpiNames.Named store = names.stores(List.of(t.storeId())).get(t.storeId());
        String zone = jdbc.sql("select time_zone from organization.v_store where id = ?")
                .param(t.storeId())
                .query(String.class)
                .optional()
                .orElse("Asia/Shanghai");
        return new TicketDetail(
                t,
                store == null ? null : store.name(),
                t.occurredAt().atZoneSameInstant(java.time.ZoneId.of(zone)).toLocalDateTime(),
                returns,
                counters,
                brands,
                categories);
    }
}
