package dev.patron.loyalty;

import dev.patron.members.MemberPanel;
import dev.patron.members.MemberReferences;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The member's statement of the last full month in the 360 view ({@code panels[].data} under
 * {@code statement}); the console's month picker reloads it via HTMX from
 * {@code /loyalty/members/{id}/statement?month=YYYY-MM}.
 */
@Component
class StatementPanel implements MemberPanel {

    private final Statements statements;
    private final MemberReferences members;

    StatementPanel(Statements statements, MemberReferences members) {
        this.statements = statements;
        this.members = members;
    }

    @Override
    public String key() {
        return "statement";
    }

    @Override
    public String titleKey() {
        return "statement.panel.title";
    }

    @Override
    public int order() {
        return 210;
    }

    @Override
    public String template() {
        return "loyalty/statement-panel";
    }

    @Override
    public Optional<Object> data(long memberId) {
        // merged and erased members have no points of their own: no panel rather than an error
        Long active = members.activeIds(List.of(memberId)).get(memberId);
        if (active == null || active != memberId) {
            return Optional.empty();
        }
        return Optional.of(statements.statementOf(memberId, Statements.lastFullMonth()));
    }
}
