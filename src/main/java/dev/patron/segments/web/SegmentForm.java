package dev.patron.segments.web;

/** The builder's form: name, description and the definition as JSON (kept by the builder script). */
public class SegmentForm {

    private String name;
    private String description;
    private String definition;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getDefinition() {
        return definition;
    }

    public void setDefinition(String definition) {
        this.definition = definition;
    }
}
