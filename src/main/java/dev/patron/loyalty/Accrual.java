package dev.patron.loyalty;

import dev.patron.members.MemberReferences;
import dev.patron.sales.RecordedSale;
import dev.patron.sales.SaleKind;
import dev.patron.sales.SalesManagement;
import dev.patron.sales.SalesRecorded;
import dev.patron.sales.Ticket;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Awards points for sales and takes them back for returns, from the {@code SalesRecorded} outbox
 * event, computing each sale's points with the {@link EarnRules} (and crediting an institution that
 * pools its members' points, {@link PointsPooling}). Exactly once per ticket: a unique index allows one EARN entry per sale and one REVERSE
 * entry per return, checked after the member's account is locked, so a redelivered event or a
 * return processed before its sale changes nothing twice. Points are awarded on the amount paid
 * other than with stored value or points. A return takes back its share of the sale's points
 * (returned fen / sale fen, the last return takes exactly what is left), from the sale's own lot
 * first; what the member already spent takes the balance below zero as far as the program allows,
 * and the rest is recorded as debt, paid off by later earnings.
 */
@Component
class Accrual {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private final JdbcClient jdbc;
    private final PointsLedger ledger;
    private final SalesManagement sales;
    private final ProgramSettings program;
    private final EarnRules rules;
    private final MemberReferences members;

    Accrual(
            JdbcClient jdbc,
            PointsLedger ledger,
            SalesManagement sales,
            ProgramSettings program,
            EarnRules rules,
            MemberReferences members) {
        this.rules = rules;
        this.members = members;
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.sales = sales;
        this.program = program;
    }

    /**
     * Called by {@link LoyaltySalesConsumer} in the sales feed's transaction. Idempotent (unique
     * entries per ticket): a commit lost in a crash is redone on redelivery. Returns the points of
     * the sales it earned in bulk (sale id → points of its EARN entry), which tier counting then
     * need not read back from the ledger; sales handled otherwise are absent.
     */
    Map<Long, Long> on(SalesRecorded event) {
        List<RecordedSale> relevant = event.sales().stream()
                .filter(s -> s.memberId() != null && s.accruePoints())
                .toList();
        if (relevant.isEmpty()) {
            return Map.of();
        }
        // as recorded (from memory when just recorded here): the sale's buyer and amounts; the originals
        // of returns below are read fresh, as their returned amounts matter
        Map<Long, Ticket> tickets =
                sales
                        .ticketsAsRecorded(
                                relevant.stream().map(RecordedSale::saleId).toList())
                        .stream()
                        .collect(Collectors.toMap(Ticket::id, Function.identity()));
        LoyaltyProgram settings = program.current();
        // all accounts of the event first, in member id order (returns: the original sale's member)
        java.util.Set<Long> memberIds = new java.util.HashSet<>();
        relevant.forEach(s -> memberIds.add(s.memberId()));
        List<Long> originalIds = tickets.values().stream()
                .filter(t -> t.kind() == SaleKind.RETURN && t.originalSaleId() != null)
                .map(Ticket::originalSaleId)
                .distinct()
                .toList();
        Map<Long, Ticket> originals = originalIds.isEmpty()
                ? Map.of()
                : sales.tickets(originalIds).stream().collect(Collectors.toMap(Ticket::id, Function.identity()));
        originals.values().stream()
                .map(Ticket::memberId)
                .filter(java.util.Objects::nonNull)
                .forEach(memberIds::add);
        // the rules' data for every sale of the event (and the originals a return may accrue first)
        List<Ticket> toEarn = new java.util.ArrayList<>();
        tickets.values().stream().filter(t -> t.kind() == SaleKind.SALE).forEach(toEarn::add);
        originals.values().stream()
                .filter(t -> t.memberId() != null && t.accruePoints())
                .forEach(toEarn::add);
        EarnRules.Batch batch = rules.prepare(toEarn, settings, false);
        // pooled sales credit the institution; returns reverse from the account that earned
        toEarn.forEach(t -> memberIds.add(batch.creditTo(t)));
        if (!originalIds.isEmpty()) {
            List<Long> earners = jdbc.sql(
                            "select member_id from loyalty.entry where kind = 'EARN' and sale_id = any(?)")
                    .param(originalIds.toArray(Long[]::new))
                    .query(Long.class)
                    .list();
            if (!earners.isEmpty()) {
                memberIds.addAll(members.activeIds(earners).values());
            }
        }
        PointsLedger.Locked locked = ledger.lockAccounts(memberIds);
        Map<Long, PointsLedger.Account> accounts = new java.util.HashMap<>(locked.read());
        if (!locked.mergedAway().isEmpty()) {
            // a buyer was merged into another member before this event was handled: the points go to
            // the survivor (rare; the survivor's account is locked after the others)
            Map<Long, Long> survivors = members.activeIds(locked.mergedAway().keySet());
            batch.redirect(survivors);
            accounts.putAll(ledger.lockAccounts(survivors.values()).read());
        }
        Map<Long, Long> earnedPoints = new java.util.HashMap<>();
        java.util.Set<Long> done = earnInBulk(tickets.values(), batch, accounts, earnedPoints);
        for (RecordedSale s : relevant) {
            Ticket t = tickets.get(s.saleId());
            if (t == null || done.contains(t.id())) {
                continue;
            }
            if (t.kind() == SaleKind.SALE) {
                earn(t, batch);
            } else {
                reverse(t, originals.get(t.originalSaleId()), batch);
            }
        }
        return earnedPoints;
    }

    /**
     * The common case in a few set-based statements, whatever the number of tickets: sales credited
     * to accounts whose balance is not negative and that owe no debt (locked by the caller). The
     * points of each ticket are computed in Java by the earn rules from data read once for all
     * tickets (day totals for daily caps in one more query), in sale id order so that several sales
     * of a member on one day share its daily cap. Returns the ids of the sales handled; the others
     * (returns, debts, negative balances) go through {@link #earn} / {@link #reverse} one by one.
     * {@code locked}: the accounts' state as read under their lock by the caller (an account not in
     * it is read here); {@code earnedPoints} receives each earned sale's points.
     */
    java.util.Set<Long> earnInBulk(
            java.util.Collection<Ticket> tickets,
            EarnRules.Batch batch,
            Map<Long, PointsLedger.Account> locked,
            Map<Long, Long> earnedPoints) {
        LoyaltyProgram settings = batch.program;
        List<Ticket> sales = tickets.stream()
                .filter(t -> t.kind() == SaleKind.SALE)
                .sorted(java.util.Comparator.comparingLong(Ticket::id))
                .toList();
        if (sales.isEmpty()) {
            return java.util.Set.of();
        }
        // accounts in good standing: not negative and owing no debt (as read when locked)
        java.util.Set<Long> simple = new java.util.HashSet<>();
        List<Long> unread = new java.util.ArrayList<>();
        sales.stream().map(batch::creditTo).distinct().forEach(id -> {
            PointsLedger.Account a = locked.get(id);
            if (a == null) {
                unread.add(id);
            } else if (a.balance() >= 0 && a.debt() == 0) {
                simple.add(id);
            }
        });
        if (!unread.isEmpty()) {
            simple.addAll(jdbc.sql(
                            "select member_id from loyalty.account where member_id = any(?) and balance >= 0 and debt = 0")
                    .param(unread.toArray(Long[]::new))
                    .query(Long.class)
                    .list());
        }
        java.util.Set<Long> earnedBefore = new java.util.HashSet<>(
                jdbc.sql("select sale_id from loyalty.entry where kind = 'EARN' and sale_id = any(?)")
                        .param(sales.stream().map(Ticket::id).toArray(Long[]::new))
                        .query(Long.class)
                        .list());
        java.util.Set<Long> handled = new java.util.HashSet<>(earnedBefore);
        List<Ticket> todo = sales.stream()
                .filter(t -> simple.contains(batch.creditTo(t)) && !earnedBefore.contains(t.id()))
                .toList();
        if (todo.isEmpty()) {
            return handled;
        }
        Map<Long, java.util.Set<LocalDate>> days = new java.util.HashMap<>();
        todo.forEach(t -> days.computeIfAbsent(t.memberId(), k -> new java.util.HashSet<>())
                .add(t.businessDate()));
        Map<EarnRules.DayKey, Long> dayTotals = new java.util.HashMap<>(batch.earnedOn(days));
        int n = todo.size();
        Long[] member = new Long[n];
        Long[] buyer = new Long[n];
        Long[] sale = new Long[n];
        Long[] store = new Long[n];
        Long[] points = new Long[n];
        String[] earnedOn = new String[n];
        String[] availableFrom = new String[n];
        String[] expiresOn = new String[n];
        for (int i = 0; i < n; i++) {
            Ticket t = todo.get(i);
            EarnRules.DayKey day = new EarnRules.DayKey(t.memberId(), t.businessDate());
            long p = batch.compute(t, dayTotals.getOrDefault(day, 0L)).points;
            dayTotals.merge(day, p, Long::sum);
            member[i] = batch.creditTo(t);
            buyer[i] = t.memberId();
            sale[i] = t.id();
            store[i] = t.storeId();
            points[i] = p;
            earnedPoints.put(t.id(), p);
            earnedOn[i] = t.businessDate().toString();
            availableFrom[i] = t.businessDate().plusDays(settings.pendingDays()).toString();
            LocalDate expires = settings.expiresOn(t.businessDate());
            expiresOn[i] = expires == null ? null : expires.toString();
        }
        jdbc.sql("""
                with x(member_id, buyer_id, sale_id, store_id, points, earned_on, available_from, expires_on) as (
                    select * from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::date[], ?::date[], ?::date[])),
                e as (
                    insert into loyalty.entry (member_id, kind, points, sale_id, store_id, created_by, earned_by_member_id, earned_on)
                    select member_id, 'EARN', points, sale_id, store_id, 'system', buyer_id, earned_on from x order by sale_id
                    returning id, sale_id),
                l as (
                    insert into loyalty.lot (member_id, entry_id, points, remaining, earned_on, available_from, expires_on, sale_id)
                    select x.member_id, e.id, x.points, x.points, x.earned_on, x.available_from, x.expires_on, x.sale_id
                    from x join e on e.sale_id = x.sale_id where x.points > 0)
                update loyalty.account a set balance = a.balance + t.points, lifetime_earned = a.lifetime_earned + t.points,
                    updated_at = now()
                from (select member_id, sum(points) as points from x group by member_id) t where a.member_id = t.member_id""")
                .params(member, buyer, sale, store, points, earnedOn, availableFrom, expiresOn)
                .update();
        todo.forEach(t -> handled.add(t.id()));
        return handled;
    }

    /** Awards the sale's points unless done before; returns the points of its EARN entry. */
    long earn(Ticket t, EarnRules.Batch batch) {
        LoyaltyProgram settings = batch.program;
        PointsLedger.Account a = ledger.lock(batch.creditTo(t));
        Long existing = earned(t.id());
        if (existing != null) {
            return existing;
        }
        LocalDate on = t.businessDate();
        long earnedToday = batch.earnedOn(Map.of(t.memberId(), List.of(on)))
                .getOrDefault(new EarnRules.DayKey(t.memberId(), on), 0L);
        long points = batch.compute(t, earnedToday).points;
        long entryId = ledger.credit(
                a,
                new PointsLedger.EntryInfo(EntryKind.EARN, t.id(), null, null, null, t.storeId(), "", "system"),
                points,
                on,
                on.plusDays(settings.pendingDays()),
                settings.expiresOn(on));
        jdbc.sql("update loyalty.entry set earned_by_member_id = ?, earned_on = ? where id = ?")
                .params(t.memberId(), on, entryId)
                .update();
        return points;
    }

    private Long earned(long saleId) {
        return jdbc.sql("select points from loyalty.entry where kind = 'EARN' and sale_id = ?")
                .param(saleId)
                .query(Long.class)
                .optional()
                .orElse(null);
    }

    void reverse(Ticket ret, Ticket sale, EarnRules.Batch batch) {
        if (sale == null || !sale.accruePoints() || sale.memberId() == null) {
            return;
        }
        LoyaltyProgram settings = batch.program;
        // the return may arrive before its sale was accrued: accrue the sale first (once)
        long earned = earn(sale, batch);
        // the account that earned (the institution when the sale was pooled; its survivor when merged since)
        long earner = jdbc.sql("select member_id from loyalty.entry where kind = 'EARN' and sale_id = ?")
                .param(sale.id())
                .query(Long.class)
                .single();
        long member = earner == sale.memberId()
                ? earner
                : members.activeIds(List.of(earner)).getOrDefault(earner, sale.memberId());
        PointsLedger.Account a = ledger.lock(member);
        if (a.mergedInto() != null) {
            // merged away since the sale: reverse from the survivor, who holds the points now
            member = members.activeIds(List.of(member)).getOrDefault(member, a.mergedInto());
            a = ledger.lock(member);
        }
        if (jdbc.sql("select count(*) from loyalty.entry where kind = 'REVERSE' and sale_id = ?")
                        .param(ret.id())
                        .query(Long.class)
                        .single()
                > 0) {
            return;
        }
        long reversedBefore = jdbc.sql("""
                select coalesce(sum(-points + debt_points), 0) from loyalty.entry
                where kind = 'REVERSE' and original_sale_id = ?""").param(sale.id()).query(Long.class).single();
        long returnedFen =
                sale.lines().stream().mapToLong(Ticket.Line::returnedFen).sum();
        // cumulative: all returns of the sale so far take back their share; the last one the rest
        long target = returnedFen >= sale.totalFen() ? earned : share(earned, returnedFen, sale.totalFen());
        long points = Math.max(0, Math.min(earned, target) - reversedBefore);
        long fromLots = 0;
        long entryId = ledger.entry(
                member,
                new PointsLedger.EntryInfo(
                        EntryKind.REVERSE, ret.id(), sale.id(), null, null, ret.storeId(), "", "system"),
                0,
                0);
        if (points > 0) {
            fromLots = ledger.takeFromLots(member, entryId, points, true, sale.id(), LocalDate.now(ZONE));
        }
        long shortfall = points - fromLots;
        long belowZeroAllowed = Math.max(0, settings.maxNegativeBalance() + Math.min(0, a.balance() - fromLots));
        long negative = Math.min(shortfall, belowZeroAllowed);
        long debt = shortfall - negative;
        long applied = fromLots + negative;
        jdbc.sql("update loyalty.entry set points = ?, debt_points = ? where id = ?")
                .params(-applied, debt, entryId)
                .update();
        ledger.debitBalance(member, applied, debt);
    }

    /** round(earned × part / whole), half up, in exact integer arithmetic. */
    static long share(long earned, long part, long whole) {
        return java.math.BigDecimal.valueOf(earned)
                .multiply(java.math.BigDecimal.valueOf(part))
                .divide(java.math.BigDecimal.valueOf(whole), 0, java.math.RoundingMode.HALF_UP)
                .longValueExact();
    }
}
