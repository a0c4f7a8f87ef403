package dev.patron.members.web;

import dev.patron.members.ConsentChannel;
import dev.patron.members.ConsentPurpose;
import dev.patron.members.ConsentState;
import dev.patron.members.Member;
import dev.patron.members.PanelView;
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

    static List<ConsentRow> consents(Member m) {
        List<ConsentRow> rows = new ArrayList<>();
        for (ConsentChannel ch : ConsentChannel.values()) {
            rows.add(new ConsentRow(ch, state(m, ch, ConsentPurpose.MARKETING), state(m, ch, ConsentPurpose.SERVICE)));
        }
        return rows;
    }

    private static ConsentState state(Member m, ConsentChannel ch, ConsentPurpose purpose) {
        return m.consents().stream().filter(c -> c.channel() == ch && c.purpose() == purpose).findFirst().orElse(null);
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
