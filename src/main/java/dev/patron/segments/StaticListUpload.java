package dev.patron.segments;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The result of a static list upload: the new segment, how many rows matched, and the rows that did not. */
@Schema(
        description =
                "A static list created from uploaded phones, card numbers or member ids, with the rows that did not match")
public record StaticListUpload(Segment segment, int rows, int matched, List<UnmatchedRow> unmatched) {

    /** Row number (1-based, in the file), the value and why: NOT_FOUND, CARD_INACTIVE, INVALID, DUPLICATE. */
    public record UnmatchedRow(int row, String value, String reason) {}

    /** An upload: a name, what the values are (PHONE, CARD, MEMBER_ID) and the text (one value per line; CSV: the first column). */
    @Schema(description = "A static list to create from text or CSV content (the first column of each line)")
    public record Command(String name, String description, String identifierKind, String content) {}
}
