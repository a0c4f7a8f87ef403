package dev.patron.members.web;

import dev.patron.members.ConsentChannel;
import dev.patron.members.ConsentPurpose;
import dev.patron.members.ConsentState;
import dev.patron.members.Member;
import dev.patron.members.MergeRecord;
import dev.patron.members.PanelView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What the 360 page shows beyond the member itself: consent as a channel × purpose table and the contributed panels. */
final class MemberPageModel {

    private MemberPageModel() {}

    /** One channel's current answers; a null state or one without a time means "never asked". */
    record ConsentRow(ConsentChannel channel, ConsentState marketing, ConsentState service) {}

    /**
     * A contributed panel ready for the generic rendering: a map becomes key/value rows, a
     * collection a list, anything else one line of text. Panels with their own template get the
     * raw data.
     */
    record Panel(PanelView view, List<Map.Entry<String, Object>> entries, List<Object> items, String text) {}

    /**
     * One merge the member took part in: as the survivor ({@code survivor} true) or as the member
     * merged away; {@code undoable} when the caller may undo it now (on the survivor's page).
     */
    record MergeRow(MergeRecord merge, boolean survivor, long otherId, boolean undoable) {}

    static List<MergeRow> merges(List<MergeRecord> merges, long memberId, boolean mayUndo) {
        Instant now = Instant.now();
        return merges.stream()
                .map(m -> {
                    boolean survivor = m.survivorId() == memberId;
                    boolean undoable = mayUndo
                            && survivor
                            && m.undoneAt() == null
                            && m.undoableUntil() != null
                            && m.undoableUntil().isAfter(now);
                    return new MergeRow(m, survivor, survivor ? m.mergedId() : m.survivorId(), undoable);
                })
                .toList();
    }

    static List<ConsentRow> consents(Member m) {
        List<ConsentRow> rows = new ArrayList<>();
        for (ConsentChannel ch : ConsentChannel.values()) {
            rows.add(new ConsentRow(ch, state(m, ch, ConsentPurpose.MARKETING), state(m, ch, ConsentPurpose.SERVICE)));
        }
        return rows;
    }

    private static ConsentState state(Member m, ConsentChannel ch, ConsentPurpose purpose) {
        return m.consents().stream()
                .filter(c -> c.channel() == ch && c.purpose() == purpose)
                .findFirst()
                .orElse(null);
    }

    static List<Panel> panels(Member m) {
        List<Panel> panels = new ArrayList<>();
        for (PanelView p : m.panels()) {
            Object data = p.data();
            List<Map.Entry<String, Object>> entries = null;
            List<Object> items = null;
            String text = null;
            if (data instanceof Map<?, ?> map) {
                entries = new ArrayList<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    entries.add(Map.entry(String.valueOf(e.getKey()), e.getValue() == null ? "—" : e.getValue()));
                }
            } else if (data instanceof Collection<?> c) {
                items = new ArrayList<>(c);
            } else if (data != null) {
                text = String.valueOf(data);
            }
            panels.add(new Panel(p, entries, items, text));
        }
        return panels;
    }
}
