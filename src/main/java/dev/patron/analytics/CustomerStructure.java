package dev.patron.analytics;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the members are: counts by age band, gender, city (top N, the rest as OTHER), join channel and
 * tier, of the members the {@link Base} selects. Shares are of {@link #members()}, 4 decimals.
 */
@Schema(description = "Customer structure: members by age band, gender, city, join channel and tier")
public record CustomerStructure(
        LocalDate from,
        LocalDate to,
        String storeCode,
        Base base,
        long members,
        List<Slice> ageBands,
        List<Slice> genders,
        List<Slice> cities,
        List<Slice> joinChannels,
        List<Slice> tiers) {

    /** Which members are counted (all of them active members whose preferred or join store is in the filter). */
    public enum Base {
        /** Every active member who joined on or before {@code to}. */
        ALL,
        /** Active members who joined within [from, to]. */
        JOINED,
        /** Active members with a sale ticket at a store of the filter within [from, to]. */
        BUYERS
    }

    /** One bar or pie slice: a code (age band, gender, city, channel, tier code), its label, members and share. */
    public record Slice(String key, String label, long members, BigDecimal share) {}

    public List<DataTable> tables() {
        return List.of(
                table("ageBands", "ageBand", ageBands),
                table("genders", "gender", genders),
                table("cities", "city", cities),
                table("joinChannels", "joinChannel", joinChannels),
                table("tiers", "tier", tiers));
    }

    private static DataTable table(String id, String keyColumn, List<Slice> slices) {
        List<List<Object>> rows = new ArrayList<>();
        slices.forEach(s -> rows.add(List.of(s.key(), s.label(), s.members(), s.share())));
        return new DataTable(id, List.of(keyColumn, "label", "members", "share"), rows);
    }
}
