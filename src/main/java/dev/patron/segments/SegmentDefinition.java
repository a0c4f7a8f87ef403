package dev.patron.segments;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A rule segment's definition as stored (jsonb) and exchanged over the API: a {@code version} and a
 * root {@link Node}. A node is either a group ({@code group} = AND / OR with {@code items}, nested
 * freely up to {@link #MAX_DEPTH}) or a condition ({@code field}, {@code operator}, {@code value},
 * and for the event fields {@code brand}, {@code category}, {@code store} codes, {@code days} and
 * {@code minAmountFen}). The fields and their operators are {@link SegmentField}; see
 * docs/segments.md "Rule segments".
 */
@Schema(description = "A rule segment definition: version 1 and a root AND/OR group of conditions")
public record SegmentDefinition(Integer version, Node root) {

    public static final int VERSION = 1;
    public static final int MAX_DEPTH = 5;
    public static final int MAX_CONDITIONS = 100;

    /**
     * True when any condition uses a personal field ({@link SegmentField#personal()}) or a field
     * not known (counted as personal, to be safe): such a segment is personal targeting (PRV-09).
     */
    public boolean usesPersonalFields() {
        if (root == null) {
            return false;
        }
        java.util.Deque<Node> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n.groupNode()) {
                if (n.items() != null) {
                    n.items().stream().filter(java.util.Objects::nonNull).forEach(todo::push);
                }
            } else {
                SegmentField f = SegmentField.of(n.field());
                if (f == null || f.personal()) {
                    return true;
                }
            }
        }
        return false;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(
            description = "A group (group + items) or a condition (field, operator, value; events also brand,"
                    + " category, store, days, minAmountFen)")
    public record Node(
            @Schema(description = "AND or OR for a group; absent for a condition")
            String group,

            List<Node> items,

            @Schema(description = "A field of SegmentField, e.g. gender, recencyDays, bought")
            String field,

            @Schema(
                    description = "eq, ne, in, notIn, gt, gte, lt, lte, between, before, after, hasAny, hasAll,"
                            + " hasNone, inLastDays, nextDays")
            String operator,

            @Schema(description = "A scalar, or an array for in / notIn / between / has*")
            JsonNode value,

            @Schema(description = "bought: brand code") String brand,
            @Schema(description = "bought: category code") String category,
            @Schema(description = "bought: store code") String store,

            @Schema(description = "bought / notBought: the window in days")
            Integer days,

            @Schema(description = "bought: minimum net amount in the window, fen")
            Long minAmountFen) {

        public static Node and(Node... items) {
            return new Node("AND", List.of(items), null, null, null, null, null, null, null, null);
        }

        public static Node or(Node... items) {
            return new Node("OR", List.of(items), null, null, null, null, null, null, null, null);
        }

        public static Node condition(String field, String operator, JsonNode value) {
            return new Node(null, null, field, operator, value, null, null, null, null, null);
        }

        public boolean groupNode() {
            return group != null || items != null;
        }
    }
}
